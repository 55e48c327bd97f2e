"""The event-time fast path (streaming/jvm ZuluMillisTimestamp) against Spark's cast.

It exists for speed only: every text must come out as the cast alone would read it,
in any session time zone (the unit session's is not UTC).
"""

from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from streaming.bronze import parse

TEXTS: list[str | None] = [
    None,
    "",
    "2024-03-01T12:34:56.789Z",  # the producers' shape
    "1970-01-01T00:00:00.000Z",
    "1969-12-31T23:59:59.999Z",
    "0001-01-01T00:00:00.000Z",
    "0000-01-01T00:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
    "2024-02-29T00:00:00.000Z",
    "2023-02-29T00:00:00.000Z",  # no such day
    "2024-02-30T00:00:00.000Z",
    "2024-13-01T00:00:00.000Z",
    "2024-00-10T00:00:00.000Z",
    "2024-03-01T24:00:00.000Z",  # no such hour
    "2024-03-01T23:60:00.000Z",
    "2024-03-01T23:59:60.000Z",
    "2024-03-01t12:34:56.789Z",  # lower-case t: the cast's business
    "2024-03-01 12:34:56.789Z",
    "2024-03-01T12:34:56.789z",
    "2024-03-01T12:34:56.789+00:00",
    "2024-03-01T12:34:56.789+01:00",
    "2024-03-01T12:34:56Z",
    "2024-03-01T12:34:56.7Z",
    "2024-03-01T12:34:56.123456Z",
    "2024-03-01T12:34:56.78 Z",
    " 2024-03-01T12:34:56.789Z",
    "2024-03-01T12:34:56.789Z ",
    "2024-3-01T12:34:56.7890Z",
    "+024-03-01T12:34:56.789Z",
    "2024-03-01T12:34:5a.789Z",
    "2024-03-01T12:34:56.78aZ",
    "2024-03-01T12:34:56,789Z",
    "2024-03-01T12:34:56.789ZZ",
    "2024-03-01T12:34:56.789",  # no zone: the session's
    "\uff12\uff10\uff12\uff14-03-01T12:34:56.789Z",  # full-width digits
    "1710000000000",
    "not a time",
]


def test_event_times_read_as_the_cast_reads_them(local_spark: SparkSession) -> None:
    frame = local_spark.createDataFrame([(i, t) for i, t in enumerate(TEXTS)], "i INT, t STRING")
    text = F.col("t")
    # As epoch microseconds: Python's datetime has no year 0.
    compared = frame.select(
        "i",
        F.unix_micros(parse._event_time(local_spark, text)).alias("ours"),
        F.unix_micros(F.when(parse._is_instant_text(text), text.try_cast("timestamp"))).alias(
            "cast"
        ),
    ).orderBy("i")
    differences = [
        (TEXTS[row["i"]], row["ours"], row["cast"])
        for row in compared.collect()
        if row["ours"] != row["cast"]
    ]
    assert differences == []


def test_the_producers_shape_takes_the_fast_path(local_spark: SparkSession) -> None:
    # Were every text left to the cast, results would still be right, only slower.
    jvm = local_spark.sparkContext._jvm
    assert jvm is not None
    function = jvm.lakehouse.bronze.ZuluMillisTimestamp()
    assert function.call("2024-03-01T12:34:56.789Z") == 1_709_296_496_789_000
    assert function.call("2024-03-01T12:34:56Z") is None
    assert function.call("2024-02-30T00:00:00.000Z") is None
