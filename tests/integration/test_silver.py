"""Silver on the real stack: generated data with injected trouble through Kafka, bronze
and the silver Dagster asset; every number recounted from the tables.

The data's days (from 2025-06-01) are used by no other test, so each day's bronze rows
are this test's only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dagster import AssetCheckEvaluation, ExecuteInProcessResult
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from ecommerce_assets.defs.silver.job import silver_job
from ecommerce_assets.defs.silver.layer import RECONCILES, silver_layer
from ecommerce_assets.settings import LakehouseSettings
from streaming.silver.layer import TABLES
from tests.integration.shop_pipeline import ShopPipeline, checksum, order_envelope

START = dt.date(2025, 6, 1)
DAYS = [START + dt.timedelta(days=i) for i in range(3)]
#: A day of its own for the all-quarantined rebuild.
LONELY_DAY = dt.date(2025, 7, 15)


class Pipeline(ShopPipeline):
    def __init__(self, settings: LakehouseSettings, tmp: Path, spark: SparkSession) -> None:
        super().__init__("silver", settings, tmp, spark, [silver_layer], [silver_job])

    def generate(self) -> dict[str, Any]:  # type: ignore[override]
        return super().generate(
            seed=23,
            customers=300,
            products=60,
            days=len(DAYS),
            events_per_day=1_500,
            start_date=START,
            trouble={
                "duplicate_share": 0.03,
                "malformed_share": 0.01,
                "late_share": 0.03,
                "out_of_order_share": 0.02,
                "schema_drift_from_day": 1,
            },
        )

    def build(self, first: dt.date, last: dt.date | None = None) -> ExecuteInProcessResult:
        """Run the code location's silver job for ``first``..``last`` (one run)."""
        return self.run(silver_job.name, first, last)

    def count(self, table: str, day: dt.date) -> int:
        return self.spark.table(table).where(F.col("event_date") == F.lit(day)).count()

    def checksum(self, table: str, day: dt.date) -> tuple[int, Decimal]:
        return checksum(self.spark.table(table).where(F.col("event_date") == F.lit(day)))


@pytest.fixture(scope="module")
def pipeline(
    lakehouse_stack: LakehouseSettings,
    spark: SparkSession,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Pipeline, dict[str, Any], ExecuteInProcessResult]]:
    p = Pipeline(lakehouse_stack, tmp_path_factory.mktemp("silver"), spark)
    manifest = p.generate()
    p.ingest()
    result = p.build(DAYS[0], DAYS[-1])
    yield p, manifest, result
    p.instance.dispose()


def _evaluations(result: ExecuteInProcessResult) -> dict[tuple[str, str], AssetCheckEvaluation]:
    return {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }


def test_a_three_day_range_is_one_run_and_every_check_passes(pipeline) -> None:
    _, _, result = pipeline
    assert result.success
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert materialized == {t.identifier.replace(".", "/") for t in TABLES}
    checks = _evaluations(result)
    failed = {k: e.description for k, e in checks.items() if not e.passed}
    assert failed == {}
    orders = checks[("silver/orders", RECONCILES)].metadata
    assert orders["days"].value == 3 and orders["days_failing"].value == 0
    clicks = checks[("silver/clickstream_events", RECONCILES)].metadata
    assert clicks["duplicates_removed"].value > 0
    assert clicks["silver_rows"].value + clicks["duplicates_removed"].value == (
        clicks["bronze_rows"].value
    )
    assert ("bronze/orders", "envelope_expectations") in checks


def test_nothing_vanishes_and_money_matches_the_manifest(pipeline) -> None:
    p, manifest, _ = pipeline
    spark = p.spark
    for day in DAYS:
        key = day.isoformat()
        records = manifest["days"][key]["records"]
        business = manifest["days"][key]["business"]
        # Bronze holds every valid record plus its duplicates; silver keeps each once.
        assert p.count("silver.clickstream_events", day) == records["clickstream"]["valid"]
        assert p.count("silver.payments", day) == records["payments"]["valid"]
        assert p.count("silver.customers", day) == records["customers"]["valid"]
        assert p.count("silver.products", day) == records["products"]["valid"]
        assert p.count("silver.inventory", day) == records["inventory"]["valid"]
        assert p.count("silver.campaigns", day) == records["campaigns"]["valid"]
        assert (
            p.count("silver.orders", day) + p.count("silver.order_events", day)
            == (records["orders"]["valid"])
        )
        assert p.count("silver.quarantine", day) == 0

        orders = spark.table("silver.orders").where(F.col("event_date") == F.lit(day))
        totals = orders.agg(
            F.count(F.lit(1)),
            F.sum("total"),
            F.sum("subtotal"),
            F.sum("discount"),
            F.sum("shipping"),
            F.sum("unit_count"),
        ).first()
        assert totals is not None
        assert totals[0] == business["orders"]
        cents = [int(v * 100) if v is not None else 0 for v in totals[1:5]]
        assert cents == [
            business["gross_revenue_cents"],
            business["subtotal_cents"],
            business["discount_cents"],
            business["shipping_cents"],
        ]
        assert (totals[5] or 0) == business["items"]
        assert p.count("silver.order_items", day) == orders.agg(F.sum("line_count")).first()[0] or 0
        captured = spark.table("silver.payments").where(
            (F.col("event_date") == F.lit(day)) & (F.col("status") == "captured")
        )
        assert captured.count() == business["payments_captured"]
        assert (
            int((captured.agg(F.sum("amount")).first()[0] or 0) * 100) == business["captured_cents"]
        )
        assert p.count("silver.sessions", day) == business["sessions"]


def test_both_schema_versions_land_in_one_table(pipeline) -> None:
    p, _, _ = pipeline
    versions = {
        r["schema_version"]: r["gift_wraps"]
        for r in p.spark.table("silver.orders")
        .where(F.col("event_date").isin(*DAYS))
        .groupBy("schema_version")
        .agg(F.count("gift_wrap").alias("gift_wraps"))
        .collect()
    }
    assert set(versions) == {1, 2}
    assert versions[1] == 0 and versions[2] > 0  # version 1 has no gift_wrap: null


def test_rerunning_a_day_gives_identical_rows(pipeline) -> None:
    p, _, _ = pipeline
    day = DAYS[1]
    before = {t.identifier: p.checksum(t.identifier, day) for t in TABLES}
    assert p.build(day).success
    after = {t.identifier: p.checksum(t.identifier, day) for t in TABLES}
    assert after == before


def test_a_late_record_changes_its_day_only_when_that_day_is_rebuilt(pipeline) -> None:
    p, _, _ = pipeline
    first, second = DAYS[0], DAYS[1]
    before = {d: p.checksum("silver.orders", d) for d in DAYS}
    p.produce("orders", [order_envelope("late-order-1", first)])
    p.ingest()
    assert p.build(second).success
    assert {d: p.checksum("silver.orders", d) for d in DAYS} == before
    result = p.build(first)
    assert result.success, _evaluations(result)
    after = {d: p.checksum("silver.orders", d) for d in DAYS}
    assert after[first][0] == before[first][0] + 1
    assert {d: after[d] for d in DAYS[1:]} == {d: before[d] for d in DAYS[1:]}


def test_a_day_whose_every_record_is_quarantined_ends_empty(pipeline) -> None:
    p, _, _ = pipeline
    good = order_envelope("lonely-1", LONELY_DAY)
    p.produce("orders", [good])
    p.ingest()
    assert p.build(LONELY_DAY).success
    assert p.count("silver.orders", LONELY_DAY) == 1
    # The valid record goes from bronze; only rule-breakers remain for that day.
    p.spark.sql(f"DELETE FROM bronze.orders WHERE event_id = '{good['id']}'")
    p.produce(
        "orders",
        [
            order_envelope("lonely-2", LONELY_DAY, total=1.00),
            order_envelope("lonely-3", LONELY_DAY, total=2.00),
        ],
    )
    p.ingest()
    result = p.build(LONELY_DAY)
    assert result.success, {k: e.description for k, e in _evaluations(result).items()}
    assert p.count("silver.orders", LONELY_DAY) == 0
    assert p.count("silver.order_items", LONELY_DAY) == 0
    held = p.spark.table("silver.quarantine").where(F.col("event_date") == F.lit(LONELY_DAY))
    assert sorted(r["rule"] for r in held.collect()) == ["order_total_mismatch"] * 2
    checks = _evaluations(result)
    assert checks[("silver/orders", RECONCILES)].passed
    assert checks[("silver/orders", RECONCILES)].metadata["quarantined"].value == 2
