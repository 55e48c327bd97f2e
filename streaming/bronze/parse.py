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


def _listed(parts: list[tuple[Column, str]], separator: str) -> Column:
    """The texts whose condition holds, joined; null if none.

    concat_ws skips nulls, so this stays in generated code, unlike an array filter
    (higher-order functions are interpreted row by row).
    """
    joined = F.concat_ws(separator, *(F.when(cond, F.lit(text)) for cond, text in parts))
    return F.nullif(joined, F.lit(""))


def _missing(text: Column) -> Column:
    absent = [(text[name].isNull(), name) for name in REQUIRED_FIELDS]
    count = sum((F.when(cond, 1).otherwise(0) for cond, _ in absent), F.lit(0))
    names = _listed(absent, ", ")
    return F.when(count == 1, F.concat(F.lit("missing required field: "), names)).when(
        count > 1, F.concat(F.lit("missing required fields: "), names)
    )


def _wrong_types(typed: Column, event_time: Column) -> Column:
    return _listed(
        [
            (typed["schema_version"].isNull(), "wrong type: schema_version is not an integer"),
            (typed["payload"].isNull(), "wrong type: payload is not a JSON object"),
            (event_time.isNull(), "wrong type: event_time is not an ISO-8601 timestamp"),
        ],
        "; ",
    )


def _is_instant_text(text: Column) -> Column:
    # A date, a time and a zone ("...T12:00:00Z", "...T12:00:00.1+01:00"): checked by
    # position rather than a regex, which costs more than the whole envelope parse.
    # What the cast then rejects (2024-02-30, 25:00) is null, so still a dead letter.
    return (
        (F.length(text) >= 17)
        & (F.substring(text, 5, 1) == "-")
        & F.substring(text, 11, 1).isin("T", "t", " ")
        & (text.endswith("Z") | text.endswith("z") | F.substring(text, -6, 1).isin("+", "-"))
    )


def parse_records(records: DataFrame) -> DataFrame:
    """Add the envelope columns, ``ingested_at`` and ``reason`` to records.

    The raw text is not a column here (it is ``value`` cast to text, derived when the
    bronze rows are selected): this frame is what a batch caches, and a third copy of
    every record's bytes would only make the cache bigger.
    """
    raw = F.col("value").cast("string")
    parsed = records.select(
        *RECORD_COLUMNS,
        F.from_json(raw, ENVELOPE_TEXT_SCHEMA, _CORRUPT).alias("_text"),
        F.from_json(raw, ENVELOPE_TYPE_SCHEMA).alias("_typed"),
    )
    text, typed = F.col("_text"), F.col("_typed")
    # try_cast: Spark 4 runs with ANSI mode on, where a failed cast would fail the batch.
    event_time = F.when(
        _is_instant_text(text["event_time"]), F.expr("try_cast(_text.event_time AS TIMESTAMP)")
    )
    reason = (
        F.when(F.col("value").isNull(), F.lit("empty record"))
        .when(
            text.isNull() | text["_corrupt_record"].isNotNull(),
            F.when(raw.rlike(r"^\s*$"), F.lit("invalid JSON: empty value"))
            .when(F.ltrim(raw).startswith("{"), F.lit("invalid JSON"))
            .otherwise(F.lit("invalid JSON: not an object")),
        )
        .otherwise(F.coalesce(_missing(text), _wrong_types(typed, event_time)))
    )
    return parsed.select(
        *RECORD_COLUMNS,
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
    raw = F.col("value").cast("string").alias("raw_value")
    return parsed.where(F.col("reason").isNull()).select(
        *(raw if name == "raw_value" else F.col(name) for name, _ in BRONZE_COLUMNS)
    )


def dead_letter_rows(parsed: DataFrame) -> DataFrame:
    """The bad records with their exact bytes and reason, in the dead-letter table's order."""
    return parsed.where(F.col("reason").isNotNull()).select(
        F.col("value").alias("raw_value"), *(name for name, _ in DEAD_LETTER_COLUMNS[1:])
    )
