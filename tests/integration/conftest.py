"""The real local stack for integration tests: Kafka, Iceberg REST catalog, Trino, Spark.

The stack runs in a fresh data folder on ports picked free at start, so it neither sees
nor disturbs a developer's stack, or another test session's. Artifacts come from the shared cache.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from rich.console import Console

from ecommerce_assets.resources.spark import spark_session
from ecommerce_assets.settings import LakehouseSettings, load_settings
from ecommerce_assets.stack import manager
from ecommerce_assets.stack.process import free_ports

PORT_SETTINGS = ("kafka_port", "kafka_controller_port", "catalog_port", "trino_port")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is an integration test, marked in its file or not: the
    unit tier (-m "not integration") must never start a stack."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.integration)


def integration_settings(data_dir: str) -> LakehouseSettings:
    ports = dict(zip(PORT_SETTINGS, free_ports(len(PORT_SETTINGS)), strict=True))
    return load_settings(data_dir=data_dir, **ports)


@pytest.fixture(scope="session")
def lakehouse_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LakehouseSettings]:
    settings = integration_settings(str(tmp_path_factory.mktemp("lakehouse")))
    console = Console(stderr=True)
    manager.up(settings, console)
    yield settings
    manager.down(settings, console)


@pytest.fixture(scope="session")
def spark(lakehouse_stack: LakehouseSettings) -> Iterator[SparkSession]:
    session = spark_session(lakehouse_stack)
    yield session
    session.stop()
