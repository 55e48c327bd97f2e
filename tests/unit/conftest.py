import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from rich.console import Console

from ecommerce_assets.settings import load_settings
from ecommerce_assets.stack.spark_functions import build_functions_jar


@pytest.fixture(autouse=True)
def clean_settings_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unit tests see only the settings they set: no LAKEHOUSE_* from the shell, no .env."""
    for name in list(os.environ):
        if name.startswith("LAKEHOUSE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def local_spark() -> Iterator[SparkSession]:
    """One bare local session for every unit test that needs Spark: no catalog or Kafka,
    only the project's own Spark functions (compiled into the cache once).

    One for the whole run because a Spark JVM outlives its sessions: a later session in
    the same process cannot add jars to the driver, so the first session must be this one.
    The session time zone is not UTC, so tests pass only if event days are UTC days.
    """
    settings = load_settings()
    functions = build_functions_jar(settings.cache_dir, Console(stderr=True), settings.java_home)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("unit")
        .config("spark.jars", str(functions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "America/Los_Angeles")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()
