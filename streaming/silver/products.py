"""``silver.products``: every version of the catalogue: launches and price changes."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.silver.columns import Column
from streaming.silver.events import EventGroup, event_table, valid
from streaming.silver.rules import Rule

_TYPES = ("product_created", "product_price_changed")

EVENTS = EventGroup(
    "products",
    _TYPES,
    rules=(
        Rule(
            "nonpositive_price",
            "a list price is 0 or less",
            _TYPES,
            lambda: (
                (F.col("list_price") <= 0) | (F.col("new_price") <= 0) | (F.col("old_price") <= 0)
            ),
        ),
        Rule("negative_cost", "cost is negative", _TYPES, lambda: F.col("cost") < 0),
    ),
    descriptions={
        "sku": "Stock keeping unit, SKU-0000001; null in a price change.",
        "name": "Display name; null in a price change.",
        "category": "Category: electronics, home, fashion, ...; null in a price change.",
        "subcategory": "Subcategory within the category; null in a price change.",
        "brand": "Brand; null in a price change.",
        "list_price": "Price at launch (a .99 price point); null in a price change.",
        "old_price": "List price before a price change; null at launch.",
        "new_price": "List price after a price change; null at launch.",
    },
)

TABLE = event_table(
    "products",
    "Every version of every product: its launch (full attributes) and each price change "
    "(old and new price); price is the list price from that event on.",
    EVENTS,
    key=("event_id",),
    derived=(Column("price", "DECIMAL(12,2)", "List price from this event on, EUR."),),
)


def rows(events: DataFrame) -> DataFrame:
    price = F.coalesce(F.col("new_price"), F.col("list_price"))
    return TABLE.select(valid(events).withColumn("price", price))
