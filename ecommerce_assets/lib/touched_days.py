"""Which event days need rebuilding downstream of bronze, from what bronze runs reported.

Each bronze materialization carries ``touched_event_days`` (the event days of the rows
it appended, late ones included). A day is *pending* when a bronze run touched it after
the day's last rebuild in every partitioned downstream table; pending days are rebuilt
as few runs as possible without rebuilding a day nobody touched: one run per run of
consecutive days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Touch:
    """One bronze materialization: where it is in the event log and the days it touched."""

    storage_id: int
    run_id: str
    days: tuple[str, ...]


@dataclass(frozen=True)
class DayRange:
    """Consecutive partition keys ``start`` to ``end``, both included."""

    start: str
    end: str

    def __str__(self) -> str:
        return self.start if self.start == self.end else f"{self.start}..{self.end}"


def settled(touches: Iterable[Touch], finished: Mapping[str, bool]) -> list[Touch]:
    """The touches in event-log order up to the first one whose run has not finished.

    A bronze run writes stream after stream; rebuilding a day while its run is still
    appending would build it twice. Later touches wait for the next tick.
    """
    ready = []
    for touch in sorted(touches, key=lambda t: t.storage_id):
        if not finished[touch.run_id]:
            break
        ready.append(touch)
    return ready


def last_touch_by_day(touches: Iterable[Touch], valid_days: set[str]) -> dict[str, int]:
    """Each valid touched day with the storage id of the latest touch of it."""
    latest: dict[str, int] = {}
    for touch in touches:
        for day in touch.days:
            if day in valid_days:
                latest[day] = max(latest.get(day, 0), touch.storage_id)
    return latest


def pending_days(touched: Mapping[str, int], rebuilt: Iterable[Mapping[str, int]]) -> list[str]:
    """Touched days that some downstream table has not rebuilt since the touch.

    ``rebuilt`` holds, per downstream table, the storage id of each day's latest
    materialization; a day is done only when every table rebuilt it after the touch.
    """
    tables = list(rebuilt)
    return sorted(
        day
        for day, touch_id in touched.items()
        if any(table.get(day, 0) < touch_id for table in tables)
    )


def consecutive_ranges(days: Iterable[str]) -> list[DayRange]:
    """ISO days grouped into ranges of consecutive days, in order."""
    ranges: list[DayRange] = []
    for day in sorted(set(days)):
        if ranges and dt.date.fromisoformat(day) - dt.date.fromisoformat(
            ranges[-1].end
        ) == dt.timedelta(days=1):
            ranges[-1] = DayRange(ranges[-1].start, day)
        else:
            ranges.append(DayRange(day, day))
    return ranges
