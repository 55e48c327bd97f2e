"""Sessions from hand-made clickstream events: one exact row per session, in its start day.

The session runs in America/Los_Angeles (see conftest), and D is 2024-03-09, the day
before the US switch to summer time: every day below is a UTC day all the same.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession

from streaming.silver.sessions import SESSION_COLUMNS, SESSION_OVERLAP, sessionize

#: silver.clickstream_events' columns, plus one it may have that sessions ignore.
EVENT_SCHEMA = (
    "event_id STRING, event_type STRING, event_time TIMESTAMP, event_date DATE, "
    "schema_version INT, session_id STRING, customer_id INT, device STRING, channel STRING, "
    "campaign_id STRING, page STRING, product_id INT, price DECIMAL(12,2), "
    "search_query STRING, quantity INT, order_id STRING, consent_marketing BOOLEAN, "
    "ingested_at TIMESTAMP"
)
D = dt.date(2024, 3, 9)
D1 = D + dt.timedelta(days=1)
D2 = D + dt.timedelta(days=2)
INGESTED_AT = dt.datetime(2024, 3, 12, tzinfo=dt.UTC)
PAGES = {
    "page_view": "/",
    "search": "/search",
    "checkout_started": "/checkout",
    "purchase": "/checkout/complete",
}


def at(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=dt.UTC)


def event(
    session_id: str,
    event_id: str,
    event_type: str,
    time: dt.datetime,
    *,
    customer_id: int | None = None,
    product_id: int | None = None,
    order_id: str | None = None,
    channel: str = "organic_search",
    campaign_id: str | None = None,
    device: str = "mobile_web",
) -> tuple[Any, ...]:
    """One event row as silver has it (fields its type lacks are null)."""
    with_product = event_type in ("product_view", "add_to_cart", "remove_from_cart")
    return (
        event_id,
        event_type,
        time,
        time.astimezone(dt.UTC).date(),
        1,
        session_id,
        customer_id,
        device,
        channel,
        campaign_id,
        f"/p/{product_id}" if with_product else PAGES[event_type],
        product_id,
        Decimal("19.99") if with_product else None,
        "red shoes" if event_type == "search" else None,
        1 if event_type in ("add_to_cart", "remove_from_cart") else None,
        order_id,
        None,
        INGESTED_AT,
    )


def events_frame(spark: SparkSession, events: list[tuple[Any, ...]]) -> DataFrame:
    return spark.createDataFrame(events, EVENT_SCHEMA)


def sessions(
    spark: SparkSession, events: list[tuple[Any, ...]], start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """The sessions as dicts by session id, their instants as aware UTC datetimes."""
    rows = sessionize(events_frame(spark, events), start, end).orderBy("session_id").collect()
    result = []
    for row in rows:
        values = row.asDict()
        # PySpark hands out naive datetimes in the Python process's local time.
        for name in ("session_start", "session_end"):
            values[name] = values[name].astimezone(dt.UTC)
        result.append(values)
    return result


def expected(
    session_id: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    event_date: dt.date,
    duration_s: int,
    event_count: int,
    page_views: int = 0,
    searches: int = 0,
    products_viewed: int = 0,
    cart_adds: int = 0,
    reached_cart: bool = False,
    reached_checkout: bool = False,
    purchased: bool = False,
    order_id: str | None = None,
    customer_id: int | None = None,
    channel: str = "organic_search",
    campaign_id: str | None = None,
    device: str = "mobile_web",
    crosses_midnight: bool = False,
) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "event_date": event_date,
        "session_start": start,
        "session_end": end,
        "duration_s": duration_s,
        "event_count": event_count,
        "page_views": page_views,
        "searches": searches,
        "products_viewed": products_viewed,
        "cart_adds": cart_adds,
        "reached_cart": reached_cart,
        "reached_checkout": reached_checkout,
        "purchased": purchased,
        "order_id": order_id,
        "customer_id": customer_id,
        "channel": channel,
        "campaign_id": campaign_id,
        "device": device,
        "crosses_midnight": crosses_midnight,
    }


# 01:00-01:12:30 UTC on D is the evening before in Los Angeles.
WITHIN_D = [
    event("s-day", "e-01", "page_view", at(D, 1, 0), channel="email", campaign_id="cmp-00007"),
    event("s-day", "e-02", "search", at(D, 1, 2), channel="email", campaign_id="cmp-00007"),
    event("s-day", "e-03", "product_view", at(D, 1, 5), product_id=11, channel="email"),
    event("s-day", "e-04", "page_view", at(D, 1, 12, 30), channel="email"),
]
WITHIN_D_ROW = expected(
    "s-day",
    at(D, 1, 0),
    at(D, 1, 12, 30),
    event_date=D,
    duration_s=750,
    event_count=4,
    page_views=2,
    searches=1,
    products_viewed=1,
    channel="email",
    campaign_id="cmp-00007",
)

# 23:50 on D to 00:20 on D+1.
OVER_MIDNIGHT = [
    event("s-night", "n-01", "page_view", at(D, 23, 50), device="desktop_web"),
    event("s-night", "n-02", "product_view", at(D, 23, 55), product_id=5, device="desktop_web"),
    event("s-night", "n-03", "add_to_cart", at(D, 23, 58), product_id=5, device="desktop_web"),
    event("s-night", "n-04", "product_view", at(D1, 0, 5), product_id=6, device="desktop_web"),
    event("s-night", "n-05", "page_view", at(D1, 0, 20, 15), device="desktop_web"),
]
OVER_MIDNIGHT_ROW = expected(
    "s-night",
    at(D, 23, 50),
    at(D1, 0, 20, 15),
    event_date=D,
    duration_s=30 * 60 + 15,
    event_count=5,
    page_views=2,
    products_viewed=2,
    cart_adds=1,
    reached_cart=True,
    device="desktop_web",
    crosses_midnight=True,
)

# Entirely on D+1.
WITHIN_D1 = [
    event("s-next", "x-01", "page_view", at(D1, 9, 0), customer_id=42, channel="direct"),
]
WITHIN_D1_ROW = expected(
    "s-next",
    at(D1, 9, 0),
    at(D1, 9, 0),
    event_date=D1,
    duration_s=0,
    event_count=1,
    page_views=1,
    customer_id=42,
    channel="direct",
)

# Began the evening before D, ends on D: belongs to D-1, never to D.
FROM_THE_DAY_BEFORE = [
    event("s-prev", "p-01", "page_view", at(D, 0, 0) - dt.timedelta(minutes=15)),
    event("s-prev", "p-02", "search", at(D, 0, 3)),
    event("s-prev", "p-03", "page_view", at(D, 0, 9)),
]


def test_the_columns_are_the_session_columns(local_spark: SparkSession) -> None:
    result = sessionize(events_frame(local_spark, WITHIN_D), D, D1)

    assert [(f.name, f.dataType.simpleString()) for f in result.schema] == [
        (name, sql_type.lower()) for name, sql_type, _ in SESSION_COLUMNS
    ]
    for name, _, description in SESSION_COLUMNS:
        assert description.endswith(".") and len(description) > 20, name
    assert dt.timedelta(hours=6) == SESSION_OVERLAP


def test_a_session_within_a_day(local_spark: SparkSession) -> None:
    assert sessions(local_spark, WITHIN_D, D, D1) == [WITHIN_D_ROW]


def test_a_session_crossing_midnight_belongs_to_the_day_it_started(
    local_spark: SparkSession,
) -> None:
    events = OVER_MIDNIGHT + WITHIN_D1

    assert sessions(local_spark, events, D, D1) == [OVER_MIDNIGHT_ROW]
    # D+1's run sees two of its events, but the session started on D.
    assert sessions(local_spark, events, D1, D2) == [WITHIN_D1_ROW]


def test_a_session_from_the_evening_before_is_not_the_days(local_spark: SparkSession) -> None:
    assert sessions(local_spark, FROM_THE_DAY_BEFORE + WITHIN_D, D, D1) == [WITHIN_D_ROW]


def test_a_range_of_days_gives_each_days_sessions(local_spark: SparkSession) -> None:
    events = FROM_THE_DAY_BEFORE + WITHIN_D + OVER_MIDNIGHT + WITHIN_D1

    assert sessions(local_spark, events, D, D2) == [WITHIN_D_ROW, WITHIN_D1_ROW, OVER_MIDNIGHT_ROW]


def test_a_session_with_a_purchase(local_spark: SparkSession) -> None:
    c = {"customer_id": 7, "channel": "paid_search", "campaign_id": "cmp-00002"}
    events = [
        event("s-buy", "b-01", "page_view", at(D, 14, 0), **c),
        event("s-buy", "b-02", "product_view", at(D, 14, 1), product_id=3, **c),
        event("s-buy", "b-03", "add_to_cart", at(D, 14, 2), product_id=3, **c),
        event("s-buy", "b-04", "add_to_cart", at(D, 14, 3), product_id=4, **c),
        event("s-buy", "b-05", "remove_from_cart", at(D, 14, 4), product_id=4, **c),
        event("s-buy", "b-06", "checkout_started", at(D, 14, 5), **c),
        event("s-buy", "b-08", "purchase", at(D, 14, 6), order_id="order-first", **c),
        # A second purchase later: the first one's order is the session's.
        event("s-buy", "b-07", "purchase", at(D, 14, 9), order_id="order-second", **c),
        # Checkout opened, never paid.
        event("s-cart", "k-01", "page_view", at(D, 15, 0), customer_id=8),
        event("s-cart", "k-02", "checkout_started", at(D, 15, 1), customer_id=8),
    ]

    assert sessions(local_spark, events, D, D1) == [
        expected(
            "s-buy",
            at(D, 14, 0),
            at(D, 14, 9),
            event_date=D,
            duration_s=540,
            event_count=8,
            page_views=1,
            products_viewed=1,
            cart_adds=2,
            reached_cart=True,
            reached_checkout=True,
            purchased=True,
            order_id="order-first",
            customer_id=7,
            channel="paid_search",
            campaign_id="cmp-00002",
        ),
        expected(
            "s-cart",
            at(D, 15, 0),
            at(D, 15, 1),
            event_date=D,
            duration_s=60,
            event_count=2,
            page_views=1,
            reached_checkout=True,
            customer_id=8,
        ),
    ]


def test_a_visitor_who_signs_in_mid_session_is_that_customer(local_spark: SparkSession) -> None:
    events = [
        event("s-anon", "a-01", "page_view", at(D, 10, 0)),
        event("s-anon", "a-02", "search", at(D, 10, 1)),
        event("s-anon", "a-03", "page_view", at(D, 10, 2), customer_id=31),
        event("s-anon", "a-04", "page_view", at(D, 10, 3), customer_id=32),
        event("s-anon", "a-05", "page_view", at(D, 10, 4)),
        event("s-never", "v-01", "page_view", at(D, 11, 0)),
    ]

    result = sessions(local_spark, events, D, D1)

    assert {row["session_id"]: row["customer_id"] for row in result} == {
        "s-anon": 31,
        "s-never": None,
    }


def test_products_viewed_counts_distinct_products(local_spark: SparkSession) -> None:
    events = [
        event("s-browse", "r-01", "page_view", at(D, 8, 0)),
        event("s-browse", "r-02", "product_view", at(D, 8, 1), product_id=1),
        event("s-browse", "r-03", "product_view", at(D, 8, 2), product_id=2),
        event("s-browse", "r-04", "product_view", at(D, 8, 3), product_id=1),
        event("s-browse", "r-05", "product_view", at(D, 8, 4), product_id=2),
        # Put in the cart without a product_view: not a viewed product.
        event("s-browse", "r-06", "add_to_cart", at(D, 8, 5), product_id=9),
    ]

    [row] = sessions(local_spark, events, D, D1)

    assert (row["products_viewed"], row["event_count"], row["cart_adds"]) == (2, 6, 1)


def test_ties_are_broken_by_event_id_whatever_the_partitioning(
    local_spark: SparkSession,
) -> None:
    first = at(D, 12, 0)
    events = [
        event("s-tie", "t-2", "page_view", first, channel="social", device="ios_app"),
        event("s-tie", "t-1", "page_view", first, channel="display", device="android_app"),
        event("s-tie", "t-4", "purchase", at(D, 12, 5), customer_id=5, order_id="o-b"),
        event("s-tie", "t-3", "purchase", at(D, 12, 5), customer_id=6, order_id="o-a"),
    ]
    # One partition each way round (whichever of two equal keys aggregation would keep,
    # one order gets it wrong), then spread over several partitions.
    frames = [
        events_frame(local_spark, events),
        events_frame(local_spark, events[::-1]),
        events_frame(local_spark, events).repartition(3),
        events_frame(local_spark, events[::-1]).repartition(2),
    ]

    results = [sessionize(frame, D, D1).collect() for frame in frames]

    assert results[1:] == results[:1] * 3
    [row] = results[0]
    assert (row.channel, row.device, row.order_id, row.customer_id) == (
        "display",
        "android_app",
        "o-a",
        6,
    )


def test_an_empty_range_is_an_error(local_spark: SparkSession) -> None:
    with pytest.raises(ValueError, match="end > start"):
        sessionize(events_frame(local_spark, WITHIN_D), D, D)
