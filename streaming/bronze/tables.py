"""Create the bronze and dead-letter tables a configuration names."""

from __future__ import annotations

from collections.abc import Iterable

from pyspark.sql import SparkSession

from streaming.bronze.config import BronzeConfig
from streaming.bronze.schemas import (
    create_bronze_table,
    create_dead_letter_table,
    create_namespace,
    namespace_of,
)


def ensure_bronze_tables(
    spark: SparkSession, config: BronzeConfig, topics: Iterable[str] | None = None
) -> None:
    """Create namespaces and tables that are missing; existing ones are left alone."""
    names = list(config.streams) if topics is None else list(topics)
    tables = sorted({config.table_for(topic) for topic in names})
    for namespace in sorted({namespace_of(t) for t in [*tables, config.dead_letter_table]}):
        create_namespace(spark, namespace)
    for table in tables:
        create_bronze_table(spark, table)
    create_dead_letter_table(spark, config.dead_letter_table)
