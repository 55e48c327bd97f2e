"""Table layouts and the JSON envelope schemas the parser applies.

Bronze keeps what arrived: the envelope's fields, the payload as JSON text, the whole
record, and where it came from. Timestamps are Spark TIMESTAMP, i.e. Iceberg
``timestamptz``: UTC instants whatever the session time zone.
"""

from __future__ import annotations

from pyspark.sql import SparkSession

#: Envelope fields every record must carry, in envelope order (reasons list them so).
REQUIRED_FIELDS = ("id", "type", "event_time", "schema_version", "payload")

#: First parse: every field as text. Spark hands a nested object to a STRING field as its
#: JSON text, which is what bronze keeps for the payload; the corrupt-record column is
#: set only when the record is not JSON (or not an object) at all.
ENVELOPE_TEXT_SCHEMA = (
    "id STRING, type STRING, event_time STRING, schema_version STRING, payload STRING, "
    "_corrupt_record STRING"
)
#: Second parse: the types the text parse cannot see. A JSON string "v1" or "1" is not an
#: INT, and a payload that is a string (even one holding JSON) is not a STRUCT.
ENVELOPE_TYPE_SCHEMA = "schema_version INT, payload STRUCT<>"

BRONZE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "STRING"),
    ("event_type", "STRING"),
    ("event_time", "TIMESTAMP"),
    ("schema_version", "INT"),
    ("payload", "STRING"),
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
TABLE_PROPERTIES = {
    "format-version": "2",
    "write.distribution-mode": "none",
    "write.spark.fanout.enabled": "true",
    "write.parquet.compression-codec": "zstd",
}


def namespace_of(table: str) -> str:
    parts = table.split(".")
    if len(parts) < 2:
        raise ValueError(f"table identifier needs a namespace, e.g. bronze.orders (got {table!r})")
    return ".".join(parts[:-1])


def _create(
    spark: SparkSession, table: str, columns: tuple[tuple[str, str], ...], partition: str
) -> None:
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {namespace_of(table)}")
    cols = ", ".join(f"{name} {kind}" for name, kind in columns)
    props = ", ".join(f"'{k}'='{v}'" for k, v in TABLE_PROPERTIES.items())
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {table} ({cols}) USING iceberg "
        f"PARTITIONED BY ({partition}) TBLPROPERTIES ({props})"
    )


def create_bronze_table(spark: SparkSession, table: str) -> None:
    _create(spark, table, BRONZE_COLUMNS, "days(event_time)")


def create_dead_letter_table(spark: SparkSession, table: str) -> None:
    _create(spark, table, DEAD_LETTER_COLUMNS, "days(ingested_at)")
