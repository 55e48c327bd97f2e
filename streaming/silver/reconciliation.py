"""Recount, from the tables themselves, that nothing vanished between bronze and silver.

Per day and silver table of events: the bronze rows of its event types are either
copies of an event (duplicates removed), quarantined, or silver rows, so
``distinct event ids in bronze = silver rows + quarantined`` and
``bronze rows = silver rows + quarantined + duplicates``. Bronze rows whose event type
is unknown to their stream are all in the quarantine (``silver_table`` null). The counts
are made independently of the run that built silver, so a bug there shows here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from streaming.contracts import stream_contract
from streaming.contracts.naming import bronze_table
from streaming.silver import quarantine
from streaming.silver.days import DayRange, utc_date
from streaming.silver.events import read_bronze


@dataclass(frozen=True)
class DayCount:
    table: str
    day: dt.date
    bronze_rows: int
    bronze_events: int
    silver_rows: int
    quarantined: int

    @property
    def duplicates(self) -> int:
        return self.bronze_rows - self.bronze_events

    @property
    def reconciles(self) -> bool:
        return self.bronze_events == self.silver_rows + self.quarantined

    def as_dict(self) -> dict[str, object]:
        return {
            "table": self.table,
            "day": self.day.isoformat(),
            "bronze_rows": self.bronze_rows,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "silver_rows": self.silver_rows,
            "reconciles": self.reconciles,
        }


def _by_day(frame: DataFrame, day: str) -> dict[dt.date, int]:
    return {r[0]: int(r[1]) for r in frame.groupBy(day).count().collect()}


def _bronze_counts(
    spark: SparkSession, stream: str, types: list[str], days: DayRange, *, known: bool
) -> dict[dt.date, tuple[int, int]]:
    start, end = days.bounds()
    typed = F.col("event_type").isin(*types)
    rows = read_bronze(spark, stream, start, end).where(typed if known else ~typed)
    counts = rows.groupBy(utc_date("event_time").alias("day")).agg(
        F.count(F.lit(1)).alias("rows"), F.count_distinct("event_id").alias("events")
    )
    return {r["day"]: (int(r["rows"]), int(r["events"])) for r in counts.collect()}


def _quarantined(
    spark: SparkSession, days: DayRange, silver_table: str | None, source: str
) -> dict[dt.date, int]:
    rows = spark.table(quarantine.TABLE.identifier).where(
        days.contains(F.col("event_date")) & (F.col("source_table") == source)
    )
    if silver_table is None:
        rows = rows.where(F.col("silver_table").isNull())
    else:
        rows = rows.where(F.col("silver_table") == silver_table)
    return _by_day(rows, "event_date")


def reconcile_table(
    spark: SparkSession, identifier: str, stream: str, event_types: Iterable[str], days: DayRange
) -> list[DayCount]:
    """Per day of ``days``: bronze rows of ``event_types`` vs ``identifier`` + quarantine."""
    bronze = _bronze_counts(spark, stream, list(event_types), days, known=True)
    silver = _by_day(
        spark.table(identifier).where(days.contains(F.col("event_date"))), "event_date"
    )
    held = _quarantined(spark, days, identifier, bronze_table(stream))
    return [
        DayCount(identifier, day, *bronze.get(day, (0, 0)), silver.get(day, 0), held.get(day, 0))
        for day in days.days
    ]


def reconcile_unknown(spark: SparkSession, stream: str, days: DayRange) -> list[DayCount]:
    """Per day: bronze rows of event types the stream does not have vs the quarantine."""
    types = list(stream_contract(stream).event_types)
    bronze = _bronze_counts(spark, stream, types, days, known=False)
    held = _quarantined(spark, days, None, bronze_table(stream))
    return [
        DayCount(
            f"{bronze_table(stream)} (unknown types)",
            day,
            *bronze.get(day, (0, 0)),
            0,
            held.get(day, 0),
        )
        for day in days.days
    ]
