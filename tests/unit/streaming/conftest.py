from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession
from rich.console import Console

from ecommerce_assets.settings import load_settings
from ecommerce_assets.stack.spark_functions import build_functions_jar


@pytest.fixture(scope="module")
def local_spark() -> Iterator[SparkSession]:
    """A bare local session: the parse logic needs no catalog or Kafka, only the
    project's own Spark functions (compiled into the cache once)."""
    settings = load_settings()
    functions = build_functions_jar(settings.cache_dir, Console(stderr=True), settings.java_home)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("bronze-unit")
        .config("spark.jars", str(functions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        # A non-UTC session: event days must still be UTC days.
        .config("spark.sql.session.timeZone", "America/Los_Angeles")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()
