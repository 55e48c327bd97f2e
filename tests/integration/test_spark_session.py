"""The Spark session scripts, the CLI and the tests get on the local profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from ecommerce_assets.settings import LakehouseSettings

pytestmark = pytest.mark.integration


def test_the_local_session_starts_from_the_class_archive(
    lakehouse_stack: LakehouseSettings, spark: SparkSession
) -> None:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    arguments = list(
        jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
    )
    archives = [a.split("=", 1)[1] for a in arguments if a.startswith("-XX:SharedArchiveFile=")]
    assert len(archives) == 1, arguments
    archive = Path(archives[0])
    assert archive.parent == lakehouse_stack.cache_dir / "spark-class-archive"
    assert archive.stat().st_size > 50 * 2**20
