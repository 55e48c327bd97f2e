"""``platform/round_trip``: one Iceberg table written by pyiceberg and Spark, read by Trino.

It proves, on every run, what the whole lakehouse rests on: the three engines share one
catalog and see each other's commits. The table is recreated on each materialization, so
reruns are idempotent.
"""

import contextlib
from datetime import UTC, datetime, timedelta

import pyarrow as pa
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
    define_asset_job,
)
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestamptzType

from ecommerce_assets.lib.naming import asset_key
from ecommerce_assets.resources import IcebergCatalogResource, LakehouseSparkResource, TrinoResource
from streaming.contracts.naming import PLATFORM, table_identifier

IDENTIFIER = table_identifier(PLATFORM, "round_trip")
PYICEBERG_ROWS = 1_000
SPARK_ROWS = 500
DAYS = 5
START = datetime(2026, 1, 1, tzinfo=UTC)

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "writer", StringType(), required=True),
    NestedField(3, "event_time", TimestamptzType(), required=True),
    NestedField(4, "amount", DoubleType(), required=True),
)
PARTITION_SPEC = PartitionSpec(
    PartitionField(source_id=3, field_id=1000, transform=DayTransform(), name="event_day")
)


def recreate_table(catalog: Catalog) -> None:
    catalog.create_namespace_if_not_exists(PLATFORM)
    with contextlib.suppress(NoSuchTableError):
        catalog.purge_table(IDENTIFIER)
    catalog.create_table(IDENTIFIER, schema=SCHEMA, partition_spec=PARTITION_SPEC)


def pyiceberg_rows(count: int) -> pa.Table:
    return pa.Table.from_pydict(
        {
            "id": list(range(count)),
            "writer": ["pyiceberg"] * count,
            "event_time": [START + timedelta(hours=i * 24 * DAYS / count) for i in range(count)],
            "amount": [round(i * 0.5, 2) for i in range(count)],
        },
        schema=SCHEMA.as_arrow(),
    )


@asset(
    key=asset_key(IDENTIFIER),
    group_name="platform",
    kinds={"iceberg", "spark", "python"},
    description="Iceberg table written by pyiceberg, then Spark, through the one REST catalog.",
)
def platform_round_trip(
    context: AssetExecutionContext,
    iceberg: IcebergCatalogResource,
    spark: LakehouseSparkResource,
) -> MaterializeResult:
    catalog = iceberg.load()
    recreate_table(catalog)
    catalog.load_table(IDENTIFIER).append(pyiceberg_rows(PYICEBERG_ROWS))
    context.log.info(f"pyiceberg appended {PYICEBERG_ROWS} rows to {IDENTIFIER}")

    session = spark.spark_session
    seen_by_spark = session.table(IDENTIFIER).count()
    if seen_by_spark != PYICEBERG_ROWS:
        raise RuntimeError(f"Spark sees {seen_by_spark} rows, pyiceberg wrote {PYICEBERG_ROWS}")
    session.sql(
        f"""
        INSERT INTO {IDENTIFIER}
        SELECT id + {PYICEBERG_ROWS}, 'spark',
               TIMESTAMP '{START:%Y-%m-%d %H:%M:%S}+00:00'
                 + make_interval(0, 0, 0, 0, id % {24 * DAYS}),
               CAST(id AS DOUBLE)
        FROM range({SPARK_ROWS})
        """
    )
    table = catalog.load_table(IDENTIFIER)
    total = len(table.scan().to_arrow())
    return MaterializeResult(
        metadata={
            "row_count": MetadataValue.int(total),
            "rows_by_writer": MetadataValue.json(
                {"pyiceberg": PYICEBERG_ROWS, "spark": SPARK_ROWS}
            ),
            "table_location": MetadataValue.path(table.location()),
            "snapshot_id": MetadataValue.int(table.current_snapshot().snapshot_id),
        }
    )


@asset_check(asset=platform_round_trip, description="Trino sees exactly both writers' rows.")
def trino_sees_both_writers(trino: TrinoResource) -> AssetCheckResult:
    rows = trino.query(f"SELECT writer, count(*) FROM {IDENTIFIER} GROUP BY writer ORDER BY 1")
    counts = {writer: count for writer, count in rows}
    expected = {"pyiceberg": PYICEBERG_ROWS, "spark": SPARK_ROWS}
    return AssetCheckResult(
        passed=counts == expected,
        severity=AssetCheckSeverity.ERROR,
        metadata={"trino_counts": MetadataValue.json(counts), "expected": expected},
    )


platform_round_trip_job = define_asset_job(
    "platform_round_trip_job",
    selection=[platform_round_trip],
    description="Prove pyiceberg, Spark and Trino share one Iceberg catalog.",
)
