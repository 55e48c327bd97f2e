"""Build the silver layer for a range of days: one Spark job, every table replaced.

For each stream, its bronze rows of the range are read once per silver table they feed
(bronze is partitioned by event day, so the read is pruned to the range), deduplicated,
typed and judged (:mod:`streaming.silver.events`); valid events become that table's
rows, quarantined ones ``silver.quarantine`` rows. Each table then has exactly the
range's days replaced. Clickstream is read with a margin around the range so a session
crossing midnight is whole in its start day (:mod:`streaming.silver.sessions`).

Per day and stream, nothing vanishes: bronze rows = silver rows + quarantined +
duplicates removed (the layer counts each, and a check recounts them from the tables).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from streaming.contracts import STREAMS
from streaming.silver import (
    campaigns,
    clickstream_events,
    customers,
    inventory,
    order_events,
    order_items,
    orders,
    payments,
    products,
    quarantine,
    sessions,
)
from streaming.silver.days import DayRange
from streaming.silver.events import (
    DUPLICATE,
    FAILED_RULES,
    QUARANTINED,
    STATUS,
    VALID,
    read_bronze,
    typed_events,
    unknown_events,
)
from streaming.silver.table import SilverTable, create_table, replace_days

#: Stream -> the tables with one row per event of it (their modules: EVENTS, TABLE, rows).
EVENT_TABLES: Mapping[str, tuple[ModuleType, ...]] = {
    "clickstream": (clickstream_events,),
    "orders": (orders, order_events),
    "payments": (payments,),
    "customers": (customers,),
    "products": (products,),
    "inventory": (inventory,),
    "campaigns": (campaigns,),
}
#: Tables derived from an event table's rows: (event table, derived table, how).
DERIVED: tuple[tuple[ModuleType, SilverTable, Callable[[DataFrame, DayRange], DataFrame]], ...] = (
    (orders, order_items.TABLE, lambda events, days: order_items.rows(events)),
    (
        clickstream_events,
        sessions.TABLE,
        lambda events, days: sessions.sessionize(
            clickstream_events.rows(events), days.start, days.end
        ),
    ),
)
#: Every silver table, in the order a run writes them.
TABLES: tuple[SilverTable, ...] = (
    *(m.TABLE for s in STREAMS for m in EVENT_TABLES[s]),
    *(t for _, t, _ in DERIVED),
    quarantine.TABLE,
)
#: How far around the range each stream is read (clickstream: whole sessions).
MARGINS: Mapping[str, dt.timedelta] = {"clickstream": sessions.SESSION_OVERLAP}


@dataclass
class Outcome:
    """What became of one table's events in the range."""

    valid: int = 0
    duplicates: int = 0
    quarantined: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)


@dataclass
class LayerReport:
    days: DayRange
    #: Table identifier -> rows written for the range.
    rows_written: dict[str, int] = field(default_factory=dict)
    #: Event table identifier (or ``<bronze table>:unknown``) -> outcome of its events.
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    duration_s: float = 0.0


def _outcome(events: DataFrame) -> Outcome:
    outcome = Outcome()
    counts = events.groupBy(STATUS, F.get(F.col(FAILED_RULES), 0).alias("rule")).count().collect()
    for row in counts:
        n = int(row["count"])
        if row[STATUS] == VALID:
            outcome.valid += n
        elif row[STATUS] == DUPLICATE:
            outcome.duplicates += n
        elif row[STATUS] == QUARANTINED:
            outcome.quarantined += n
            outcome.by_rule[row["rule"]] += n
    return outcome


def build_silver(
    spark: SparkSession,
    days: DayRange,
    properties: Mapping[str, str] | None = None,
    log: Callable[[str], None] = print,
) -> LayerReport:
    """Replace ``days`` in every silver table from bronze; ``properties`` go into each
    table's snapshot summary (e.g. the Dagster run id)."""
    started = time.monotonic()
    props = {"lakehouse.silver-days": str(days), **(properties or {})}
    report = LayerReport(days)
    for table in TABLES:
        create_table(spark, table)
    quarantines: list[DataFrame] = []
    cached: list[DataFrame] = []
    for stream in STREAMS:
        start, end = days.bounds(MARGINS.get(stream, dt.timedelta(0)))
        bronze = read_bronze(spark, stream, start, end)
        for module in EVENT_TABLES[stream]:
            table: SilverTable = module.TABLE
            events = typed_events(bronze, module.EVENTS).persist(StorageLevel.MEMORY_AND_DISK)
            cached.append(events)
            in_range = events.where(days.contains(F.col("event_date")))
            report.outcomes[table.identifier] = _outcome(in_range)
            written = replace_days(module.rows(in_range), table, days, props)
            report.rows_written[table.identifier] = written
            log(f"{table.identifier}: {written} rows for {days}")
            for source, derived, build in DERIVED:
                if source is module:
                    # Sessions need the margin's events; order items only the range's.
                    rows = build(events if source is clickstream_events else in_range, days)
                    n = replace_days(rows, derived, days, props)
                    report.rows_written[derived.identifier] = n
                    log(f"{derived.identifier}: {n} rows for {days}")
            quarantines.append(quarantine.rows(in_range, stream, table.identifier))
        unknown = unknown_events(bronze, stream).where(days.contains(F.col("event_date")))
        unknown = unknown.persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(unknown)
        report.outcomes[f"bronze.{stream}:unknown"] = _outcome(unknown)
        quarantines.append(quarantine.rows(unknown, stream, None))
    combined = quarantines[0]
    for part in quarantines[1:]:
        combined = combined.unionByName(part)
    n = replace_days(combined, quarantine.TABLE, days, props)
    report.rows_written[quarantine.TABLE.identifier] = n
    log(f"{quarantine.TABLE.identifier}: {n} rows for {days}")
    for frame in cached:
        frame.unpersist()
    report.duration_s = time.monotonic() - started
    return report
