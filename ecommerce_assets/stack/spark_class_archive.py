"""A class-data-sharing archive for the local Spark JVM, made once per JDK and jar set.

Each Dagster run is a new process and so a new Spark JVM, which loads, parses, verifies
and links some 27,000 classes (Spark, Scala, Hadoop, Iceberg, Parquet) before and while
it does any work: seconds of CPU on every run, on a machine of two cores. The JDK's
application class-data sharing (AppCDS) keeps those classes, already parsed and
verified, in a file that later JVMs map: a JVM started with
``-XX:ArchiveClassesAtExit`` writes the classes it loaded when it exits, and JVMs
started with ``-XX:SharedArchiveFile`` use them.

We make the archive in a child process that runs a small bronze workload (landing files
into Iceberg tables of a throwaway Hadoop catalog, a streaming query) with the same
jars and JVM options as the real sessions, so no stack is needed. Its name carries a
digest of the Java runtime and the jars (PySpark's, where they are, and the session's
own): the JVM only maps an archive made by the same runtime with the same class path,
so a new jar, JDK or virtual environment makes a new archive. A runtime that cannot
make one (e.g. a JDK without its base CDS archive) is remembered, and sessions start
without it. See docs/decisions/0011.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console

from ecommerce_assets.stack.spark_functions import PYSPARK_JARS

ARCHIVE_DIR = "spark-class-archive"
JAVA_OPTIONS = "spark.driver.extraJavaOptions"
#: Training starts a JVM, runs a few small jobs and writes ~200 MB: about half a minute.
TRAINING_TIMEOUT_S = 600.0
#: Archives not used for this long are deleted when a new one is made.
UNUSED_DAYS = 14


def spark_java() -> Path | None:
    """The ``java`` PySpark's launcher starts: ``$JAVA_HOME/bin/java``, else the PATH's.

    Read from the environment because that is where the launcher (``spark-class``)
    reads it; the archive must be made by and for that runtime.
    """
    java_home = os.environ.get("JAVA_HOME")
    found = Path(java_home) / "bin" / "java" if java_home else None
    if found is None or not found.exists():
        which = shutil.which("java")
        found = Path(which) if which else None
    return found.resolve() if found else None


def _runtime_identity(java: Path) -> bytes:
    """The runtime's path and build: its ``release`` file, or the binary's size and time."""
    release = java.parent.parent / "release"
    if release.exists():
        return bytes(java) + release.read_bytes()
    stat = java.stat()
    return f"{java}:{stat.st_size}:{stat.st_mtime_ns}".encode()


def class_archive_path(cache_dir: str | Path, conf: Mapping[str, str]) -> Path | None:
    """Where the archive for this runtime and ``conf``'s class path lives (made or not)."""
    java = spark_java()
    if java is None:
        return None
    digest = hashlib.sha256(_runtime_identity(java))
    for part in (
        conf.get("spark.jars", ""),
        conf.get("spark.driver.extraClassPath", ""),
        *_class_path_jars(),
    ):
        digest.update(b"\0" + part.encode())
    return Path(cache_dir) / ARCHIVE_DIR / f"spark-{digest.hexdigest()[:16]}.jsa"


def _class_path_jars() -> list[str]:
    """PySpark's jars as the JVM checks them: the JVM refuses an archive if a jar on its
    class path moved or changed (path, size, modification time), as in another clone's
    environment or after a reinstall."""
    described = []
    for jar in sorted(PYSPARK_JARS.glob("*.jar")):
        stat = jar.stat()
        described.append(f"{jar}:{stat.st_size}:{stat.st_mtime_ns}")
    return described


def _unavailable_marker(archive: Path) -> Path:
    return archive.with_suffix(".unavailable")


def with_class_archive(
    conf: Mapping[str, str], cache_dir: str | Path, console: Console
) -> dict[str, str]:
    """``conf`` with the class archive in the driver's JVM options, made first if missing.

    Only for local masters (the driver JVM runs the tasks, and the archive is of this
    machine's runtime); ``conf`` unchanged where no archive can be made.
    """
    updated = dict(conf)
    if not conf.get("spark.master", "").startswith("local"):
        return updated
    archive = class_archive_path(cache_dir, conf)
    if archive is None or _unavailable_marker(archive).exists():
        return updated
    if not archive.exists():
        archive.parent.mkdir(parents=True, exist_ok=True)
        # Runs started together on a new machine: one makes it, the others wait for it.
        with open(archive.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not archive.exists() and not _unavailable_marker(archive).exists():
                make_class_archive(conf, archive, console)
    if archive.exists():
        # Its time says when it was last used (see _prune); a cache shared with other
        # users may not let us say so, which must not stop the session.
        with contextlib.suppress(OSError):
            os.utime(archive)
        options = f"{conf.get(JAVA_OPTIONS, '')} -XX:SharedArchiveFile={archive}"
        updated[JAVA_OPTIONS] = options.strip()
    return updated


def _prune(folder: Path, keep: Path) -> None:
    """Delete archives (and failure notes, locks) unused for UNUSED_DAYS: each archive is
    ~180 MB, and every JDK update, jar change or new clone makes another."""
    cutoff = time.time() - UNUSED_DAYS * 86_400
    for old in folder.glob("spark-*.*"):
        if old.stem != keep.stem and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def make_class_archive(conf: Mapping[str, str], archive: Path, console: Console) -> None:
    """Run the training workload in a child process whose JVM writes ``archive`` at exit.

    A failure is reported and remembered (a ``.unavailable`` file beside the archive,
    holding the reason), never raised: the archive only makes sessions start faster.
    """
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(f"{archive.stem}.{os.getpid()}.partial")
    training = dict(conf)
    training[JAVA_OPTIONS] = (
        f"{conf.get(JAVA_OPTIONS, '')} -XX:ArchiveClassesAtExit={partial}"
    ).strip()
    console.print("  making the Spark class archive (once per JDK and jar set, ~30 s) ...")
    started = time.perf_counter()
    reason = _train(training, partial)
    if reason:
        partial.unlink(missing_ok=True)
        marker = _unavailable_marker(archive)
        marker.write_text(reason + "\n")
        console.print(
            "  [yellow]no Spark class archive; sessions start without it[/yellow] "
            f"({reason.splitlines()[0]}; details in {marker})"
        )
        return
    partial.replace(archive)
    _prune(archive.parent, keep=archive)
    size_mb = archive.stat().st_size / 2**20
    console.print(
        f"  made {archive.name} ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s"
    )


def _train(conf: Mapping[str, str], partial: Path) -> str:
    """Run the training child; the reason it made no archive, or "" if it made one."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ecommerce_assets.stack.spark_class_training"],
            input=json.dumps(dict(conf)),
            capture_output=True,
            text=True,
            timeout=TRAINING_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"the training run took longer than {TRAINING_TIMEOUT_S:.0f} s"
    # The JVM reports a failed start on stdout, Python's traceback is on stderr.
    output = f"{_last_lines(done.stdout)}\n{_last_lines(done.stderr)}"
    if done.returncode != 0:
        return f"the training run failed (exit {done.returncode})\n{output}"
    if not partial.exists():
        return f"the JVM wrote no archive at exit\n{output}"
    return ""


def _last_lines(text: str, count: int = 30) -> str:
    return "\n".join(text.strip().splitlines()[-count:])
