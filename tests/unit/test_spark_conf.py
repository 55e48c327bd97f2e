"""The Spark session's configuration per profile."""

from __future__ import annotations

import shlex
import shutil
import subprocess

from ecommerce_assets.resources.spark import LOCAL_JVM_OPTIONS, spark_conf
from ecommerce_assets.settings import load_settings


def test_a_local_session_gets_the_jit_options_and_a_result_cap() -> None:
    conf = spark_conf(load_settings(spark_master="local[2]"))
    assert conf["spark.driver.extraJavaOptions"] == LOCAL_JVM_OPTIONS
    assert "-XX:Tier4InvocationThreshold=100000" in LOCAL_JVM_OPTIONS.split()
    assert conf["spark.driver.maxResultSize"] == "256m"


def test_a_cluster_session_keeps_the_jvm_defaults() -> None:
    conf = spark_conf(load_settings(spark_master="spark://spark-master:7077"))
    assert "spark.driver.extraJavaOptions" not in conf


def test_the_installed_java_accepts_the_jit_options() -> None:
    # An unknown or misspelt -XX option stops the JVM from starting at all.
    java = shutil.which("java")
    assert java is not None, "the project's setup installs a JDK (scripts/setup.sh)"
    result = subprocess.run(
        [java, *shlex.split(LOCAL_JVM_OPTIONS), "-version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
