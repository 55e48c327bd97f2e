"""Clickstream: what visitors do on the web shop and apps, keyed by session.

Every clickstream event carries the same payload fields; those that do not apply to an
event type are present and JSON null (a ``page_view`` has ``"product_id": null``).
"""

from __future__ import annotations

from dataclasses import replace

from streaming.contracts.types import (
    BOOLEAN,
    INT,
    MONEY,
    STRING,
    EventContract,
    Field,
    StreamContract,
)
from streaming.contracts.versions import DRIFT_SCHEMA_VERSION
from streaming.contracts.vocabulary import CHANNELS, DEVICES

_PRODUCT_EVENTS = ("product_view", "add_to_cart", "remove_from_cart")
_SIGNED_IN_EVENTS = ("checkout_started", "purchase")

#: Where a field is non-null: everywhere, in some event types only (it may be null in
#: the others), or in some event types only and always null in the others.
_EVERYWHERE: tuple[str, ...] = ("*",)
_FIELDS: tuple[tuple[Field, tuple[str, ...], bool], ...] = (
    # (field, event types where it is never null, whether it is always null elsewhere)
    (Field("session_id", STRING, "Session id (a UUID); the record key."), _EVERYWHERE, False),
    (
        Field(
            "customer_id",
            INT,
            "Signed-in customer; null for anonymous visitors (checkout needs a sign-in).",
        ),
        _SIGNED_IN_EVENTS,
        False,
    ),
    (
        Field(
            "device",
            STRING,
            "desktop_web, mobile_web, ios_app or android_app.",
            values=DEVICES,
        ),
        _EVERYWHERE,
        False,
    ),
    (
        Field(
            "channel",
            STRING,
            "Acquisition channel of the session: organic_search, direct, paid_search, "
            "social, email, affiliate, referral or display.",
            values=CHANNELS,
        ),
        _EVERYWHERE,
        False,
    ),
    (
        Field("campaign_id", STRING, "Campaign the session came from (cmp-00001), if any."),
        (),
        False,
    ),
    (
        Field(
            "page",
            STRING,
            "Path: a browse page (/, /c/home, ...), /p/{product_id}, /search, /checkout "
            "or /checkout/complete.",
        ),
        _EVERYWHERE,
        False,
    ),
    (Field("product_id", INT, "Product shown or put in/out of the cart."), _PRODUCT_EVENTS, True),
    (Field("price", MONEY, "The product's list price at that moment, EUR."), _PRODUCT_EVENTS, True),
    (Field("search_query", STRING, "What was searched for."), ("search",), True),
    (Field("quantity", INT, "Units added or removed."), ("add_to_cart", "remove_from_cart"), True),
    (Field("order_id", STRING, "The order this purchase became (a UUID)."), ("purchase",), True),
    (
        Field(
            "consent_marketing",
            BOOLEAN,
            "Marketing consent at the time of the event (the field schema drift adds).",
            since=DRIFT_SCHEMA_VERSION,
        ),
        _EVERYWHERE,
        False,
    ),
)


def _event(event_type: str, description: str) -> EventContract:
    fields = []
    for field, required_in, null_elsewhere in _FIELDS:
        required = required_in == _EVERYWHERE or event_type in required_in
        text = field.description
        if not required and null_elsewhere:
            text = f"Always null in {event_type} events. {text}"
        fields.append(replace(field, nullable=not required, description=text))
    return EventContract(event_type, description, tuple(fields))


CLICKSTREAM = StreamContract(
    name="clickstream",
    default_topic="shop.clickstream",
    key_field="session_id",
    description="Web and app sessions: page views, searches and the purchase funnel.",
    events=(
        _event("page_view", "A page was shown; every session starts with one."),
        _event("search", "A site search."),
        _event("product_view", "A product page was shown."),
        _event("add_to_cart", "Units of a product were put in the cart."),
        _event("remove_from_cart", "Units of a product were taken out of the cart."),
        _event("checkout_started", "A signed-in visitor opened the checkout."),
        _event("purchase", "The checkout completed: the order_placed with this order_id."),
    ),
)
