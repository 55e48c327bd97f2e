"""Day ranges: what one silver run reads and replaces, in UTC days.

A silver partition is an event day (UTC). A run builds ``[start, end)``: it reads the
bronze rows whose ``event_time`` falls in those days (bronze is partitioned by the same
days, so that is a pruned read) and replaces exactly those days in every silver table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import Column
from pyspark.sql import functions as F

_MICROS_PER_DAY = 86_400_000_000


@dataclass(frozen=True)
class DayRange:
    """UTC days ``start`` (inclusive) to ``end`` (exclusive)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"a day range needs end > start (got {self.start} to {self.end})")

    @classmethod
    def inclusive(cls, first: dt.date, last: dt.date) -> DayRange:
        return cls(first, last + dt.timedelta(days=1))

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days)]

    def bounds(self, margin: dt.timedelta = dt.timedelta(0)) -> tuple[dt.datetime, dt.datetime]:
        """The range as UTC instants, widened by ``margin`` on both sides."""
        start = dt.datetime.combine(self.start, dt.time(), dt.UTC) - margin
        end = dt.datetime.combine(self.end, dt.time(), dt.UTC) + margin
        return start, end

    def contains(self, day: Column) -> Column:
        """Whether a DATE column is one of the range's days."""
        return (day >= F.lit(self.start)) & (day < F.lit(self.end))

    def __str__(self) -> str:
        last = self.end - dt.timedelta(days=1)
        return str(self.start) if last == self.start else f"{self.start}..{last}"


def utc_date(timestamp: str | Column) -> Column:
    """The UTC day of a timestamp, whatever the Spark session's time zone."""
    column = F.col(timestamp) if isinstance(timestamp, str) else timestamp
    return F.date_from_unix_date(F.floor(F.unix_micros(column) / _MICROS_PER_DAY).cast("int"))


def time_between(column: str, start: dt.datetime, end: dt.datetime) -> Column:
    """``start <= column < end`` for aware UTC datetimes (a pruned read on days(column))."""
    return (F.col(column) >= F.lit(start)) & (F.col(column) < F.lit(end))
