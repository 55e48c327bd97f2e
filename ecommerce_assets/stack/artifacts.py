"""Fetch JVM artifacts from a Maven repository once, verify them, and cache them.

Two ways in, both verified against the repository's checksums:
- ``fetch``: one file (a jar, a tarball, a plugin zip), downloaded with a progress bar
  and checked against the ``.sha1`` published beside it.
- ``resolve_classpath``: a whole dependency tree described by a small pom, resolved by
  Maven itself (``mvn -C``: strict checksums) into a folder of jars.

Everything lands under the cache folder, outside the repository, keyed by version, so
a second ``stack up`` (or another clone) fetches nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from ecommerce_assets.stack.errors import StackError

_CHUNK = 1 << 20


@dataclass(frozen=True)
class MavenArtifact:
    group: str
    artifact: str
    version: str
    packaging: str = "jar"
    classifier: str | None = None

    @property
    def filename(self) -> str:
        suffix = f"-{self.classifier}" if self.classifier else ""
        return f"{self.artifact}-{self.version}{suffix}.{self.packaging}"

    @property
    def relative_path(self) -> str:
        return "/".join([*self.group.split("."), self.artifact, self.version, self.filename])

    def __str__(self) -> str:
        parts = [self.group, self.artifact, self.version, self.packaging]
        if self.classifier:
            parts.append(self.classifier)
        return ":".join(parts)


def _download(url: str, target: Path, label: str, console: Console) -> None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with (
                target.open("wb") as out,
                Progress(
                    TextColumn("  [cyan]{task.description}"),
                    BarColumn(),
                    DownloadColumn(),
                    TransferSpeedColumn(),
                    TimeRemainingColumn(),
                    console=console,
                    transient=True,
                    disable=not console.is_terminal,
                ) as progress,
            ):
                task = progress.add_task(label, total=total)
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    progress.advance(task, len(chunk))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        target.unlink(missing_ok=True)
        raise StackError(
            f"download failed: {url}: {error}. Check the network access to the Maven "
            "repository, or point LAKEHOUSE_MAVEN_REPOSITORY at a reachable mirror."
        ) from error


def _expected_sha1(url: str) -> str:
    try:
        with urllib.request.urlopen(url + ".sha1", timeout=30) as response:
            return response.read().decode().split()[0].strip().lower()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise StackError(f"download failed: {url}.sha1: {error}") from error


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cached_path(artifact: MavenArtifact, cache_dir: Path) -> Path:
    """Where ``fetch`` keeps ``artifact`` (it may not be there yet)."""
    return cache_dir / "maven" / artifact.relative_path


def fetch(artifact: MavenArtifact, cache_dir: Path, repository: str, console: Console) -> Path:
    """Return the cached, verified file of ``artifact``, downloading it if needed."""
    target = cached_path(artifact, cache_dir)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    url = f"{repository.rstrip('/')}/{artifact.relative_path}"
    expected = _expected_sha1(url)
    partial = target.with_name(target.name + ".part")
    _download(url, partial, artifact.filename, console)
    actual = _sha1(partial)
    if actual != expected:
        partial.unlink()
        raise StackError(
            f"checksum mismatch for {artifact}: expected sha1 {expected}, got {actual}. "
            "The download was corrupted; run the command again."
        )
    partial.rename(target)
    console.print(f"  fetched {artifact.filename} ({target.stat().st_size / 2**20:.1f} MiB)")
    return target


def unpack(archive: Path, destination: Path) -> Path:
    """Unpack a .tar.gz or .zip into ``destination`` once (marker file makes it idempotent)."""
    marker = destination / ".unpacked"
    if marker.exists():
        return destination
    staging = destination.with_name(destination.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(staging)
    else:
        with tarfile.open(archive) as bundle:
            bundle.extractall(staging, filter="data")
    # Archives usually hold one top-level folder; flatten it so paths do not carry versions.
    entries = list(staging.iterdir())
    source = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
    shutil.rmtree(destination, ignore_errors=True)
    source.rename(destination)
    shutil.rmtree(staging, ignore_errors=True)
    marker.touch()
    return destination


def resolve_classpath(pom_name: str, cache_dir: Path, console: Console) -> Path:
    """Resolve the dependency tree of ``poms/<pom_name>.xml`` into a cached folder of jars."""
    pom_text = resources.files("ecommerce_assets.stack").joinpath(f"poms/{pom_name}.xml")
    content = pom_text.read_bytes()
    key = hashlib.sha1(content).hexdigest()[:12]
    lib = cache_dir / "classpaths" / f"{pom_name}-{key}"
    if (lib / ".complete").exists():
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise StackError(
            f"Maven (mvn) is needed once to resolve the {pom_name} classpath; "
            "install it (apt-get install maven) and run the command again."
        )
    shutil.rmtree(lib, ignore_errors=True)
    lib.mkdir(parents=True)
    pom = lib / "pom.xml"
    pom.write_bytes(content)
    console.print(f"  resolving the {pom_name} classpath with Maven")
    result = subprocess.run(
        [
            mvn,
            "-B",
            "-q",
            "-C",  # fail on a checksum mismatch instead of warning
            "-f",
            str(pom),
            # Maven's own download cache lives beside ours, so one folder holds it all.
            f"-Dmaven.repo.local={cache_dir / 'm2'}",
            "dependency:copy-dependencies",
            f"-DoutputDirectory={lib}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise StackError(
            f"download failed: Maven could not resolve the {pom_name} classpath:\n{tail}"
        )
    (lib / ".complete").touch()
    return lib
