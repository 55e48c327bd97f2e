"""A silver table: its columns (with descriptions), key, and how a run writes it.

Every silver table is partitioned by ``event_date`` (identity, so a day is whole files)
and a run *replaces* its days: one atomic Iceberg ``overwrite`` deletes the rows of
those days and adds the new ones, even when there are none (a day whose every event was
quarantined ends empty, with no stale rows). Rerunning a day gives the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from streaming.contracts.naming import table_identifier
from streaming.silver.columns import Column
from streaming.silver.days import DayRange

PARTITION_COLUMN = "event_date"

#: Written from a shuffle clustered by day: one file per day per task, zstd-compressed.
TABLE_PROPERTIES = {
    "format-version": "2",
    "write.distribution-mode": "hash",
    "write.parquet.compression-codec": "zstd",
    "write.parquet.compression-level": "3",
    # Silver runs of different days may commit to one table at once (a backfill beside
    # a late-data refresh); each replaces disjoint days, so a retry always succeeds.
    "commit.retry.num-retries": "10",
}


class SilverLayoutError(ValueError):
    """An existing silver table's columns differ from the ones this version writes."""


@dataclass(frozen=True)
class SilverTable:
    name: str
    description: str
    columns: tuple[Column, ...]
    #: Columns that identify a row (unique within the table).
    key: tuple[str, ...]

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"silver.{self.name} declares a column twice: {names}")
        if PARTITION_COLUMN not in names:
            raise ValueError(f"silver.{self.name} needs a {PARTITION_COLUMN} column")
        missing = [k for k in self.key if k not in names]
        if missing:
            raise ValueError(f"silver.{self.name}'s key {missing} is not among its columns")

    @property
    def identifier(self) -> str:
        return table_identifier("silver", self.name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def select(self, rows: DataFrame) -> DataFrame:
        """``rows`` as exactly this table's columns, in order and with its types."""
        return rows.select(*[F.col(c.name).cast(c.type).alias(c.name) for c in self.columns])


def create_table(spark: SparkSession, table: SilverTable) -> None:
    """Create the table if missing (with column and table comments); check its columns."""
    spark.sql("CREATE NAMESPACE IF NOT EXISTS silver")
    columns = ", ".join(c.ddl() for c in table.columns)
    props = ", ".join(f"'{k}'='{v}'" for k, v in TABLE_PROPERTIES.items())
    comment = table.description.replace("'", "\\'")
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {table.identifier} ({columns}) USING iceberg "
        f"PARTITIONED BY ({PARTITION_COLUMN}) COMMENT '{comment}' TBLPROPERTIES ({props})"
    )
    found = spark.table(table.identifier).columns
    if found != table.column_names:
        raise SilverLayoutError(
            f"{table.identifier} has the columns {found}, but this version writes "
            f"{table.column_names}. Drop the table (`lakehouse sql "
            f'"DROP TABLE iceberg.{table.identifier}"`) and rebuild its days: silver is '
            "rebuilt from bronze."
        )


def replace_days(
    rows: DataFrame, table: SilverTable, days: DayRange, properties: Mapping[str, str]
) -> int:
    """Replace ``days`` of ``table`` with ``rows`` in one snapshot; returns rows written.

    Rows outside ``days`` are refused: they would survive the next rebuild of their day.
    """
    outside = ~days.contains(F.col(PARTITION_COLUMN))
    checked = table.select(rows).withColumn(
        PARTITION_COLUMN,
        F.when(
            outside, F.raise_error(F.lit(f"row outside {days} written to {table.name}"))
        ).otherwise(F.col(PARTITION_COLUMN)),
    )
    observation = Observation()
    writer = checked.observe(observation, F.count(F.lit(1)).alias("rows")).writeTo(table.identifier)
    for key, value in properties.items():
        writer = writer.option(f"snapshot-property.{key}", value)
    writer.overwrite(days.contains(F.col(PARTITION_COLUMN)))
    return int(observation.get["rows"])
