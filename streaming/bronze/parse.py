"""Turn raw records into bronze rows or dead letters, with Spark built-ins only.

Input is the *record* shape both sources are normalised to (see :func:`kafka_records`
and :mod:`streaming.bronze.files_job`)::

    value binary, kafka_topic string, kafka_partition int, kafka_offset bigint,
    kafka_key string, kafka_timestamp timestamp, source_file string

:func:`parse_records` adds the envelope columns and ``reason``: null for a good record,
otherwise why it is a dead letter. Each record is parsed twice by ``from_json`` (text,
then types; see :mod:`streaming.bronze.schemas`); both are JVM-side and vectorised by
codegen, far cheaper than a Python UDF.

What is a dead letter, checked in this order (the first that applies is the reason):

* the value is null (a tombstone): "empty record"
* not JSON, or JSON but not an object: "invalid JSON" / "invalid JSON: not an object" /
  "invalid JSON: empty value"
* a required envelope field absent or JSON null: "missing required field: event_time"
  (all missing fields are listed)
* wrong types, all listed, separated by "; ": "wrong type: schema_version is not an
  integer", "wrong type: payload is not a JSON object", "wrong type: event_time is not an
  ISO-8601 timestamp" (a number such as epoch millis included)

Extra fields, in the envelope or the payload (schema drift), are not errors: the
payload is kept as the JSON text that arrived. ``id`` and ``type`` accept any JSON
scalar (Spark renders it as text); silver decides what a valid type is.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from streaming.bronze.schemas import (
    BRONZE_COLUMNS,
    DEAD_LETTER_COLUMNS,
    ENVELOPE_TEXT_SCHEMA,
    ENVELOPE_TYPE_SCHEMA,
    REQUIRED_FIELDS,
)

RECORD_COLUMNS = (
    "value",
    "kafka_topic",
    "kafka_partition",
    "kafka_offset",
    "kafka_key",
    "kafka_timestamp",
    "source_file",
)

_CORRUPT = {"columnNameOfCorruptRecord": "_corrupt_record"}
# ISO-8601 date-time with a zone, as the generator writes it (and RFC 3339 allows). A
# zone-less or date-only text would be read in the session time zone: not an instant.
_ISO_INSTANT = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$"


def kafka_records(kafka: DataFrame) -> DataFrame:
    """Spark's Kafka source rows in the record shape."""
    return kafka.select(
        F.col("value"),
        F.col("topic").alias("kafka_topic"),
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
        F.col("key").cast("string").alias("kafka_key"),
        F.col("timestamp").alias("kafka_timestamp"),
        F.lit(None).cast("string").alias("source_file"),
    )


def _missing(text: Column) -> Column:
    names = [F.when(text[name].isNull(), F.lit(name)) for name in REQUIRED_FIELDS]
    missing = F.filter(F.array(*names), lambda n: n.isNotNull())
    return F.when(
        F.size(missing) == 1, F.concat(F.lit("missing required field: "), missing[0])
    ).when(
        F.size(missing) > 1,
        F.concat(F.lit("missing required fields: "), F.array_join(missing, ", ")),
    )


def _wrong_types(text: Column, typed: Column, event_time: Column) -> Column:
    problems = [
        F.when(
            typed["schema_version"].isNull(),
            F.lit("wrong type: schema_version is not an integer"),
        ),
        F.when(typed["payload"].isNull(), F.lit("wrong type: payload is not a JSON object")),
        F.when(event_time.isNull(), F.lit("wrong type: event_time is not an ISO-8601 timestamp")),
    ]
    found = F.filter(F.array(*problems), lambda p: p.isNotNull())
    return F.when(F.size(found) > 0, F.array_join(found, "; "))


def parse_records(records: DataFrame) -> DataFrame:
    """Add the envelope columns, ``raw_value`` (text), ``ingested_at`` and ``reason``."""
    raw = F.col("value").cast("string")
    parsed = records.select(
        *RECORD_COLUMNS,
        raw.alias("raw_value"),
        F.from_json(raw, ENVELOPE_TEXT_SCHEMA, _CORRUPT).alias("_text"),
        F.from_json(raw, ENVELOPE_TYPE_SCHEMA).alias("_typed"),
    )
    text, typed = F.col("_text"), F.col("_typed")
    time_text = text["event_time"]
    # try_cast: Spark 4 runs with ANSI mode on, where a failed cast would fail the batch.
    event_time = F.when(
        time_text.rlike(_ISO_INSTANT), F.expr("try_cast(_text.event_time AS TIMESTAMP)")
    )
    reason = (
        F.when(F.col("value").isNull(), F.lit("empty record"))
        .when(
            text.isNull() | text["_corrupt_record"].isNotNull(),
            F.when(F.col("raw_value").rlike(r"^\s*$"), F.lit("invalid JSON: empty value"))
            .when(F.ltrim(F.col("raw_value")).startswith("{"), F.lit("invalid JSON"))
            .otherwise(F.lit("invalid JSON: not an object")),
        )
        .otherwise(F.coalesce(_missing(text), _wrong_types(text, typed, event_time)))
    )
    return parsed.select(
        *RECORD_COLUMNS,
        "raw_value",
        text["id"].alias("event_id"),
        text["type"].alias("event_type"),
        event_time.alias("event_time"),
        typed["schema_version"].alias("schema_version"),
        text["payload"].alias("payload"),
        F.current_timestamp().alias("ingested_at"),
        reason.alias("reason"),
    )


def event_day() -> Column:
    """``event_time``'s UTC date as text, whatever the session time zone.

    Iceberg's ``days()`` partitions by the UTC date too.
    """
    return F.expr(
        "CAST(date_from_unix_date(CAST(floor(unix_micros(event_time) / 86400000000) AS INT))"
        " AS STRING)"
    )


def bronze_rows(parsed: DataFrame) -> DataFrame:
    """The good records, in the bronze table's column order."""
    return parsed.where(F.col("reason").isNull()).select(*(name for name, _ in BRONZE_COLUMNS))


def dead_letter_rows(parsed: DataFrame) -> DataFrame:
    """The bad records with their exact bytes and reason, in the dead-letter table's order."""
    return parsed.where(F.col("reason").isNotNull()).select(
        F.col("value").alias("raw_value"), *(name for name, _ in DEAD_LETTER_COLUMNS[1:])
    )
