"""Turn raw records into bronze rows or dead letters, all in the JVM.

Input is the *record* shape both sources are normalised to (see :func:`kafka_records`
and :mod:`streaming.bronze.files_job`)::

    value binary, kafka_topic string, kafka_partition int, kafka_offset bigint,
    kafka_key string, kafka_timestamp timestamp, source_file string

:func:`parse_records` adds the envelope columns and ``reason``: null for a good record,
otherwise why it is a dead letter. A good record is parsed once, with the envelope's
types (see :mod:`streaming.bronze.schemas`); only a record that fails that is parsed a
second time, as text, to say exactly what is wrong. Both run in the JVM, far cheaper
than a Python UDF. The first parse is the project's own Java function
(streaming/jvm/lakehouse/bronze/EnvelopeParser.java, decision 0010): what ``from_json``
would give, about twice as fast; it must be on the session's classpath (sessions made
by ``ecommerce_assets.resources.spark`` compile and add it).

What is a dead letter, checked in this order (the first that applies is the reason):

* the value is null (a tombstone): "empty record"
* not JSON, or JSON but not an object: "invalid JSON" / "invalid JSON: not an object" /
  "invalid JSON: empty value"
* a required envelope field absent or JSON null: "missing required field: event_time"
  (all missing fields are listed)
* wrong types, all listed, separated by "; ": "wrong type: schema_version is not an
  integer", "wrong type: payload is not a JSON object", "wrong type: event_time is not an
  ISO-8601 timestamp" (a number such as epoch millis included)

Extra fields, in the envelope or the payload (schema drift), are not errors: bronze
keeps the record as it arrived (``raw_value``), payload included, for silver to read
with each stream's own schema. ``id`` and ``type`` accept any JSON scalar (Spark
renders it as text); silver decides what a valid type is.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce

from pyspark.errors import AnalysisException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from streaming.bronze.schemas import BRONZE_COLUMNS, ENVELOPE_SCHEMA, ENVELOPE_TEXT_SCHEMA
from streaming.contracts import REQUIRED_FIELDS

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

ENVELOPE_PARSER_CLASS = "lakehouse.bronze.EnvelopeParser"
_ENVELOPE_FUNCTION = "lakehouse_bronze_envelope"
_ZULU_CLASS = "lakehouse.bronze.ZuluMillisTimestamp"
_ZULU_FUNCTION = "lakehouse_bronze_zulu_millis_micros"


class EnvelopeParserMissing(RuntimeError):
    """The session lacks the project's Spark functions jar."""


def envelope(spark: SparkSession) -> Column:
    """The envelope parse of ``value``, with the function registered in ``spark``."""
    try:
        spark.udf.registerJavaFunction(_ENVELOPE_FUNCTION, ENVELOPE_PARSER_CLASS, ENVELOPE_SCHEMA)
    except AnalysisException as error:
        raise EnvelopeParserMissing(
            f"Spark cannot load {ENVELOPE_PARSER_CLASS}: the session needs the project's "
            "Spark functions jar in spark.jars (ecommerce_assets.resources.spark compiles it "
            "from streaming/jvm and adds it)"
        ) from error
    return F.call_function(_ENVELOPE_FUNCTION, F.col("value"))


def _event_time(spark: SparkSession, text: Column) -> Column:
    """``text`` as a timestamp, null unless it is an ISO-8601 instant.

    The producers' shape ("2024-05-01T12:00:00.123Z") is read by the project's Java
    function (ZuluMillisTimestamp.java: the same result as the cast without the two
    regex matches Spark's cast spends on every "Z", ~5 % of the tasks' CPU); the cast
    reads everything else.
    """
    spark.udf.registerJavaFunction(_ZULU_FUNCTION, _ZULU_CLASS, "bigint")
    # try_cast: Spark 4 runs with ANSI mode on, where a failed cast would fail the batch.
    return F.coalesce(
        F.timestamp_micros(F.call_function(_ZULU_FUNCTION, text)),
        F.when(_is_instant_text(text), text.try_cast("timestamp")),
    )


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
    # Spark's JSON parser keeps the fields it could convert (partial results), so each
    # type error shows as its own null beside a set corrupt-record column.
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


def _diagnosis(raw: Column, typed: Column, event_time: Column) -> Column:
    """Why a record is a dead letter (only evaluated for records that are)."""
    text = F.from_json(raw, ENVELOPE_TEXT_SCHEMA, _CORRUPT)
    return (
        F.when(F.col("value").isNull(), F.lit("empty record"))
        .when(
            text.isNull() | text["_corrupt_record"].isNotNull(),
            F.when(raw.rlike(r"^\s*$"), F.lit("invalid JSON: empty value"))
            .when(F.ltrim(raw).startswith("{"), F.lit("invalid JSON"))
            .otherwise(F.lit("invalid JSON: not an object")),
        )
        .otherwise(
            F.coalesce(
                _missing(text),
                _wrong_types(typed, event_time),
                F.lit("invalid record"),  # unreachable by the checks above; never a null
            )
        )
    )


def parse_records(records: DataFrame) -> DataFrame:
    """Add the envelope columns and ``reason`` to records.

    The raw text is not a column here (it is ``value`` cast to text, derived when the
    bronze rows are selected), so no copy of every record's bytes is carried along.
    Nor is ``ingested_at``: the parse's generated code must be the same for every batch
    and topic (see :func:`bronze_rows`).
    """
    raw = F.col("value").cast("string")
    # The parse is a column of its own so that Spark evaluates it once per record
    # (it does not inline an expensive expression that is used several times).
    parsed = records.select(*RECORD_COLUMNS, envelope(records.sparkSession).alias("_envelope"))
    typed = F.col("_envelope")
    event_time = _event_time(records.sparkSession, typed["event_time"])
    good = (
        F.col("value").isNotNull()
        & typed["_corrupt_record"].isNull()
        & event_time.isNotNull()
        & reduce(Column.__and__, (typed[name].isNotNull() for name in REQUIRED_FIELDS))
    )
    return parsed.select(
        *RECORD_COLUMNS,
        typed["id"].alias("event_id"),
        typed["type"].alias("event_type"),
        event_time.alias("event_time"),
        typed["schema_version"].alias("schema_version"),
        F.when(~good, _diagnosis(raw, typed, event_time)).alias("reason"),
    )


def epoch_day() -> Column:
    """``event_time``'s UTC date as days since 1970-01-01, whatever the session time zone.

    Iceberg's ``days()`` partitions by the UTC date too.
    """
    return F.floor(F.unix_micros("event_time") / 86_400_000_000).cast("int")


def bronze_rows(parsed: DataFrame, ingested_at: dt.datetime) -> DataFrame:
    """The good records, in the bronze table's column order.

    Filter *after* an observation (see :mod:`streaming.bronze.dead_letters`): below
    one, Spark would push the filter under the parse and inline the parse into it.

    ``ingested_at`` (the batch's time, like ``current_timestamp()``) is added here, past
    the observation, in a small code-generated stage of its own. Spark writes a
    timestamp constant into the generated Java source, so in the parse's stage it made
    every batch and topic a new class: compiled again, then warmed up again by the JIT
    (about a fifth of the CPU of a run).
    """
    derived = {"raw_value": F.col("value").cast("string"), "ingested_at": F.lit(ingested_at)}
    return parsed.where(F.col("reason").isNull()).select(
        *(derived.get(name, F.col(name)).alias(name) for name, _ in BRONZE_COLUMNS)
    )
