"""Find a Java runtime that fits a JVM component.

Kafka, the Iceberg REST catalog and Spark run on Java 17+. Trino 476 needs Java 24+
with the ``jdk.incubator.vector`` module (its launcher adds that module). We look in the
place a setting names first, then in the usual install folders; we read each JDK's
``release`` file instead of starting a JVM, which is instant.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ecommerce_assets.stack.errors import StackError

SEARCH_ROOTS = (Path("/usr/lib/jvm"), Path("/opt"), Path("/opt/java"), Path("/usr/local"))


@dataclass(frozen=True)
class Jdk:
    home: Path
    version: tuple[int, ...]
    modules: frozenset[str]

    @property
    def java(self) -> Path:
        return self.home / "bin" / "java"

    @property
    def major(self) -> int:
        return self.version[0]


def read_jdk(home: Path) -> Jdk | None:
    """Describe the JDK at ``home``, or None if it is not one."""
    release = home / "release"
    if not (home / "bin" / "java").exists() or not release.exists():
        return None
    fields: dict[str, str] = {}
    for line in release.read_text(errors="replace").splitlines():
        key, _, value = line.partition("=")
        fields[key.strip()] = value.strip().strip('"')
    numbers = re.findall(r"\d+", fields.get("JAVA_VERSION", ""))
    if not numbers:
        return None
    version = tuple(int(n) for n in numbers[:3])
    return Jdk(
        home=home.resolve(), version=version, modules=frozenset(fields.get("MODULES", "").split())
    )


def _candidates() -> list[Path]:
    found: list[Path] = []
    for root in SEARCH_ROOTS:
        if root.is_dir():
            found.extend(sorted(p for p in root.iterdir() if p.is_dir()))
    return found


def find_jdk(
    min_major: int,
    required_modules: frozenset[str] = frozenset(),
    override: Path | None = None,
    setting: str = "LAKEHOUSE_JAVA_HOME",
    purpose: str = "the stack",
) -> Jdk:
    """The JDK named by ``override``, else the newest suitable one installed."""

    def fits(jdk: Jdk) -> bool:
        return jdk.major >= min_major and required_modules <= jdk.modules

    need = f"Java >= {min_major}" + (
        f" with {', '.join(sorted(required_modules))}" if required_modules else ""
    )
    if override is not None:
        jdk = read_jdk(override)
        if jdk is None:
            raise StackError(f"{setting}={override} is not a JDK (no bin/java or release file)")
        if not fits(jdk):
            raise StackError(
                f"{setting}={override} is Java {'.'.join(map(str, jdk.version))}; "
                f"{purpose} needs {need}"
            )
        return jdk
    suitable = [jdk for home in _candidates() if (jdk := read_jdk(home)) and fits(jdk)]
    if not suitable:
        roots = ", ".join(str(r) for r in SEARCH_ROOTS)
        raise StackError(
            f"no suitable Java for {purpose}: it needs {need}, and none was found in {roots}. "
            f"Install one (e.g. a Temurin or OpenJDK {max(min_major, 17)}+ JDK) and set "
            f"{setting} to its folder."
        )
    # Prefer the oldest that fits: long-term releases the component was tested on.
    return min(suitable, key=lambda jdk: jdk.version)


def compile_java(
    jdk: Jdk, sources: list[Path], classpath: str, destination: Path, purpose: str
) -> None:
    """Compile ``sources`` for Java 17 into ``destination`` with the JDK's javac."""
    javac = jdk.home / "bin" / "javac"
    if not javac.exists():
        raise StackError(
            f"{jdk.home} is a Java runtime without javac; {purpose} needs a JDK once. "
            "Install one (apt-get install openjdk-17-jdk-headless) or set "
            "LAKEHOUSE_JAVA_HOME to a JDK."
        )
    command = [str(javac), "--release", "17", "-nowarn", "-cp", classpath, "-d", str(destination)]
    result = subprocess.run(
        [*command, *map(str, sources)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise StackError(f"compiling {purpose} failed:\n{result.stderr.strip()[-2000:]}")
