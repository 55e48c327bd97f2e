"""``bronze/<stream>`` and ``bronze/dead_letters``: Kafka (or landing files) -> Iceberg.

One multi-asset, because one Spark job writes them: for each selected stream an
``availableNow`` Structured Streaming query reads what its checkpoint has not yet
committed and appends it to ``bronze.<stream>`` exactly once (see
``streaming/bronze``); records that do not parse go to ``bronze.dead_letters`` with the
reason. With ``files`` in the run config it backfills from the generator's landing
files instead, once per file.

Each materialization reports what the run wrote, the Kafka offsets it reached and the
event days it touched, so downstream daily partitions can be refreshed, late data
included.
"""

from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from pydantic import Field

from ecommerce_assets.lib.kafka_lag import stream_lags
from ecommerce_assets.lib.naming import DEAD_LETTERS_KEY, STREAMS, bronze_key, stream_of, topic_key
from ecommerce_assets.lib.table_metadata import iceberg_table_metadata
from ecommerce_assets.resources import (
    BronzeResource,
    IcebergCatalogResource,
    KafkaResource,
    LakehouseSparkResource,
)
from streaming.bronze import StreamReport, ingest_files, run_available_now
from streaming.contracts.naming import DEAD_LETTERS_TABLE, bronze_table

#: Runs with this tag never overlap (dagster.yaml's run queue limit; the sensor checks too).
INGEST_TAGS = {"lakehouse/ingest": "bronze"}
#: Concurrency pool (dagster.yaml: one at a time), which also holds for runs launched
#: from the UI's asset graph, which carry no job tags.
BRONZE_POOL = "lakehouse_bronze"


class BronzeIngestConfig(Config):
    files: list[str] = Field(
        default_factory=list,
        description="Landing files or folders to backfill from instead of Kafka.",
    )


def _specs() -> list[AssetSpec]:
    tables = [
        AssetSpec(
            bronze_key(stream),
            deps=[topic_key(stream)],
            description=(
                f"Every {stream} record as it arrived on Kafka, with its parsed envelope, "
                f"Kafka coordinates and ingestion time (Iceberg table {bronze_table(stream)}); "
                "partitioned by event day."
            ),
            group_name="bronze",
            kinds={"iceberg", "spark"},
            skippable=True,
        )
        for stream in STREAMS
    ]
    dead_letters = AssetSpec(
        DEAD_LETTERS_KEY,
        deps=[topic_key(stream) for stream in STREAMS],
        description=(
            f"Records that could not be parsed, with their raw bytes, source and reason "
            f"(Iceberg table {DEAD_LETTERS_TABLE})."
        ),
        group_name="bronze",
        kinds={"iceberg", "spark"},
        skippable=True,
    )
    return [*tables, dead_letters]


def _report_metadata(report: StreamReport) -> dict[str, object]:
    return {
        "rows_written": MetadataValue.int(report.rows_written),
        "dead_letters_written": MetadataValue.int(report.dead_letters),
        "batches": MetadataValue.int(report.batches),
        "kafka_start_offsets": MetadataValue.json(
            {str(p): o for p, o in sorted(report.start_offsets.items())}
        ),
        "kafka_end_offsets": MetadataValue.json(
            {str(p): o for p, o in sorted(report.end_offsets.items())}
        ),
        "touched_event_days": MetadataValue.json(report.touched_days),
        "duration_s": MetadataValue.float(round(report.duration_s, 2)),
    }


@multi_asset(
    specs=_specs(), can_subset=True, name="bronze_ingest", op_tags=INGEST_TAGS, pool=BRONZE_POOL
)
def bronze_ingest(
    context: AssetExecutionContext,
    config: BronzeIngestConfig,
    spark: LakehouseSparkResource,
    bronze: BronzeResource,
    kafka: KafkaResource,
    iceberg: IcebergCatalogResource,
) -> Iterator[MaterializeResult]:
    selected = [s for key in context.selected_asset_keys if (s := stream_of(key))]
    streams = sorted(selected) or list(STREAMS)
    if not config.files:
        # Checked without Spark: a run with nothing to ingest ends here, in a second,
        # instead of paying a JVM start (decision 0012).
        streams = [lag.stream for lag in stream_lags(kafka, bronze, streams) if lag.lag > 0]
        if not streams:
            context.log.info("every selected topic is committed in its checkpoint: nothing to do")
            return
    session = spark.spark_session
    run_config = bronze.config(streams)
    # Both runners create missing tables themselves. Files of a stream outside the
    # selection are refused, so no table changes without its materialization.
    if config.files:
        reports = ingest_files(session, run_config, config.files)
    else:
        reports = run_available_now(session, run_config)
    catalog = iceberg.load()
    dead_letters_by_topic = {report.topic: report.dead_letters for report in reports}
    for report in reports:
        key = bronze_key(bronze.stream_of_topic(report.topic))
        if key not in context.selected_asset_keys:
            continue
        days = report.touched_days
        span = f"event days {days[0]} to {days[-1]} ({len(days)})" if days else "no event days"
        context.log.info(
            f"{report.table}: {report.rows_written} rows, {report.dead_letters} dead letters, "
            f"{span}"
        )
        yield MaterializeResult(
            asset_key=key,
            metadata={**_report_metadata(report), **iceberg_table_metadata(catalog, report.table)},
        )
    if DEAD_LETTERS_KEY in context.selected_asset_keys:
        yield MaterializeResult(
            asset_key=DEAD_LETTERS_KEY,
            metadata={
                "dead_letters_written": MetadataValue.int(sum(dead_letters_by_topic.values())),
                "dead_letters_by_topic": MetadataValue.json(dead_letters_by_topic),
                **iceberg_table_metadata(catalog, run_config.dead_letter_table),
            },
        )
