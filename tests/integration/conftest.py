"""The real local stack for integration tests: Kafka, Iceberg REST catalog, Trino, Spark.

The stack runs in a fresh data folder on its own ports, so it neither sees nor disturbs
a developer's stack on the default ports. Artifacts come from the shared cache.
"""

from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession
from rich.console import Console

from ecommerce_assets.resources.spark import spark_conf
from ecommerce_assets.settings import LakehouseSettings, load_settings
from ecommerce_assets.stack import manager
from ecommerce_assets.stack.spark_jars import ensure_spark_jars

TEST_PORTS = {
    "kafka_port": 19092,
    "kafka_controller_port": 19093,
    "catalog_port": 18181,
    "trino_port": 18080,
}


def integration_settings(data_dir: str) -> LakehouseSettings:
    return load_settings(data_dir=data_dir, **TEST_PORTS)


@pytest.fixture(scope="session")
def lakehouse_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LakehouseSettings]:
    settings = integration_settings(str(tmp_path_factory.mktemp("lakehouse")))
    console = Console(stderr=True)
    manager.up(settings, console)
    yield settings
    manager.down(settings, console)


@pytest.fixture(scope="session")
def spark(lakehouse_stack: LakehouseSettings) -> Iterator[SparkSession]:
    ensure_spark_jars(
        lakehouse_stack.cache_dir, lakehouse_stack.maven_repository, Console(stderr=True)
    )
    builder = SparkSession.builder
    for key, value in spark_conf(lakehouse_stack).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    yield session
    session.stop()
