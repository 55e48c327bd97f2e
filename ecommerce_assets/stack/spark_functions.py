"""The project's own Spark functions (Java, in streaming/jvm), compiled once into the cache.

They are compiled here, with the machine's JDK against PySpark's own jars, rather than
published as a jar: the sources stay beside the Python that calls them, and a change to
either is a change to one repository. The jar's name carries a digest of the sources and
the PySpark version, so an edit or an upgrade compiles a new one.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
import zipfile
from pathlib import Path

import pyspark
from rich.console import Console

import streaming
from ecommerce_assets.stack.java import compile_java, find_jdk

SOURCES = Path(streaming.__file__).parent / "jvm"
PYSPARK_JARS = Path(pyspark.__file__).parent / "jars"


def _sources() -> list[Path]:
    return sorted(SOURCES.rglob("*.java"))


def functions_jar_path(cache_dir: str | Path) -> Path:
    """Where the jar of the current sources lives (built or not)."""
    digest = hashlib.sha256(pyspark.__version__.encode())
    for source in _sources():
        digest.update(source.relative_to(SOURCES).as_posix().encode())
        digest.update(source.read_bytes())
    name = f"lakehouse-functions-{digest.hexdigest()[:16]}.jar"
    return Path(cache_dir) / "spark-functions" / name


def build_functions_jar(
    cache_dir: str | Path, console: Console, java_home: Path | None = None
) -> Path:
    """The jar of the project's Spark functions, compiled first if the cache lacks it."""
    target = functions_jar_path(cache_dir)
    if target.exists():
        return target
    purpose = "the project's Spark functions (streaming/jvm)"
    jdk = find_jdk(17, override=java_home, purpose=purpose)
    started = time.perf_counter()
    console.print(f"  compiling {purpose} with Java {jdk.major} at {jdk.home}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        classes = Path(scratch) / "classes"
        compile_java(jdk, _sources(), f"{PYSPARK_JARS}/*", classes, purpose)
        partial = Path(scratch) / target.name
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as jar:
            for path in sorted(classes.rglob("*.class")):
                jar.write(path, path.relative_to(classes).as_posix())
        partial.replace(target)
    console.print(f"  compiled {target.name} in {time.perf_counter() - started:.1f} s")
    return target
