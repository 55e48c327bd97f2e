"""``silver.campaigns``: marketing campaigns as announced."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.silver.events import EventGroup, event_table, valid
from streaming.silver.rules import Rule

_TYPES = ("campaign_created",)

EVENTS = EventGroup(
    "campaigns",
    _TYPES,
    rules=(
        Rule(
            "ends_before_start",
            "end_date is before start_date",
            _TYPES,
            lambda: F.col("end_date") < F.col("start_date"),
        ),
        Rule(
            "discount_out_of_range",
            "discount_pct is not between 0 and 100",
            _TYPES,
            lambda: ~F.col("discount_pct").between(0, 100),
        ),
        Rule("negative_budget", "budget is negative", _TYPES, lambda: F.col("budget") < 0),
    ),
)

TABLE = event_table(
    "campaigns",
    "Marketing campaigns: channel, run dates, discount and budget; partitioned by the "
    "day the campaign was announced.",
    EVENTS,
    key=("campaign_id",),
)


def rows(events: DataFrame) -> DataFrame:
    return TABLE.select(valid(events))
