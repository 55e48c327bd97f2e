"""Table layouts and the JSON envelope schemas the parser applies.

Bronze keeps what arrived: the envelope's fields, the whole record as it arrived
(payload included) and where it came from. Timestamps are Spark TIMESTAMP, i.e. Iceberg
``timestamptz``: UTC instants whatever the session time zone.
"""

from __future__ import annotations

from pyspark.sql import SparkSession

#: The parse every record gets: the envelope with its types (those of
#: streaming.contracts.ENVELOPE, as Spark reads them). A JSON string "v1" or "1" is
#: not an INT, and a payload that is a string (even one holding JSON) is not a STRUCT;
#: a type error sets the corrupt-record column and nulls that field only. The project's
#: envelope parser (streaming/jvm) declares the same schema.
ENVELOPE_SCHEMA = (
    "id STRING, type STRING, event_time STRING, schema_version INT, payload STRUCT<>, "
    "_corrupt_record STRING"
)
#: The second parse, of dead letters only: every field as text, which never fails, so a
#: null is a missing field and the corrupt-record column means "not JSON (an object)".
ENVELOPE_TEXT_SCHEMA = (
    "id STRING, type STRING, event_time STRING, schema_version STRING, payload STRING, "
    "_corrupt_record STRING"
)

BRONZE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "STRING"),
    ("event_type", "STRING"),
    ("event_time", "TIMESTAMP"),
    ("schema_version", "INT"),
    ("raw_value", "STRING"),
    ("kafka_topic", "STRING"),
    ("kafka_partition", "INT"),
    ("kafka_offset", "BIGINT"),
    ("kafka_key", "STRING"),
    ("kafka_timestamp", "TIMESTAMP"),
    ("source_file", "STRING"),
    ("ingested_at", "TIMESTAMP"),
)

DEAD_LETTER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("raw_value", "BINARY"),
    ("kafka_topic", "STRING"),
    ("kafka_partition", "INT"),
    ("kafka_offset", "BIGINT"),
    ("kafka_key", "STRING"),
    ("kafka_timestamp", "TIMESTAMP"),
    ("source_file", "STRING"),
    ("reason", "STRING"),
    ("ingested_at", "TIMESTAMP"),
)

#: Ingestion writes straight from Kafka partitions: no shuffle to cluster rows by day
#: (distribution-mode none), so each task keeps one open file per day it sees (fanout).
#: Late data spreads a batch over several days, which a clustered writer would reject.
#: Parquet is written for speed (measured on 1M clickstream records, see
#: docs/benchmarks.md): dictionaries capped at 64 KiB (ids, offsets and raw records are
#: nearly all distinct, and building 2 MiB dictionaries only to drop them was the
#: writer's biggest cost; topics, event types and the like still get theirs), zstd at
#: level 1, and no min/max statistics of the raw record, which no query prunes on.
TABLE_PROPERTIES = {
    "format-version": "2",
    "write.distribution-mode": "none",
    "write.spark.fanout.enabled": "true",
    "write.parquet.compression-codec": "zstd",
    "write.parquet.compression-level": "1",
    "write.parquet.dict-size-bytes": "65536",
    "write.parquet.stats-enabled.column.raw_value": "false",
    "write.metadata.metrics.column.raw_value": "counts",
    # Within a run, appends to a table take turns (streaming.bronze.sink.append); but a
    # sensor run, `lakehouse stream` and a file backfill are separate processes that all
    # write the dead-letter table: a commit that loses a race re-applies its append,
    # which must not run out of retries.
    "commit.retry.num-retries": "10",
}


def namespace_of(table: str) -> str:
    parts = table.split(".")
    if len(parts) < 2:
        raise ValueError(f"table identifier needs a namespace, e.g. bronze.orders (got {table!r})")
    return ".".join(parts[:-1])


class TableLayoutError(ValueError):
    """An existing table's columns are not the ones this version writes."""


def _create(
    spark: SparkSession, table: str, columns: tuple[tuple[str, str], ...], partition: str
) -> None:
    cols = ", ".join(f"{name} {kind}" for name, kind in columns)
    props = ", ".join(f"'{k}'='{v}'" for k, v in TABLE_PROPERTIES.items())
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {table} ({cols}) USING iceberg "
        f"PARTITIONED BY ({partition}) TBLPROPERTIES ({props})"
    )
    found = spark.table(table).columns
    wanted = [name for name, _ in columns]
    if found != wanted:
        raise TableLayoutError(
            f"{table} has the columns {found}, but this version writes {wanted}: the table "
            "was made by an older version. Start from a fresh data folder (`lakehouse stack "
            "down`, remove LAKEHOUSE_DATA_DIR), or drop the table and its streams' "
            "checkpoints; Kafka still holds the records to ingest again."
        )


def create_namespace(spark: SparkSession, namespace: str) -> None:
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {namespace}")


def create_bronze_table(spark: SparkSession, table: str) -> None:
    _create(spark, table, BRONZE_COLUMNS, "days(event_time)")


def create_dead_letter_table(spark: SparkSession, table: str) -> None:
    _create(spark, table, DEAD_LETTER_COLUMNS, "days(ingested_at)")
