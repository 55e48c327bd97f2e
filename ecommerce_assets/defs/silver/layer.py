"""``silver/<table>``: every silver table, built from bronze by one Spark job per run.

One multi-asset, because one job writes them all (``streaming.silver.layer``): a run
replaces its partitions' days in every table, and a range of days (a backfill) is one
run (``BackfillPolicy.single_run``). Each materialization reports what became of the
range's events (rows written, duplicates removed, quarantined by rule) beside the
table's row count, schema with column descriptions and a preview.

Checks, evaluated in the same run over the days it built:

- ``reconciles_with_bronze`` (error, every table of events and the quarantine): per
  day, bronze rows = silver rows + quarantined + duplicates, recounted from the tables;
- ``expectations`` (error, every table): a Great Expectations suite
  (``defs/silver/expectations.py``) over the range's rows;
- ``customers_exist`` on orders and ``products_exist`` on order items (warn).
"""

from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from ecommerce_assets.defs.silver.expectations import validate_table
from ecommerce_assets.lib.expectations import check_result
from ecommerce_assets.lib.naming import asset_key, bronze_key
from ecommerce_assets.lib.partitions import DAILY_PARTITIONS, day_range
from ecommerce_assets.lib.silver_checks import (
    Orphans,
    missing_customers,
    missing_products,
    reconciliation_metadata,
)
from ecommerce_assets.lib.table_metadata import iceberg_table_metadata
from ecommerce_assets.lib.transient_errors import retry_if_transient
from ecommerce_assets.resources import IcebergCatalogResource, LakehouseSparkResource
from streaming.contracts import STREAMS
from streaming.silver import order_items, orders, quarantine
from streaming.silver.layer import DERIVED, EVENT_TABLES, TABLES, LayerReport, build_silver
from streaming.silver.reconciliation import DayCount, reconcile_table, reconcile_unknown

RECONCILES = "reconciles_with_bronze"
EXPECTATIONS = "expectations"
CUSTOMERS_EXIST = "customers_exist"
PRODUCTS_EXIST = "products_exist"
#: Concurrency pool (dagster.yaml: one at a time): two runs never write silver at once.
SILVER_POOL = "lakehouse_silver"

#: Silver table identifier -> the stream whose events it holds, one row per event.
_STREAM_OF = {m.TABLE.identifier: s for s in STREAMS for m in EVENT_TABLES[s]}
_DERIVED_FROM = {t.identifier: m.TABLE.identifier for m, t, _ in DERIVED}


def _deps(identifier: str) -> list[AssetKey]:
    if identifier in _STREAM_OF:
        return [bronze_key(_STREAM_OF[identifier])]
    if identifier in _DERIVED_FROM:
        return [asset_key(_DERIVED_FROM[identifier])]
    return [bronze_key(s) for s in STREAMS]


def _specs() -> list[AssetSpec]:
    return [
        AssetSpec(
            asset_key(table.identifier),
            deps=_deps(table.identifier),
            description=f"{table.description} (Iceberg table {table.identifier})",
            group_name="silver",
            kinds={"iceberg", "spark"},
            metadata={"partition_expr": "event_date", "dagster/table_name": table.identifier},
        )
        for table in TABLES
    ]


def _check_specs() -> list[AssetCheckSpec]:
    specs = []
    for table in TABLES:
        key = asset_key(table.identifier)
        if table.identifier in _STREAM_OF or table is quarantine.TABLE:
            specs.append(
                AssetCheckSpec(
                    RECONCILES,
                    asset=key,
                    blocking=True,
                    description=(
                        "Per day built: bronze rows = silver rows + quarantined + duplicates "
                        "removed, recounted from the tables."
                    ),
                )
            )
        specs.append(
            AssetCheckSpec(
                EXPECTATIONS,
                asset=key,
                blocking=True,
                description="Great Expectations suite: required columns, value sets, "
                "ranges, key uniqueness and formats, over the days built.",
            )
        )
    specs.append(
        AssetCheckSpec(
            CUSTOMERS_EXIST,
            asset=asset_key(orders.TABLE.identifier),
            description="Every order's customer has a profile in silver.customers (warns).",
        )
    )
    specs.append(
        AssetCheckSpec(
            PRODUCTS_EXIST,
            asset=asset_key(order_items.TABLE.identifier),
            description="Every order line's product is in silver.products (warns).",
        )
    )
    return specs


def _materialization(
    report: LayerReport, identifier: str, catalog_metadata: dict[str, Any]
) -> MaterializeResult:
    metadata: dict[str, object] = {
        "days": MetadataValue.text(str(report.days)),
        "rows_written": MetadataValue.int(report.rows_written[identifier]),
    }
    outcome = report.outcomes.get(identifier)
    if outcome is not None:
        metadata["duplicates_removed"] = MetadataValue.int(outcome.duplicates)
        metadata["quarantined"] = MetadataValue.int(outcome.quarantined)
        metadata["quarantined_by_rule"] = MetadataValue.json(dict(sorted(outcome.by_rule.items())))
    if identifier == quarantine.TABLE.identifier:
        by_rule: dict[str, int] = {}
        for outcome in report.outcomes.values():
            for rule, n in outcome.by_rule.items():
                by_rule[rule] = by_rule.get(rule, 0) + n
        metadata["quarantined_by_rule"] = MetadataValue.json(dict(sorted(by_rule.items())))
    return MaterializeResult(
        asset_key=asset_key(identifier), metadata={**metadata, **catalog_metadata}
    )


def _orphan_result(orphans: Orphans, check_name: str) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=asset_key(orphans.table),
        check_name=check_name,
        passed=orphans.passed,
        severity=AssetCheckSeverity.WARN,
        description=orphans.describe(),
        metadata={
            "missing": MetadataValue.int(orphans.count),
            "samples": MetadataValue.json(orphans.samples),
        },
    )


@multi_asset(
    name="silver_layer",
    specs=_specs(),
    check_specs=_check_specs(),
    partitions_def=DAILY_PARTITIONS,
    backfill_policy=BackfillPolicy.single_run(),
    can_subset=False,
    pool=SILVER_POOL,
)
def silver_layer(
    context: AssetExecutionContext, spark: LakehouseSparkResource, iceberg: IcebergCatalogResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    days = day_range(context.partition_key_range)
    session = spark.spark_session
    context.log.info(f"building silver for {days} ({len(days.days)} days)")
    try:
        report = build_silver(
            session, days, {"lakehouse.dagster-run": context.run.run_id}, log=context.log.info
        )
    except Exception as error:
        retry_if_transient(error, f"silver for {days}", context.log.warning)
        raise
    context.log.info(f"silver for {days} built in {report.duration_s:.1f} s")
    catalog = iceberg.load()
    for table in TABLES:
        yield _materialization(
            report, table.identifier, iceberg_table_metadata(catalog, table.identifier)
        )

    for stream in STREAMS:
        for module in EVENT_TABLES[stream]:
            counts = reconcile_table(
                session, module.TABLE.identifier, stream, module.EVENTS.event_types, days
            )
            yield _reconciliation(module.TABLE.identifier, counts)
    unknown = [c for s in STREAMS for c in reconcile_unknown(session, s, days)]
    yield _reconciliation(quarantine.TABLE.identifier, unknown)

    for table in TABLES:
        validation = validate_table(session, table, days)
        yield check_result(
            validation, asset_key=asset_key(table.identifier), check_name=EXPECTATIONS
        )
    yield _orphan_result(missing_customers(session, days), CUSTOMERS_EXIST)
    yield _orphan_result(missing_products(session, days), PRODUCTS_EXIST)


def _reconciliation(identifier: str, counts: list[DayCount]) -> AssetCheckResult:
    failing = [c for c in counts if not c.reconciles]
    description = (
        f"{len(failing)} of {len(counts)} days do not reconcile"
        if failing
        else f"all {len(counts)} days reconcile with bronze"
    )
    metadata = reconciliation_metadata(counts)
    return AssetCheckResult(
        asset_key=asset_key(identifier),
        check_name=RECONCILES,
        passed=not failing,
        description=description,
        metadata={k: MetadataValue.md(v) if k == "per_day" else v for k, v in metadata.items()},
    )
