"""``silver.order_events``: cancellations and returns, with refunds and returned lines."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.silver.columns import Column
from streaming.silver.events import EventGroup, event_table, valid
from streaming.silver.money import array_sum, units
from streaming.silver.rules import Rule

RETURNED = ("order_returned",)

EVENTS = EventGroup(
    "orders",
    ("order_cancelled", "order_returned"),
    rules=(
        Rule(
            "negative_refund",
            "refund_amount is negative",
            ("order_cancelled", "order_returned"),
            lambda: F.col("refund_amount") < 0,
        ),
        Rule("no_items", "a return has no lines", RETURNED, lambda: F.size("items") == 0),
        Rule(
            "nonpositive_quantity",
            "a returned line has a quantity of 0 or less",
            RETURNED,
            lambda: F.exists("items", lambda i: i["quantity"] <= 0),
        ),
        Rule(
            "refund_mismatch",
            "refund_amount is not the sum of the returned lines' refunds",
            RETURNED,
            lambda: F.col("refund_amount") != array_sum("items", lambda i: i["refund"]),
        ),
    ),
    descriptions={
        "reason": (
            "Why: customer_request, payment_review or out_of_stock for a cancellation; "
            "wrong_size, damaged, not_as_described or changed_mind for a return."
        ),
        "refund_amount": "Refunded: the order total for a cancellation, the lines' refunds "
        "for a return (shipping is kept).",
        "items": "Returned lines (product_id, quantity, refund); null for a cancellation.",
    },
)

TABLE = event_table(
    "order_events",
    "Cancellations (whole order) and returns (some lines) of placed orders, with refund "
    "amounts; partitioned by the day of the cancellation or return.",
    EVENTS,
    key=("event_id",),
    derived=(Column("returned_units", "INT", "Units sent back (0 for a cancellation)."),),
)


def rows(events: DataFrame) -> DataFrame:
    returned = F.coalesce(units("items"), F.lit(0))
    return TABLE.select(valid(events).withColumn("returned_units", returned))
