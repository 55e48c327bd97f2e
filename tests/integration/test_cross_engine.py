"""pyiceberg, Spark and Trino on one Iceberg table through the one REST catalog."""

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform
from pyiceberg.types import LongType, NestedField, StringType, TimestamptzType
from pyspark.sql import SparkSession

from ecommerce_assets.resources import IcebergCatalogResource, TrinoResource
from ecommerce_assets.settings import LakehouseSettings

pytestmark = pytest.mark.integration

NAMESPACE = "it_cross_engine"
TABLE = f"{NAMESPACE}.orders"
START = datetime(2026, 3, 1, tzinfo=UTC)


def test_three_engines_see_each_others_commits(
    lakehouse_stack: LakehouseSettings, spark: SparkSession
) -> None:
    catalog = IcebergCatalogResource.from_settings(lakehouse_stack).load()
    trino = TrinoResource.from_settings(lakehouse_stack)

    # pyiceberg: namespace, a table partitioned by day, 300 rows over 3 days.
    catalog.create_namespace_if_not_exists(NAMESPACE)
    schema = Schema(
        NestedField(1, "order_id", LongType(), required=True),
        NestedField(2, "writer", StringType(), required=True),
        NestedField(3, "ordered_at", TimestamptzType(), required=True),
    )
    spec = PartitionSpec(PartitionField(3, 1000, DayTransform(), "ordered_day"))
    table = catalog.create_table(TABLE, schema=schema, partition_spec=spec)
    rows = pa.table(
        {
            "order_id": pa.array(range(300), pa.int64()),
            "writer": ["pyiceberg"] * 300,
            "ordered_at": pa.array(
                [START + timedelta(minutes=14.4 * i) for i in range(300)], pa.timestamp("us", "UTC")
            ),
        },
        schema=pa.schema(
            [
                pa.field("order_id", pa.int64(), nullable=False),
                pa.field("writer", pa.string(), nullable=False),
                pa.field("ordered_at", pa.timestamp("us", "UTC"), nullable=False),
            ]
        ),
    )
    table.append(rows)

    # Spark reads pyiceberg's rows, then appends 200 more on a fourth day.
    assert spark.table(TABLE).count() == 300
    spark.sql(
        f"INSERT INTO {TABLE} SELECT id + 300, 'spark', "
        f"TIMESTAMP '2026-03-04 12:00:00+00:00' FROM range(200)"
    )

    # Trino sees exactly both writers' rows, by writer and by day.
    assert trino.query(f"SELECT count(*) FROM {TABLE}") == [(500,)]
    assert trino.query(f"SELECT writer, count(*) FROM {TABLE} GROUP BY writer ORDER BY 1") == [
        ("pyiceberg", 300),
        ("spark", 200),
    ]
    by_day = trino.query(
        f"SELECT CAST(date(ordered_at AT TIME ZONE 'UTC') AS varchar), count(*) "
        f"FROM {TABLE} GROUP BY 1 ORDER BY 1"
    )
    assert by_day == [
        ("2026-03-01", 100),
        ("2026-03-02", 100),
        ("2026-03-03", 100),
        ("2026-03-04", 200),
    ]

    # Trino writes; pyiceberg and Spark see its rows.
    trino.query(
        f"INSERT INTO {TABLE} VALUES (1000, 'trino', TIMESTAMP '2026-03-05 08:00:00 UTC'), "
        f"(1001, 'trino', TIMESTAMP '2026-03-05 09:00:00 UTC')"
    )
    table.refresh()
    from_pyiceberg = table.scan(row_filter="writer == 'trino'").to_arrow()
    assert sorted(from_pyiceberg["order_id"].to_pylist()) == [1000, 1001]
    assert len(table.scan().to_arrow()) == 502
    spark.sql(f"REFRESH TABLE {TABLE}")
    assert spark.table(TABLE).where("writer = 'trino'").count() == 2

    # Every engine agrees on the partitions: five days.
    partitions = trino.query(f'SELECT count(*) FROM "{NAMESPACE}"."orders$partitions"')
    assert partitions == [(5,)]
