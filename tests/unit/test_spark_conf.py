"""The Spark session's configuration per profile."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from dagster import build_init_resource_context
from rich.console import Console

from ecommerce_assets.resources import spark as spark_resources
from ecommerce_assets.resources.spark import (
    LOCAL_JVM_OPTIONS,
    LakehouseSparkResource,
    prepare_session,
    spark_conf,
)
from ecommerce_assets.settings import load_settings
from ecommerce_assets.stack.errors import StackError


def test_a_local_session_gets_the_jit_options_and_a_result_cap() -> None:
    conf = spark_conf(load_settings(spark_master="local[2]"))
    assert conf["spark.driver.extraJavaOptions"] == LOCAL_JVM_OPTIONS
    assert "-XX:Tier4InvocationThreshold=100000" in LOCAL_JVM_OPTIONS.split()
    assert conf["spark.driver.maxResultSize"] == "256m"


def test_a_cluster_session_keeps_the_jvm_defaults() -> None:
    conf = spark_conf(load_settings(spark_master="spark://spark-master:7077"))
    assert "spark.driver.extraJavaOptions" not in conf


def test_the_installed_java_accepts_the_jit_options() -> None:
    # Spark starts its JVM with -XX:+IgnoreUnrecognizedVMOptions, so a misspelt option
    # would be dropped there without a word; plain java refuses it.
    java = shutil.which("java")
    assert java is not None, "the project's setup installs a JDK (scripts/setup.sh)"
    result = subprocess.run(
        [java, *shlex.split(LOCAL_JVM_OPTIONS), "-version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("enabled", [True, False])
def test_the_dagster_resource_starts_its_session_from_the_class_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    settings = load_settings(
        cache_dir=tmp_path, data_dir=tmp_path / "data", spark_class_archive=enabled
    )
    monkeypatch.delenv("SPARK_LOCAL_DIRS", raising=False)
    archive = tmp_path / "made.jsa"
    started: list[dict[str, Any]] = []

    def with_archive(conf: dict[str, str], cache_dir: Path, _console: object) -> dict[str, str]:
        assert cache_dir == str(tmp_path)
        options = f"{conf['spark.driver.extraJavaOptions']} -XX:SharedArchiveFile={archive}"
        return {**conf, "spark.driver.extraJavaOptions": options}

    # Stand-ins for the steps with their own tests (jars, archive) and for the JVM start:
    # this test is about what the resource hands to the session builder.
    monkeypatch.setattr(spark_resources, "ensure_spark_jars", lambda *_args: [])
    monkeypatch.setattr(spark_resources, "with_class_archive", with_archive)
    session = object()

    def start(conf: dict[str, Any]) -> object:
        started.append(conf)
        return session

    monkeypatch.setattr(spark_resources, "spark_session_from_config", start)
    resource = LakehouseSparkResource.from_settings(settings)
    resource.setup_for_execution(build_init_resource_context())
    assert started == []  # lazy: a run that needs no Spark starts no JVM
    assert resource.spark_session is session
    assert resource.spark_session is session  # started once
    [conf] = started
    options = conf["spark.driver.extraJavaOptions"]
    assert options.startswith(LOCAL_JVM_OPTIONS)
    assert options.endswith(f"-XX:SharedArchiveFile={archive}") is enabled
    # The session's scratch space is this process's folder under the data folder.
    scratch = Path(os.environ["SPARK_LOCAL_DIRS"])
    assert scratch.parent == settings.spark_scratch_dir
    assert scratch.name.startswith(f"{os.getpid()}-")


def test_the_java_home_setting_is_the_jdk_spark_runs_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAVA_HOME", "/where/pyspark/would/look")
    monkeypatch.setattr(spark_resources, "ensure_spark_jars", lambda *_args: [])
    jdk = tmp_path / "jdk-21"
    (jdk / "bin").mkdir(parents=True)
    (jdk / "bin" / "java").write_text("")
    (jdk / "release").write_text('JAVA_VERSION="21.0.4"\n')

    def prepare(java_home: Path) -> dict[str, str]:
        return prepare_session(
            {"spark.master": "local[1]"},
            cache_dir=tmp_path,
            maven_repository="https://repo.maven.apache.org/maven2",
            java_home=java_home,
            class_archive=False,
            console=Console(quiet=True),
        )

    assert prepare(jdk) == {"spark.master": "local[1]"}
    assert os.environ["JAVA_HOME"] == str(jdk.resolve())
    with pytest.raises(StackError, match=r"LAKEHOUSE_JAVA_HOME=.*is not a JDK"):
        prepare(tmp_path / "nothing-here")
