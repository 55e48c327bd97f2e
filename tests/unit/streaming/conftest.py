from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession


@pytest.fixture(scope="module")
def local_spark() -> Iterator[SparkSession]:
    """A bare local session: the parse logic needs no catalog, Kafka or jars."""
    session = (
        SparkSession.builder.master("local[1]")
        .appName("bronze-unit")
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
