"""The project's envelope parser (streaming/jvm) against Spark's ``from_json``: same results.

It exists for speed only, so every record must come out exactly as ``from_json`` with the
envelope schema would give it: the good ones the generator writes, the trouble it
injects, and the unusual records a producer could send.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np
import orjson
import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from data_generators.trouble import MALFORMED_KINDS, corrupt
from streaming.bronze import parse
from streaming.bronze.parse import ENVELOPE_PARSER_CLASS, EnvelopeParserMissing, envelope
from streaming.bronze.schemas import ENVELOPE_SCHEMA
from tests.unit.streaming.test_parse import GOOD
from tests.unit.streaming.test_parse import _envelope as envelope_bytes

#: Records that are valid JSON objects but not of the usual shape, and ones that are not.
UNUSUAL: list[bytes | None] = [
    None,
    b"",
    b"   ",
    b"{}",
    b"[1]",
    b'"text"',
    b"null",
    b"{",
    envelope_bytes(id=12345),  # a number as id: Spark renders it as text
    envelope_bytes(id={"nested": [1, 2]}),  # an object as id: rendered as JSON text
    envelope_bytes(type=True),
    envelope_bytes(id=None),
    envelope_bytes(schema_version=2**40),  # beyond INT
    envelope_bytes(schema_version=-3),
    envelope_bytes(schema_version=1.0),
    envelope_bytes(schema_version="1"),
    envelope_bytes(payload=[]),
    envelope_bytes(payload="{}"),
    envelope_bytes(payload={}),
    envelope_bytes(event_time=None),
    envelope_bytes(id="ünïcödé-ïd"),  # non-ASCII text
    envelope_bytes(type="order_placed\u2028"),
    envelope_bytes(extra={"_corrupt_record": "x"}),
    orjson.dumps({**GOOD, "_corrupt_record": "already bad"}),
    orjson.dumps({**GOOD, "ID": "upper-case twin"}),
    envelope_bytes().replace(b'"id"', b'"id":"first","id"', 1),  # a field twice
    b"{'id': 'x', 'type': 't', 'event_time': '2024-03-01T00:00:00Z', "
    b"'schema_version': 1, 'payload': {}}",  # single quotes: Spark allows them
    envelope_bytes(payload={"price": float("nan")}).replace(b"null", b"NaN"),
    envelope_bytes() + b" trailing words",  # Spark reads the first value only
    envelope_bytes() + b"{}",
    b"\xef\xbb\xbf" + envelope_bytes(),  # a UTF-8 byte-order mark
    "\ufeff".encode("utf-16-le") + envelope_bytes().decode().encode("utf-16-le"),
    envelope_bytes(payload={"note": "x"}).replace(b'"x"', b'"\xff\xfe"'),  # bad UTF-8
    envelope_bytes(id="bad").replace(b'"bad"', b'"b\xc3("'),
    b' \n\t{"id": "a", "type": "t", "event_time": "2024-03-01T00:00:00Z", '
    b'"schema_version": 1, "payload": {"deep": [[[{"x": null}]]]}}',
    b'{"id": "a", "type": "t", "event_time": "2024-03-01T00:00:00Z", '
    b'"schema_version": 01, "payload": {}}',  # a leading zero: not JSON
]


def _same_as_from_json(spark: SparkSession, values: list[bytes | None]) -> None:
    frame = spark.createDataFrame([(i, v) for i, v in enumerate(values)], "i INT, value BINARY")
    compared = frame.select(
        "i",
        envelope(spark).alias("ours"),
        F.from_json(
            F.col("value").cast("string"),
            ENVELOPE_SCHEMA,
            {"columnNameOfCorruptRecord": "_corrupt_record"},
        ).alias("spark"),
    ).orderBy("i")
    differences = [
        (values[row["i"]], row["ours"], row["spark"])
        for row in compared.collect()
        if row["ours"] != row["spark"]
    ]
    assert differences == []


def test_unusual_records_parse_as_from_json_parses_them(local_spark: SparkSession) -> None:
    _same_as_from_json(local_spark, UNUSUAL)


def test_generated_records_and_injected_trouble_parse_as_from_json(
    local_spark: SparkSession,
) -> None:
    rng = np.random.default_rng(5)
    good = [
        envelope_bytes(
            id=f"id-{i}",
            type=str(rng.choice(["page_view", "add_to_cart", "order_placed"])),
            event_time=f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:00:00.{i % 1000:03d}Z",
            schema_version=int(rng.integers(1, 4)),
            payload={"n": i, "tags": ["a", "b"], "price": float(rng.random())},
        )
        for i in range(200)
    ]
    troubled = [
        corrupt(v.decode(), kind, rng).encode() for v in good[:60] for kind in MALFORMED_KINDS
    ]
    _same_as_from_json(local_spark, good + troubled)


def _parser_class(spark: SparkSession) -> Any:
    return reduce(getattr, ENVELOPE_PARSER_CLASS.split("."), spark.sparkContext._jvm)


def test_the_usual_record_takes_the_fast_path(local_spark: SparkSession) -> None:
    # If the fast path declined every record, results would still be right but the
    # parser would be slower than from_json: this guards the reason it exists.
    parser = _parser_class(local_spark)()
    fast = parser.fastPath(bytearray(envelope_bytes()))
    assert fast is not None
    assert fast.getString(0) == GOOD["id"]
    assert fast.getInt(3) == 1
    assert parser.fastPath(bytearray(envelope_bytes(id="ünïcödé"))) is None
    assert parser.fastPath(bytearray(b"{'id': 'x'}")) is None


def test_the_java_schema_is_the_python_one(local_spark: SparkSession) -> None:
    assert _parser_class(local_spark).SCHEMA == ENVELOPE_SCHEMA


def test_a_session_without_the_functions_jar_is_told_what_to_add(
    local_spark: SparkSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse, "ENVELOPE_PARSER_CLASS", "lakehouse.bronze.NotThere")
    with pytest.raises(EnvelopeParserMissing, match=r"NotThere.*spark\.jars"):
        parse.envelope(local_spark)
