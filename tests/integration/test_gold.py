"""Gold on the real stack: generated data through Kafka and bronze, then what the refresh
sensor asks for (silver with Spark, gold with dbt on Trino, one run); the marts
recomputed here without dbt, from the generator's manifest and the silver tables. Late
records for a built day rebuild exactly that day.

The data's days (from 2025-09-01) and the broken day are used by no other test. The
marts cover every silver day, including other tests' days, so whole-history figures
(lifetime value, RFM, cohorts) are recomputed from all of silver.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    AssetRecordsFilter,
    ExecuteInProcessResult,
    RunRequest,
    SensorResult,
    SkipReason,
    build_sensor_context,
)
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F

from ecommerce_assets.defs.gold.assets import gold_by_day, gold_whole
from ecommerce_assets.defs.gold.job import gold_job
from ecommerce_assets.defs.pipeline.refresh import (
    REBUILT_KEYS,
    refresh_days_job,
    refresh_touched_days_sensor,
)
from ecommerce_assets.defs.silver.job import silver_job
from ecommerce_assets.defs.silver.layer import silver_layer
from ecommerce_assets.resources import TrinoResource
from ecommerce_assets.settings import LakehouseSettings
from tests.integration.shop_pipeline import ShopPipeline, checksum, order_envelope

START = dt.date(2025, 9, 1)
DAYS = [START + dt.timedelta(days=i) for i in range(3)]
#: A day of its own for the deliberately broken order.
BROKEN_DAY = dt.date(2025, 10, 10)
BROKEN_ORDER = "it-gold-broken-order"
FACTS = {
    "fct_orders": "order_date",
    "fct_order_items": "order_date",
    "fct_payments": "payment_date",
    "fct_sessions": "session_date",
}


class Pipeline(ShopPipeline):
    def __init__(self, settings: LakehouseSettings, tmp: Path, spark: SparkSession) -> None:
        super().__init__(
            "gold", settings, tmp, spark, [silver_layer, gold_by_day, gold_whole],
            [silver_job, gold_job, refresh_days_job],
        )  # fmt: skip
        self.trino = TrinoResource.from_settings(settings)
        self.sensor_cursor: str | None = None

    def generate(self) -> dict[str, Any]:  # type: ignore[override]
        return super().generate(
            seed=31,
            customers=1_500,
            products=80,
            days=len(DAYS),
            events_per_day=2_000,
            start_date=START,
            trouble={"duplicate_share": 0.02, "late_share": 0.02, "schema_drift_from_day": 1},
        )

    def silver(self, first: dt.date, last: dt.date) -> None:
        assert self.run(silver_job.name, first, last).success

    def gold(self, first: dt.date, last: dt.date | None = None) -> ExecuteInProcessResult:
        """Run the code location's gold job for ``first``..``last`` (one run)."""
        return self.run(gold_job.name, first, last)

    def sensor_tick(self) -> list[RunRequest]:
        """Evaluate the refresh sensor as the daemon would; the runs it asks for."""
        context = build_sensor_context(instance=self.instance, cursor=self.sensor_cursor)
        result = refresh_touched_days_sensor(context)
        if isinstance(result, SkipReason):
            return []
        assert isinstance(result, SensorResult)
        self.sensor_cursor = result.cursor
        return [r for r in result.run_requests or [] if isinstance(r, RunRequest)]

    def refresh(self, request: RunRequest) -> ExecuteInProcessResult:
        return self.execute(refresh_days_job.name, request)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.trino.query(sql)

    def checksum(self, table: str, day: dt.date) -> tuple[int, Decimal]:
        return checksum(self.spark.table(f"gold.{table}").where(F.col(FACTS[table]) == F.lit(day)))


@pytest.fixture(scope="module")
def pipeline(
    lakehouse_stack: LakehouseSettings,
    spark: SparkSession,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Pipeline, dict[str, Any], ExecuteInProcessResult]]:
    p = Pipeline(lakehouse_stack, tmp_path_factory.mktemp("gold"), spark)
    manifest = p.generate()
    p.ingest()
    # Nothing by hand: the sensor reads the days bronze touched and asks for one run.
    [request] = p.sensor_tick()
    assert request.partition_key is None
    # The generated days, and the next one: sessions running past midnight end there.
    touched = sorted(manifest["days"])
    assert touched[:3] == [str(d) for d in DAYS]
    assert request.tags["dagster/asset_partition_range_start"] == touched[0]
    assert request.tags["dagster/asset_partition_range_end"] == touched[-1]
    result = p.refresh(request)
    yield p, manifest, result
    p.instance.dispose()


def _evaluations(result: ExecuteInProcessResult) -> dict[tuple[str, str], AssetCheckEvaluation]:
    return {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }


def _cents(value: Decimal | None) -> int:
    return int((value or Decimal(0)) * 100)


def test_the_sensor_builds_the_touched_days_in_one_run_of_both_layers(pipeline) -> None:
    p, manifest, result = pipeline
    assert result.success
    evaluations = _evaluations(result)
    assert evaluations, "dbt tests came back as asset checks"
    failed = [key for key, e in evaluations.items() if not e.passed]
    assert failed == []
    assert ("gold/fct_orders", "order_total_adds_up") in evaluations
    assert ("gold/dim_customers", "customer_versions_do_not_overlap") in evaluations
    assert ("gold/daily_sales", "daily_net_revenue_is_captured_minus_refunded") in evaluations
    assert ("silver/orders", "reconciles_with_bronze") in evaluations
    days = set(manifest["days"])
    # Every partitioned table of both layers, silver and the gold facts: those days only.
    assert len(REBUILT_KEYS) > len(FACTS)
    for key in REBUILT_KEYS:
        assert p.instance.get_materialized_partitions(key) == days, key
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"gold/daily_sales", "gold/dim_customers", "staging/stg_orders"} <= materialized
    # Built once: the sensor has nothing more to ask for.
    assert p.sensor_tick() == []


def test_daily_sales_equal_the_manifest_to_the_cent(pipeline) -> None:
    p, manifest, _ = pipeline
    sales = {
        row[0]: row[1:]
        for row in p.rows(
            "select sales_date, orders, units, gross_revenue, discounts, shipping, captured,"
            " refunds, net_revenue, refund_count from iceberg.gold.daily_sales"
            f" where sales_date between date '{DAYS[0]}' and date '{DAYS[-1]}'"
        )
    }
    assert sorted(sales) == DAYS
    for day in DAYS:
        b = manifest["days"][day.isoformat()]["business"]
        orders, units, gross, discounts, shipping, captured, refunds, net, refund_count = sales[day]
        assert orders == b["orders"] > 0
        assert units == b["items"]
        assert _cents(gross) == b["gross_revenue_cents"]
        assert _cents(discounts) == b["discount_cents"]
        assert _cents(shipping) == b["shipping_cents"]
        assert _cents(captured) == b["captured_cents"]
        assert _cents(refunds) == b["refunded_cents"]
        assert _cents(net) == b["captured_cents"] - b["refunded_cents"]
        assert refund_count == b["refunds"]
        sessions = p.rows(
            f"select count(*) from iceberg.gold.fct_sessions where session_date = date '{day}'"
        )
        assert sessions[0][0] == b["sessions"]


def _silver(p: Pipeline, table: str) -> DataFrame:
    return p.spark.table(f"silver.{table}")


def _customer_value(p: Pipeline) -> dict[int, tuple[int, Decimal, Decimal, dt.date]]:
    """Per customer who ordered, from all of silver: orders, gross, refunded, last order day."""
    orders = (
        _silver(p, "orders")
        .groupBy("customer_id")
        .agg(
            F.count(F.lit(1)).alias("orders"),
            F.sum("total").alias("gross"),
            F.max("event_date").alias("last_order"),
        )
    )
    refunds = (
        _silver(p, "payments")
        .where(F.col("status") == "refunded")
        .groupBy("customer_id")
        .agg(F.sum("amount").alias("refunded"))
    )
    joined = orders.join(refunds, "customer_id", "left").collect()
    return {
        r["customer_id"]: (
            r["orders"],
            r["gross"],
            r["refunded"] or Decimal("0.00"),
            r["last_order"],
        )
        for r in joined
    }


def test_customer_lifetime_value_equals_silver(pipeline) -> None:
    p, _, _ = pipeline
    expected = _customer_value(p)
    clv = {
        row[0]: row[1:]
        for row in p.rows(
            "select customer_id, orders, gross_revenue, refunded, net_revenue"
            " from iceberg.gold.customer_lifetime_value"
        )
    }
    assert len(expected) > 20
    for customer_id, (orders, gross, refunded, _) in expected.items():
        assert clv[customer_id] == (orders, gross, refunded, gross - refunded), customer_id
    silent = [c for c, row in clv.items() if c not in expected]
    assert silent and all(clv[c][0] == 0 for c in silent)


def _ntile(ordered: list[int], buckets: int = 5) -> dict[int, int]:
    """SQL's ntile: the first len % buckets groups get one extra row."""
    size, extra = divmod(len(ordered), buckets)
    scores, position = {}, 0
    for bucket in range(1, buckets + 1):
        count = size + (1 if bucket <= extra else 0)
        for key in ordered[position : position + count]:
            scores[key] = bucket
        position += count
    return scores


def _segment(r: int, f: int) -> str:
    if r >= 4 and f >= 4:
        return "champions"
    if f >= 4:
        return "loyal"
    if r <= 2 and f >= 3:
        return "at_risk"
    if r >= 4:
        return "new"
    if r <= 2:
        return "hibernating"
    return "potential"


def test_rfm_segments_equal_a_recomputation(pipeline) -> None:
    p, _, _ = pipeline
    value = _customer_value(p)
    as_of = max(last for *_, last in value.values())
    recency = {c: (as_of - v[3]).days for c, v in value.items()}
    r = _ntile(sorted(value, key=lambda c: (-recency[c], c)))
    f = _ntile(sorted(value, key=lambda c: (value[c][0], c)))
    m = _ntile(sorted(value, key=lambda c: (value[c][1] - value[c][2], c)))
    rows = p.rows(
        "select customer_id, recency_days, recency_score, frequency_score, monetary_score, segment"
        " from iceberg.gold.rfm_segments"
    )
    assert len(rows) == len(value)
    segments = defaultdict(int)
    for customer_id, days, r_score, f_score, m_score, segment in rows:
        assert (days, r_score, f_score, m_score) == (
            recency[customer_id],
            r[customer_id],
            f[customer_id],
            m[customer_id],
        ), customer_id
        assert segment == _segment(r_score, f_score)
        segments[segment] += 1
    assert len(segments) >= 3, segments


def test_conversion_funnel_counts_equal_silver_sessions(pipeline) -> None:
    p, _, _ = pipeline
    expected = {
        (r["event_date"], r["channel"]): (r["n"], r["views"], r["carts"], r["checkouts"], r["buys"])
        for r in _silver(p, "sessions")
        .where(F.col("event_date").isin(*DAYS))
        .groupBy("event_date", "channel")
        .agg(
            F.count(F.lit(1)).alias("n"),
            F.sum((F.col("products_viewed") > 0).cast("int")).alias("views"),
            F.sum(F.col("reached_cart").cast("int")).alias("carts"),
            F.sum(F.col("reached_checkout").cast("int")).alias("checkouts"),
            F.sum(F.col("purchased").cast("int")).alias("buys"),
        )
        .collect()
    }
    funnel = {
        (row[0], row[1]): tuple(row[2:])
        for row in p.rows(
            "select session_date, channel, sessions, product_view_sessions, cart_sessions,"
            " checkout_sessions, purchase_sessions from iceberg.gold.conversion_funnel"
            f" where session_date between date '{DAYS[0]}' and date '{DAYS[-1]}'"
        )
    }
    assert funnel == expected
    for day in DAYS:
        assert sum(buys for (d, _), (*_, buys) in expected.items() if d == day) > 0


def test_cohort_sizes_equal_silver_customers(pipeline) -> None:
    p, _, _ = pipeline
    expected = {
        r["month"]: r["n"]
        for r in _silver(p, "customers")
        .groupBy("customer_id")
        .agg(F.max("signup_date").alias("signup_date"))
        .groupBy(F.trunc("signup_date", "month").alias("month"))
        .agg(F.count(F.lit(1)).alias("n"))
        .collect()
    }
    sizes = dict(
        p.rows(
            "select cohort_month, cohort_size from iceberg.gold.cohort_retention"
            " where months_since_signup = 0"
        )
    )
    assert sizes == expected
    assert len(sizes) > 3


def test_an_address_change_closes_the_old_version_at_its_event_time(pipeline) -> None:
    p, _, _ = pipeline
    changes = (
        _silver(p, "customers")
        .where(
            (F.col("event_type") == "customer_updated")
            & F.array_contains("changed_fields", "address")
            & F.col("event_date").isin(*DAYS)
        )
        .orderBy("event_time", "event_id")
        .collect()
    )
    assert changes, "the generated days hold at least one address change"
    change = changes[0]
    # Spark gives the session's (UTC) wall time without a zone; Trino an aware time.
    changed_at = change["event_time"].replace(tzinfo=dt.UTC)
    versions = p.rows(
        "select version, city, postcode, valid_from, valid_to, is_current"
        f" from iceberg.gold.dim_customers where customer_id = {change['customer_id']}"
        " order by version"
    )
    boundary = [i for i, v in enumerate(versions) if v[3] == changed_at]
    assert len(boundary) == 1, versions
    new, old = versions[boundary[0]], versions[boundary[0] - 1]
    assert (new[1], new[2]) == (change["address_city"], change["address_postcode"])
    assert old[4] == changed_at and not old[5]
    assert sum(1 for v in versions if v[5]) == 1
    assert versions[-1][5] and versions[-1][4] is None


def test_rebuilding_a_day_leaves_every_fact_unchanged(pipeline) -> None:
    p, manifest, _ = pipeline
    before = {(t, d): p.checksum(t, d) for t in FACTS for d in DAYS}
    assert all(count > 0 for count, _ in before.values())
    assert p.gold(DAYS[1]).success
    after = {(t, d): p.checksum(t, d) for t in FACTS for d in DAYS}
    assert after == before
    days = set(manifest["days"])
    for table in FACTS:
        assert p.instance.get_materialized_partitions(AssetKey(["gold", table])) == days


def _append(spark: SparkSession, table: str, values: dict[str, Any]) -> None:
    schema = spark.table(table).schema
    row = Row(**{field.name: values.get(field.name) for field in schema.fields})
    spark.createDataFrame([row], schema).writeTo(table).append()


def test_an_order_that_does_not_add_up_fails_its_check_and_names_the_order(pipeline) -> None:
    p, _, _ = pipeline
    when = dt.datetime(2025, 10, 10, 12, tzinfo=dt.UTC)
    common = {"event_time": when, "event_date": BROKEN_DAY, "order_id": BROKEN_ORDER,
              "customer_id": 1}  # fmt: skip
    _append(p.spark, "silver.orders", {
        **common, "event_id": f"{BROKEN_ORDER}-event", "event_type": "order_placed",
        "schema_version": 1, "channel": "direct", "device": "desktop_web",
        "subtotal": Decimal("50.00"), "discount": Decimal("0.00"),
        "shipping": Decimal("4.95"), "total": Decimal("100.00"), "currency": "EUR",
        "payment_method": "card", "line_count": 1, "unit_count": 1,
    })  # fmt: skip
    _append(p.spark, "silver.order_items", {
        **common, "event_id": f"{BROKEN_ORDER}-event", "line_number": 1, "product_id": 1,
        "quantity": 1, "unit_price": Decimal("50.00"), "discount": Decimal("0.00"),
        "line_amount": Decimal("50.00"),
    })  # fmt: skip
    try:
        result = p.gold(BROKEN_DAY)
        assert not result.success
        check = _evaluations(result)[("gold/fct_orders", "order_total_adds_up")]
        assert not check.passed
        metadata = {key: value.value for key, value in check.metadata.items()}
        assert metadata["dagster_dbt/failed_row_count"] == 1
        assert BROKEN_ORDER in str(metadata["failing_rows"])
        assert "54.95" in str(metadata["failing_rows"])  # the total it should have
    finally:
        for table in ("orders", "order_items"):
            p.spark.sql(f"DELETE FROM silver.{table} WHERE order_id = '{BROKEN_ORDER}'")
    assert p.gold(BROKEN_DAY).success


def test_late_orders_rebuild_exactly_their_day_in_silver_and_gold(pipeline) -> None:
    p, manifest, _ = pipeline
    late_day = DAYS[0]
    untouched = [dt.date.fromisoformat(d) for d in sorted(manifest["days"])[1:]]
    before = {(t, d): p.checksum(t, d) for t in FACTS for d in DAYS}
    sales_before = dict(
        p.rows("select sales_date, orders from iceberg.gold.daily_sales"
               f" where sales_date between date '{DAYS[0]}' and date '{DAYS[-1]}'")
    )  # fmt: skip
    builds_before = {
        (key, d): len(p.instance.fetch_materializations(
            AssetRecordsFilter(key, asset_partitions=[str(d)]), limit=100).records)
        for key in REBUILT_KEYS for d in untouched
    }  # fmt: skip

    p.produce("orders", [order_envelope("it-gold-late-1", late_day),
                         order_envelope("it-gold-late-2", late_day)])  # fmt: skip
    p.ingest()
    [request] = p.sensor_tick()
    assert request.partition_key == str(late_day)
    assert "dagster/asset_partition_range_start" not in request.tags
    result = p.refresh(request)
    assert result.success, [e.asset_key for e in result.get_asset_check_evaluations()
                            if not e.passed]  # fmt: skip

    after = {(t, d): p.checksum(t, d) for t in FACTS for d in DAYS}
    assert after[("fct_orders", late_day)][0] == before[("fct_orders", late_day)][0] + 2
    assert after[("fct_order_items", late_day)][0] == before[("fct_order_items", late_day)][0] + 2
    assert {k: v for k, v in after.items() if k[1] != late_day} == {
        k: v for k, v in before.items() if k[1] != late_day
    }
    sales_after = dict(
        p.rows("select sales_date, orders from iceberg.gold.daily_sales"
               f" where sales_date between date '{DAYS[0]}' and date '{DAYS[-1]}'")
    )  # fmt: skip
    assert sales_after == {**sales_before, late_day: sales_before[late_day] + 2}
    # The other days' partitions were not rebuilt in any layer.
    builds_after = {
        (key, d): len(p.instance.fetch_materializations(
            AssetRecordsFilter(key, asset_partitions=[str(d)]), limit=100).records)
        for key in REBUILT_KEYS for d in untouched
    }  # fmt: skip
    assert builds_after == builds_before
    assert p.sensor_tick() == []
