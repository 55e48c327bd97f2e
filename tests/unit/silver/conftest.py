from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession
from rich.console import Console

from ecommerce_assets.settings import load_settings
from ecommerce_assets.stack.spark_functions import build_functions_jar


@pytest.fixture(scope="session")
def silver_spark() -> Iterator[SparkSession]:
    """A bare local session for silver's transformations: no catalog, no Kafka.

    The session time zone is NOT UTC, so a test passes only if days are UTC days
    whatever the session's zone, as Iceberg's ``days()`` partitions are.

    It carries the project's Spark functions like every session the project makes (and
    like ``local_spark`` in tests/unit/streaming): ``getOrCreate`` there hands out this
    session while it is alive, so it must have what those tests need. That fixture stops
    the session after its module; a run that interleaves silver and streaming modules
    would leave this one stopped.
    """
    settings = load_settings()
    functions = build_functions_jar(settings.cache_dir, Console(stderr=True), settings.java_home)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("silver-unit")
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
