"""The class archive local Spark JVMs start from (decision 0011)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rich.console import Console

from ecommerce_assets.resources.spark import spark_conf
from ecommerce_assets.settings import load_settings
from ecommerce_assets.stack import spark_class_archive
from ecommerce_assets.stack.spark_class_archive import (
    JAVA_OPTIONS,
    class_archive_path,
    with_class_archive,
)
from ecommerce_assets.stack.spark_class_training import throwaway_catalog
from ecommerce_assets.stack.spark_jars import ensure_spark_jars

QUIET = Console(quiet=True)

#: Starts a session from a configuration on stdin and counts to three. With -Xshare:on
#: a JVM that cannot map its archive refuses to start, so success proves it was used.
SESSION_FROM_STDIN = """
import json, sys
from pyspark.sql import SparkSession
builder = SparkSession.builder
for key, value in json.load(sys.stdin).items():
    builder = builder.config(key, value)
print(builder.getOrCreate().range(3).count())
"""


def _fake_java(home: Path, version: str) -> Path:
    (home / "bin").mkdir(parents=True, exist_ok=True)
    (home / "bin" / "java").write_text("#!/bin/sh\n")
    (home / "bin" / "java").chmod(0o755)
    (home / "release").write_text(f'JAVA_VERSION="{version}"\n')
    return home


def _local_conf() -> dict[str, str]:
    settings = load_settings()
    ensure_spark_jars(settings.cache_dir, settings.maven_repository, QUIET, settings.java_home)
    conf = spark_conf(settings)
    conf["spark.master"] = "local[1]"
    conf["spark.ui.enabled"] = "false"
    return conf


def test_the_archive_name_follows_the_runtime_and_the_jars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(_fake_java(tmp_path / "jdk", "17.0.15")))
    conf = {"spark.master": "local[2]", "spark.jars": "/jars/a.jar"}
    first = class_archive_path(tmp_path, conf)
    assert first is not None and first.parent == tmp_path / "spark-class-archive"
    assert class_archive_path(tmp_path, dict(conf)) == first
    assert class_archive_path(tmp_path, {**conf, "spark.jars": "/jars/a.jar,/jars/b.jar"}) != first
    _fake_java(tmp_path / "jdk", "17.0.16")
    assert class_archive_path(tmp_path, conf) != first


def test_the_archive_name_follows_pyspark_jars_as_the_jvm_checks_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The JVM refuses an archive when a class-path jar moved or changed: another clone's
    # virtual environment, a reinstall.
    conf = {"spark.master": "local[2]"}
    jars = tmp_path / "venv-a" / "jars"
    jars.mkdir(parents=True)
    (jars / "spark-core.jar").write_bytes(b"jar")
    monkeypatch.setattr(spark_class_archive, "PYSPARK_JARS", jars)
    first = class_archive_path(tmp_path, conf)
    assert class_archive_path(tmp_path, conf) == first
    os.utime(jars / "spark-core.jar", ns=(1_000_000_000, 1_000_000_000))
    touched = class_archive_path(tmp_path, conf)
    assert touched != first
    moved = tmp_path / "venv-b" / "jars"
    (jars.parent).rename(moved.parent)
    monkeypatch.setattr(spark_class_archive, "PYSPARK_JARS", moved)
    assert class_archive_path(tmp_path, conf) not in (first, touched)


def test_the_training_catalog_replaces_only_the_default_catalog(tmp_path: Path) -> None:
    conf = {
        "spark.sql.defaultCatalog": "lakehouse",
        "spark.sql.catalog.lakehouse": "org.apache.iceberg.spark.SparkCatalog",
        "spark.sql.catalog.lakehouse.type": "rest",
        "spark.sql.catalog.lakehouse.uri": "http://127.0.0.1:8181",
        "spark.sql.catalog.lakehouse_other.type": "rest",
        "spark.jars": "/jars/a.jar",
    }
    swapped = throwaway_catalog(conf, tmp_path / "warehouse")
    assert swapped["spark.sql.catalog.lakehouse.type"] == "hadoop"
    assert swapped["spark.sql.catalog.lakehouse.warehouse"] == (tmp_path / "warehouse").as_uri()
    assert "spark.sql.catalog.lakehouse.uri" not in swapped
    assert swapped["spark.sql.catalog.lakehouse_other.type"] == "rest"
    assert swapped["spark.jars"] == "/jars/a.jar"


def test_remote_masters_and_remembered_failures_start_without_an_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_train(*_args: object) -> None:
        raise AssertionError("no archive should be made")

    monkeypatch.setattr(spark_class_archive, "make_class_archive", must_not_train)
    remote = {"spark.master": "spark://cluster:7077", JAVA_OPTIONS: "-Xss4m"}
    assert with_class_archive(remote, tmp_path, QUIET) == remote
    local = {"spark.master": "local[2]", JAVA_OPTIONS: "-Xss4m"}
    archive = class_archive_path(tmp_path, local)
    assert archive is not None
    archive.parent.mkdir(parents=True)
    archive.with_suffix(".unavailable").write_text("the JVM wrote no archive at exit\n")
    assert with_class_archive(local, tmp_path, QUIET) == local


def test_sessions_starting_together_make_the_archive_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Path] = []

    def slow_training(_conf: object, archive: Path, _console: object) -> None:
        # Stand-in for the ~30 s training run: long enough for the others to arrive.
        time.sleep(0.5)
        made.append(archive)
        archive.write_bytes(b"an archive")

    monkeypatch.setattr(spark_class_archive, "make_class_archive", slow_training)
    conf = {"spark.master": "local[2]"}
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: with_class_archive(conf, tmp_path, QUIET), range(4)))
    assert len(made) == 1
    assert all(r[JAVA_OPTIONS] == f"-XX:SharedArchiveFile={made[0]}" for r in results)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # A runtime that cannot make archives (no base CDS archive, as with -Xshare:off).
        ({JAVA_OPTIONS: "-Xshare:off"}, "DynamicDumpSharedSpaces is unsupported"),
        # A training run whose JVM does not start for a reason of its own.
        ({"spark.driver.memory": "1k"}, "Too small maximum heap"),
    ],
)
def test_a_failed_training_run_is_reported_remembered_and_not_fatal(
    tmp_path: Path, change: dict[str, str], reason: str
) -> None:
    conf = {**_local_conf(), **change}
    console = Console(record=True, width=200)
    assert with_class_archive(conf, tmp_path, console) == conf
    archive = class_archive_path(tmp_path, conf)
    assert archive is not None and not archive.exists()
    details = archive.with_suffix(".unavailable").read_text()
    assert details.startswith("the training run failed (exit 1)")
    assert reason in details
    shown = "no Spark class archive; sessions start without it (the training run failed"
    assert shown in console.export_text()
    assert not list(archive.parent.glob("*.partial"))


def test_a_made_archive_is_used_by_the_next_session(tmp_path: Path) -> None:
    conf = _local_conf()
    # Left by older JDKs or jar sets: one unused for weeks, one used yesterday.
    folder = tmp_path / "spark-class-archive"
    folder.mkdir()
    stale, recent = folder / "spark-0000000000000000.jsa", folder / "spark-1111111111111111.jsa"
    for old, age_days in ((stale, 30), (recent, 1)):
        old.write_bytes(b"an archive")
        then = time.time() - age_days * 86_400
        os.utime(old, (then, then))
    console = Console(record=True, width=200)
    with_archive = with_class_archive(conf, tmp_path, console)
    archive = class_archive_path(tmp_path, conf)
    assert archive is not None and archive.stat().st_size > 50 * 2**20
    assert with_archive[JAVA_OPTIONS].endswith(f"-XX:SharedArchiveFile={archive}")
    assert f"made {archive.name}" in console.export_text()
    assert not stale.exists() and recent.exists()
    # Made once: the second call finds it, and marks it used.
    os.utime(archive, (1_000_000_000, 1_000_000_000))
    again = Console(record=True, width=200)
    assert with_class_archive(conf, tmp_path, again) == with_archive
    assert again.export_text() == ""
    assert archive.stat().st_mtime > time.time() - 60

    def start(session_conf: dict[str, str]) -> subprocess.CompletedProcess[str]:
        strict = {**session_conf, JAVA_OPTIONS: session_conf[JAVA_OPTIONS] + " -Xshare:on"}
        return subprocess.run(
            [sys.executable, "-c", SESSION_FROM_STDIN],
            input=json.dumps(strict),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    used = start(with_archive)
    assert used.returncode == 0, used.stderr[-2000:]
    assert used.stdout.strip().splitlines()[-1] == "3"
    # The check has teeth: another class path cannot map the archive, and -Xshare:on
    # then stops the JVM.
    other = start({**with_archive, "spark.driver.extraClassPath": str(tmp_path)})
    assert other.returncode != 0
    assert "Unable to use shared archive" in other.stdout + other.stderr
    archive.unlink()  # ~180 MB that pytest would keep for three runs
