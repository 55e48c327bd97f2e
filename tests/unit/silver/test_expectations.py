"""The silver Great Expectations suites: derived from what a table declares, they pass on
clean silver rows and fail on broken ones, saying which expectation and column."""

from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from ecommerce_assets.defs.silver.expectations import expectations
from ecommerce_assets.lib.expectations import validate
from streaming.silver import orders
from streaming.silver.days import DayRange
from streaming.silver.events import typed_events
from tests.unit.silver.bronze_rows import DAY, at, bronze, item, order, record


def test_the_orders_suite_passes_clean_rows_and_names_what_is_broken(
    local_spark: SparkSession,
) -> None:
    rows = [
        record(f"e-{n}", "order_placed", order(f"o-{n}", [item(1, 7, 1, 10.0)]), at(DAY, n))
        for n in range(1, 5)
    ]
    silver = orders.rows(typed_events(bronze(local_spark, rows), orders.EVENTS)).cache()
    suite = expectations(orders.TABLE, DayRange.inclusive(DAY, DAY))
    clean = validate(silver, "silver_orders", suite)
    assert clean.passed, [f.summary for f in clean.failed]
    assert clean.evaluated == len(suite)

    broken = silver.withColumn(
        "device", F.when(F.col("order_id") == "o-1", "tablet").otherwise(F.col("device"))
    ).withColumn("order_id", F.when(F.col("order_id") == "o-2", "o-3").otherwise(F.col("order_id")))
    failed = validate(broken, "silver_orders", suite)
    assert not failed.passed
    found = {(f.expectation, f.column, f.unexpected_count) for f in failed.failed}
    assert found == {
        ("expect_column_values_to_be_in_set", "device", 1),
        ("expect_column_values_to_be_unique", "order_id", 2),
    }
    assert any("'tablet'" in f.summary for f in failed.failed)
