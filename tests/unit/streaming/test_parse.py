"""The bronze parser on small in-memory batches: what is good, what is a dead letter, why."""

from __future__ import annotations

import datetime as dt

import numpy as np
import orjson
import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from data_generators.trouble import MALFORMED_KINDS, corrupt
from streaming.bronze.dead_letters import DeadLetterWatch, write_split
from streaming.bronze.parse import bronze_rows, epoch_day, parse_records
from streaming.bronze.schemas import BRONZE_COLUMNS, DEAD_LETTER_COLUMNS
from streaming.bronze.sink import AppendResult

GOOD = {
    "id": "7b0c2f1e-0000-4000-8000-000000000001",
    "type": "order_placed",
    "event_time": "2024-03-01T23:59:59.999Z",
    "schema_version": 1,
    "payload": {"order_id": "o-1", "items": [{"sku": "p-1", "qty": 2}], "total": 12.5},
}
#: The batch time bronze rows and dead letters are stamped with.
INGESTED_AT = dt.datetime(2024, 3, 2, 6, 30, tzinfo=dt.UTC)
RECORD_SCHEMA = (
    "value BINARY, kafka_topic STRING, kafka_partition INT, kafka_offset BIGINT, "
    "kafka_key STRING, kafka_timestamp TIMESTAMP, source_file STRING"
)


def _records(spark: SparkSession, values: list[bytes | None]) -> DataFrame:
    stamp = dt.datetime(2024, 3, 2, tzinfo=dt.UTC)
    rows = [(v, "shop.orders", 0, i, "c-1", stamp, None) for i, v in enumerate(values)]
    return spark.createDataFrame(rows, RECORD_SCHEMA)


def _envelope(**changes: object) -> bytes:
    record = {**GOOD, **changes}
    return orjson.dumps({k: v for k, v in record.items() if v is not _DROP})


_DROP = object()


def _micros(stamp: dt.datetime) -> int:
    return (stamp - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)


def _reasons(spark: SparkSession, values: list[bytes | None]) -> list[str | None]:
    parsed = parse_records(_records(spark, values)).orderBy("kafka_offset")
    return [row["reason"] for row in parsed.collect()]


def test_a_good_record_keeps_envelope_raw_record_and_coordinates(
    local_spark: SparkSession,
) -> None:
    value = _envelope()
    good = bronze_rows(parse_records(_records(local_spark, [value])), INGESTED_AT)
    rows = good.collect()
    assert len(rows) == 1
    row = rows[0]
    assert row["event_id"] == GOOD["id"]
    assert row["event_type"] == "order_placed"
    assert row["schema_version"] == 1
    assert row["raw_value"] == value.decode()
    assert (row["kafka_topic"], row["kafka_partition"], row["kafka_offset"]) == (
        "shop.orders",
        0,
        0,
    )
    assert row["kafka_key"] == "c-1"
    assert good.select(F.unix_micros("ingested_at")).first()[0] == _micros(INGESTED_AT)
    empty = bronze_rows(parse_records(_records(local_spark, [])), INGESTED_AT)
    assert [f.name for f in empty.schema] == [name for name, _ in BRONZE_COLUMNS]


def test_event_time_is_the_utc_instant_and_its_day_is_utc(local_spark: SparkSession) -> None:
    # 23:59:59.999Z is already the next day in no zone west of UTC... and the previous
    # calendar day in Los Angeles (the session zone): the day must still be 2024-03-01.
    values = [_envelope(), _envelope(event_time="2024-03-01T20:00:00-05:00")]
    parsed = parse_records(_records(local_spark, values)).orderBy("kafka_offset")
    rows = parsed.select(
        "reason",
        "event_time",
        F.date_from_unix_date(epoch_day()).cast("string").alias("day"),
        parsed.event_time.cast("long"),
    ).collect()
    assert [r["reason"] for r in rows] == [None, None]
    assert rows[0][3] == int(dt.datetime(2024, 3, 1, 23, 59, 59, tzinfo=dt.UTC).timestamp())
    assert rows[1][3] == int(dt.datetime(2024, 3, 2, 1, 0, tzinfo=dt.UTC).timestamp())
    assert [r["day"] for r in rows] == ["2024-03-01", "2024-03-02"]


def test_schema_drift_is_not_an_error(local_spark: SparkSession) -> None:
    drifted = _envelope(
        schema_version=2, payload={**GOOD["payload"], "gift_wrap": True}, extra_top="x"
    )
    rows = bronze_rows(parse_records(_records(local_spark, [drifted])), INGESTED_AT).collect()
    assert len(rows) == 1
    assert rows[0]["schema_version"] == 2
    assert orjson.loads(rows[0]["raw_value"])["payload"]["gift_wrap"] is True


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "empty record"),
        (b"", "invalid JSON: empty value"),
        (b" \n", "invalid JSON: empty value"),
        (_envelope()[:40], "invalid JSON"),
        (b"[1, 2]", "invalid JSON: not an object"),
        (b'"just text"', "invalid JSON: not an object"),
        (_envelope(event_time=_DROP), "missing required field: event_time"),
        (_envelope(payload=None), "missing required field: payload"),
        (_envelope(id=_DROP, type=_DROP), "missing required fields: id, type"),
        (_envelope(schema_version="v1"), "wrong type: schema_version is not an integer"),
        (_envelope(schema_version="1"), "wrong type: schema_version is not an integer"),
        (_envelope(schema_version=1.5), "wrong type: schema_version is not an integer"),
        (
            _envelope(payload=orjson.dumps(GOOD["payload"]).decode()),
            "wrong type: payload is not a JSON object",
        ),
        (_envelope(payload=[1]), "wrong type: payload is not a JSON object"),
        (
            _envelope(event_time=1_700_000_000_000),
            "wrong type: event_time is not an ISO-8601 timestamp",
        ),
        (_envelope(event_time="2024-03-01"), "wrong type: event_time is not an ISO-8601 timestamp"),
        (
            _envelope(event_time="2024-02-30T00:00:00Z"),
            "wrong type: event_time is not an ISO-8601 timestamp",
        ),
        (
            _envelope(event_time="yesterday", schema_version="v1"),
            "wrong type: schema_version is not an integer; "
            "wrong type: event_time is not an ISO-8601 timestamp",
        ),
    ],
)
def test_dead_letter_reasons(local_spark: SparkSession, value: bytes | None, reason: str) -> None:
    assert _reasons(local_spark, [value, _envelope()]) == [reason, None]


def test_every_malformed_kind_the_generator_injects_is_a_dead_letter(
    local_spark: SparkSession,
) -> None:
    rng = np.random.default_rng(11)
    good = _envelope().decode()
    corrupted = [corrupt(good, kind, rng).encode() for kind in MALFORMED_KINDS for _ in range(40)]
    reasons = _reasons(local_spark, corrupted)
    assert all(reasons), [c for c, r in zip(corrupted, reasons, strict=True) if r is None]
    assert any(r.startswith("invalid JSON") for r in reasons)
    assert any(r.startswith("missing required field") for r in reasons)
    assert any(r.startswith("wrong type") for r in reasons)


def test_dead_letters_are_gathered_while_the_good_rows_pass(local_spark: SparkSession) -> None:
    value = b'{"id": "x", "type": \xff\xfe broken'
    parsed = parse_records(_records(local_spark, [value, _envelope(), None]))
    watch = DeadLetterWatch(parsed, INGESTED_AT)
    good = bronze_rows(watch.batch, INGESTED_AT).collect()  # the one action: the append
    assert [row["kafka_offset"] for row in good] == [1]
    assert watch.count == 2
    rows = sorted(watch.rows().collect(), key=lambda row: row["kafka_offset"])
    assert bytes(rows[0]["raw_value"]) == value  # the exact bytes, not valid UTF-8
    assert rows[0]["reason"] == "invalid JSON"
    assert (rows[0]["kafka_partition"], rows[0]["kafka_offset"]) == (0, 0)
    assert rows[0]["kafka_timestamp"] == good[0]["kafka_timestamp"]  # through Python intact
    assert rows[0]["ingested_at"] == good[0]["ingested_at"]
    stamps = watch.rows().select(F.unix_micros("ingested_at")).collect()
    assert [row[0] for row in stamps] == [_micros(INGESTED_AT)] * 2
    assert (rows[1]["raw_value"], rows[1]["reason"]) == (None, "empty record")
    assert [f.name for f in watch.rows().schema] == [name for name, _ in DEAD_LETTER_COLUMNS]


def test_a_batch_without_dead_letters_gathers_none(local_spark: SparkSession) -> None:
    watch = DeadLetterWatch(
        parse_records(_records(local_spark, [_envelope(), _envelope()])), INGESTED_AT
    )
    watch.drain()
    assert watch.count == 0
    assert watch.rows().count() == 0


def test_too_many_dead_letters_to_gather_take_a_second_pass(local_spark: SparkSession) -> None:
    # Spark aborts a pass whose task results outgrow spark.driver.maxResultSize; the
    # first write here fails the way that abort does, the retry writes for real.
    written: list[int] = []

    def write_good(rows: DataFrame) -> AppendResult:
        if not written:
            written.append(-1)
            raise RuntimeError("Total size of serialized results ... spark.driver.maxResultSize")
        offsets = sorted(row["kafka_offset"] for row in rows.collect())
        written.extend(offsets)
        return AppendResult(len(offsets))

    values = [_envelope(), b'{"broken', _envelope(), None, b"[1]"]
    result, dead = write_split(
        parse_records(_records(local_spark, values)), write_good, INGESTED_AT
    )
    assert (result.rows, written) == (2, [-1, 0, 2])
    assert dead is not None
    rows = sorted(dead.collect(), key=lambda row: row["kafka_offset"])
    assert [(row["kafka_offset"], row["reason"]) for row in rows] == [
        (1, "invalid JSON"),
        (3, "empty record"),
        (4, "invalid JSON: not an object"),
    ]
    assert bytes(rows[0]["raw_value"]) == b'{"broken'
    assert [f.name for f in dead.schema] == [name for name, _ in DEAD_LETTER_COLUMNS]
    stamps = {row[0] for row in dead.select(F.unix_micros("ingested_at")).collect()}
    assert stamps == {_micros(INGESTED_AT)}


def test_other_failures_are_not_retried(local_spark: SparkSession) -> None:
    def write_good(rows: DataFrame) -> AppendResult:
        raise RuntimeError("catalog unreachable")

    with pytest.raises(RuntimeError, match="catalog unreachable"):
        write_split(parse_records(_records(local_spark, [_envelope()])), write_good, INGESTED_AT)
