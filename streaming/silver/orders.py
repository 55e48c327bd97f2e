"""``silver.orders``: one row per placed order, totals checked to the cent.

The lines go to ``silver.order_items``; cancellations and returns to
``silver.order_events``. An order whose totals do not add up (``total = subtotal -
discount + shipping``, ``subtotal`` = the lines' quantity x unit price, ``discount`` =
the lines' discounts) or with a line of no units is quarantined, never corrected.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.silver.columns import Column
from streaming.silver.events import EventGroup, event_table, valid
from streaming.silver.money import array_sum, units
from streaming.silver.rules import Rule

PLACED = ("order_placed",)

EVENTS = EventGroup(
    "orders",
    PLACED,
    rules=(
        Rule("no_items", "the order has no lines", PLACED, lambda: F.size("items") == 0),
        Rule(
            "nonpositive_quantity",
            "a line has a quantity of 0 or less",
            PLACED,
            lambda: F.exists("items", lambda i: i["quantity"] <= 0),
        ),
        Rule(
            "negative_amount",
            "a unit price, line discount, discount or shipping is negative",
            PLACED,
            lambda: (
                F.exists("items", lambda i: (i["unit_price"] < 0) | (i["discount"] < 0))
                | (F.col("discount") < 0)
                | (F.col("shipping") < 0)
            ),
        ),
        Rule(
            "subtotal_mismatch",
            "subtotal is not the sum of quantity x unit_price over the lines",
            PLACED,
            lambda: (
                F.col("subtotal") != array_sum("items", lambda i: i["quantity"] * i["unit_price"])
            ),
        ),
        Rule(
            "discount_mismatch",
            "discount is not the sum of the line discounts",
            PLACED,
            lambda: F.col("discount") != array_sum("items", lambda i: i["discount"]),
        ),
        Rule(
            "order_total_mismatch",
            "total is not subtotal - discount + shipping",
            PLACED,
            lambda: F.col("total") != (F.col("subtotal") - F.col("discount") + F.col("shipping")),
        ),
    ),
)

TABLE = event_table(
    "orders",
    "One row per placed order: customer, session, channel, campaign, device, money "
    "(EUR, decimal(12,2)), payment method and shipping address; partitioned by order day.",
    EVENTS,
    key=("order_id",),
    exclude=("items",),
    derived=(
        Column("line_count", "INT", "Number of order lines (rows in silver.order_items)."),
        Column("unit_count", "INT", "Units ordered over all lines."),
    ),
)


def rows(events: DataFrame) -> DataFrame:
    """silver.orders rows from judged order events (:func:`events.typed_events`)."""
    placed = valid(events).withColumn("line_count", F.size("items"))
    return TABLE.select(placed.withColumn("unit_count", units("items")))
