"""``envelope_expectations`` on every ``bronze/<stream>``: a Great Expectations suite over
the envelope columns of the days a silver run reads.

Bronze keeps what arrived, duplicates included, so event ids are not expected unique;
an event type its stream does not have is legal in bronze (silver quarantines it) but
is worth a warning, so the check warns rather than fails.
"""

import datetime as dt
from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    multi_asset_check,
)

from ecommerce_assets.lib.expectations import check_result, validate
from ecommerce_assets.lib.naming import STREAMS, bronze_key
from ecommerce_assets.lib.partitions import day_range
from ecommerce_assets.resources import LakehouseSparkResource
from streaming.contracts import SCHEMA_VERSIONS, stream_contract
from streaming.silver.days import DayRange
from streaming.silver.events import read_bronze

ENVELOPE_EXPECTATIONS = "envelope_expectations"


def envelope_suite(stream: str) -> list[object]:
    import great_expectations.expectations as gxe

    required = ("event_id", "event_type", "event_time", "schema_version", "raw_value")
    return [
        *(gxe.ExpectColumnValuesToNotBeNull(column=c) for c in required),
        gxe.ExpectColumnValuesToBeInSet(
            column="event_type", value_set=list(stream_contract(stream).event_types)
        ),
        gxe.ExpectColumnValuesToBeInSet(column="schema_version", value_set=list(SCHEMA_VERSIONS)),
        gxe.ExpectColumnValuesToMatchRegex(
            column="event_id",
            regex=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        ),
        gxe.ExpectColumnValuesToBeBetween(column="kafka_offset", min_value=0),
    ]


@multi_asset_check(
    name="bronze_envelope_expectations",
    specs=[
        AssetCheckSpec(
            ENVELOPE_EXPECTATIONS,
            asset=bronze_key(stream),
            description="Great Expectations on the envelope columns of the days a silver "
            "run reads: ids, types, versions, Kafka coordinates (warns).",
        )
        for stream in STREAMS
    ],
    # A bronze run ingests only the streams with new records: its job is a subset, and
    # a check that could not be subset made such a run impossible to build.
    can_subset=True,
)
def bronze_envelope_expectations(
    context: AssetCheckExecutionContext, spark: LakehouseSparkResource
) -> Iterator[AssetCheckResult]:
    op = context.op_execution_context
    if op.has_partition_key_range:
        days = day_range(op.partition_key_range)
    else:
        # Launched alone, outside a partitioned run: what arrived yesterday and today.
        today = dt.datetime.now(dt.UTC).date()
        days = DayRange(today - dt.timedelta(days=1), today + dt.timedelta(days=1))
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    session = spark.spark_session
    for stream in [s for s in STREAMS if bronze_key(s) in selected]:
        start, end = days.bounds()
        rows = (
            read_bronze(session, stream, start, end)
            .select(
                "event_id",
                "event_type",
                "event_time",
                "schema_version",
                "raw_value",
                "kafka_offset",
            )
            .cache()
        )
        try:
            validation = validate(rows, f"bronze_{stream}_envelope", envelope_suite(stream))
        finally:
            rows.unpersist()
        yield check_result(
            validation,
            asset_key=bronze_key(stream),
            check_name=ENVELOPE_EXPECTATIONS,
            severity=AssetCheckSeverity.WARN,
        )
