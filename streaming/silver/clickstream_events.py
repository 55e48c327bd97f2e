"""``silver.clickstream_events``: every web and app event, typed (both schema versions)."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.contracts import stream_contract
from streaming.silver.events import EventGroup, event_table, valid
from streaming.silver.rules import Rule

_TYPES = stream_contract("clickstream").event_types
_CART = ("add_to_cart", "remove_from_cart")

EVENTS = EventGroup(
    "clickstream",
    _TYPES,
    rules=(
        Rule(
            "nonpositive_quantity",
            "a cart event moves 0 units or less",
            _CART,
            lambda: F.col("quantity") <= 0,
        ),
        Rule("negative_price", "price is negative", _TYPES, lambda: F.col("price") < 0),
    ),
    descriptions={
        "customer_id": "Signed-in customer; null for an anonymous visitor (checkout needs a "
        "sign-in).",
        "product_id": "Product shown or put in/out of the cart; null for other events.",
        "price": "The product's list price at that moment, EUR; null for other events.",
        "search_query": "What was searched for; null except in search events.",
        "quantity": "Units added or removed; null except in cart events.",
        "order_id": "The order a purchase became (a UUID); null except in purchase events.",
        "consent_marketing": "Marketing consent at the time of the event; null in schema "
        "version 1 events (the field came with version 2).",
    },
)

TABLE = event_table(
    "clickstream_events",
    "Every clickstream event, typed: page views, searches, product views, cart events, "
    "checkouts and purchases; partitioned by event day.",
    EVENTS,
    key=("event_id",),
)


def rows(events: DataFrame) -> DataFrame:
    return TABLE.select(valid(events))
