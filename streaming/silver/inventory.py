"""``silver.inventory``: stock snapshots and stock received, per product."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.silver.events import EventGroup, event_table, valid
from streaming.silver.rules import Rule

_SNAPSHOT = ("inventory_snapshot",)
_RECEIVED = ("stock_received",)

EVENTS = EventGroup(
    "inventory",
    (*_SNAPSHOT, *_RECEIVED),
    rules=(
        Rule(
            "negative_stock",
            "a stock level or movement is negative",
            (*_SNAPSHOT, *_RECEIVED),
            lambda: (
                (F.col("on_hand") < 0)
                | (F.col("backordered") < 0)
                | (F.col("units_sold") < 0)
                | (F.col("units_returned") < 0)
                | (F.col("units_received") < 0)
            ),
        ),
        Rule(
            "nonpositive_quantity",
            "a receipt of 0 units or less",
            _RECEIVED,
            lambda: F.col("quantity") <= 0,
        ),
    ),
    descriptions={
        "backordered": "Units sold beyond stock; null for a receipt.",
        "units_sold": "Units sold since the previous snapshot; null for a receipt.",
        "units_returned": "Units returned since the previous snapshot; null for a receipt.",
        "units_received": "Units restocked since the previous snapshot; null for a receipt.",
        "quantity": "Units received; null for a snapshot.",
        "on_hand": "Units in stock (after the receipt, for stock_received).",
    },
)

TABLE = event_table(
    "inventory",
    "Stock per product: end-of-day snapshots (on hand, backordered, movements) and "
    "restocks (units received); partitioned by day.",
    EVENTS,
    key=("event_id",),
)


def rows(events: DataFrame) -> DataFrame:
    return TABLE.select(valid(events))
