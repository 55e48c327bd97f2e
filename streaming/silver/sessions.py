"""Sessions: one row per clickstream session, from silver's typed clickstream events.

A session is what the generator's ``session_id`` groups; it is not re-split by
inactivity gaps here (the id already says which visit an event belongs to).

A session belongs to the UTC day it *starts* on (the day of its first event). A daily
run for ``[start, end)`` therefore

* reads :data:`SESSION_OVERLAP` more on both sides: before ``start`` so a session that
  began on the previous evening is seen to have begun there (its events on ``start``
  alone would look like a session starting at midnight), and after ``end`` so a session
  that began before midnight is complete, events after midnight included;
* keeps only the sessions that start in ``[start, end)``. A session crossing midnight is
  written once, whole, with the day it started on; the next day's run sees its late
  events but drops it, because it started the day before.

So re-running any range rewrites exactly its days' sessions, and a day's sessions do not
change when the next day arrives (unless late events extend a session, which a re-run of
its start day picks up). The overlap is far longer than any session (the generator's
sessions last minutes: a handful of events ~20 s apart), so a session is only cut if it
lasts more than six hours.

Days are UTC days whatever the Spark session time zone, as Iceberg's ``days()``
partitions are (see :mod:`streaming.silver.days`).

Everything is one aggregation grouped by ``session_id``: one shuffle. "The first event"
is the one with the smallest ``(event_time, event_id)``, so ties are broken by event id
and the result does not depend on partitioning or row order.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from streaming.silver.columns import Column as SilverColumn
from streaming.silver.days import DayRange, time_between, utc_date
from streaming.silver.table import SilverTable

#: How far around a day range events must be read so sessions crossing its edges are
#: whole (and are seen to start where they start).
SESSION_OVERLAP = dt.timedelta(hours=6)

#: The sessions table's columns, in order: (name, Spark SQL type, description).
SESSION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("session_id", "STRING", "Session id (a UUID), as in the clickstream events."),
    (
        "event_date",
        "DATE",
        "UTC day the session started on (the partition); a session crossing midnight "
        "belongs to its first day only.",
    ),
    ("session_start", "TIMESTAMP", "Time of the session's first event (UTC instant)."),
    ("session_end", "TIMESTAMP", "Time of the session's last event (UTC instant)."),
    (
        "duration_s",
        "BIGINT",
        "Whole seconds from the first to the last event; 0 for a single-event session.",
    ),
    ("event_count", "INT", "Number of clickstream events in the session."),
    ("page_views", "INT", "Number of page_view events."),
    ("searches", "INT", "Number of search events."),
    ("products_viewed", "INT", "Number of distinct products seen in product_view events."),
    ("cart_adds", "INT", "Number of add_to_cart events."),
    ("reached_cart", "BOOLEAN", "True if anything was added to the cart (an add_to_cart event)."),
    ("reached_checkout", "BOOLEAN", "True if the checkout was opened (a checkout_started event)."),
    ("purchased", "BOOLEAN", "True if the session ended in an order (a purchase event)."),
    (
        "order_id",
        "STRING",
        "Order the session's purchase became (the first purchase's, if several); null "
        "without a purchase; joins to the orders' order_id.",
    ),
    (
        "customer_id",
        "INT",
        "Customer the visitor signed in as (the first known, as visitors may sign in "
        "mid-session); null for a session that stayed anonymous.",
    ),
    (
        "channel",
        "STRING",
        "Acquisition channel, from the first event: organic_search, direct, paid_search, "
        "social, email, affiliate, referral or display.",
    ),
    (
        "campaign_id",
        "STRING",
        "Campaign the session came from (cmp-00001), from the first event; null if none.",
    ),
    (
        "device",
        "STRING",
        "Device, from the first event: desktop_web, mobile_web, ios_app or android_app.",
    ),
    (
        "crosses_midnight",
        "BOOLEAN",
        "True if the session ended on a later UTC day than it started.",
    ),
)


def _count_if(condition: Column) -> Column:
    return F.count_if(condition).cast("int")


def sessionize(events: DataFrame, start: dt.date, end: dt.date) -> DataFrame:
    """The sessions that start in ``[start, end)`` (UTC days), one row each, whole.

    ``events``: silver clickstream events (typed, deduplicated, validated), at least
    those from ``start - SESSION_OVERLAP`` to ``end + SESSION_OVERLAP``. Events outside
    that window are ignored, so passing the whole table is fine (the filter is pushed
    down to the scan) and the result does not depend on how much more the caller read.
    Columns as in :data:`SESSION_COLUMNS`.
    """
    days = DayRange(start, end)  # refuses an empty range
    event_time = F.col("event_time")
    event_type = F.col("event_type")
    customer_id = F.col("customer_id")
    # Order of events within a session; event_id breaks ties, so "first" is unique.
    order = F.struct(event_time, F.col("event_id"))

    sessions = (
        events.where(time_between("event_time", *days.bounds(SESSION_OVERLAP)))
        .groupBy("session_id")
        .agg(
            F.min(event_time).alias("session_start"),
            F.max(event_time).alias("session_end"),
            F.count(F.lit(1)).cast("int").alias("event_count"),
            _count_if(event_type == "page_view").alias("page_views"),
            _count_if(event_type == "search").alias("searches"),
            # Not count_distinct: a distinct aggregate makes Spark shuffle twice, by
            # (session_id, product_id) and then by session_id. A session's set is small.
            F.size(F.collect_set(F.when(event_type == "product_view", F.col("product_id"))))
            .cast("int")
            .alias("products_viewed"),
            _count_if(event_type == "add_to_cart").alias("cart_adds"),
            _count_if(event_type == "checkout_started").alias("_checkouts"),
            _count_if(event_type == "purchase").alias("_purchases"),
            # min_by skips rows whose ordering is null: only purchases / signed-in events.
            F.min_by(F.col("order_id"), F.when(event_type == "purchase", order)).alias("order_id"),
            F.min_by(customer_id, F.when(customer_id.isNotNull(), order)).alias("customer_id"),
            F.min_by(F.struct("channel", "campaign_id", "device"), order).alias("_first"),
        )
        .where(time_between("session_start", *days.bounds()))
    )
    start_ts, end_ts = F.col("session_start"), F.col("session_end")
    columns: dict[str, Column] = {
        "session_id": F.col("session_id"),
        "event_date": utc_date(start_ts),
        "session_start": start_ts,
        "session_end": end_ts,
        "duration_s": F.timestamp_diff("SECOND", start_ts, end_ts),
        "event_count": F.col("event_count"),
        "page_views": F.col("page_views"),
        "searches": F.col("searches"),
        "products_viewed": F.col("products_viewed"),
        "cart_adds": F.col("cart_adds"),
        "reached_cart": F.col("cart_adds") > 0,
        "reached_checkout": F.col("_checkouts") > 0,
        "purchased": F.col("_purchases") > 0,
        "order_id": F.col("order_id"),
        "customer_id": F.col("customer_id"),
        "channel": F.col("_first.channel"),
        "campaign_id": F.col("_first.campaign_id"),
        "device": F.col("_first.device"),
        "crosses_midnight": utc_date(end_ts) > utc_date(start_ts),
    }
    assert tuple(columns) == tuple(name for name, _, _ in SESSION_COLUMNS)
    return sessions.select(
        *(columns[name].cast(sql_type).alias(name) for name, sql_type, _ in SESSION_COLUMNS)
    )


TABLE = SilverTable(
    name="sessions",
    description=(
        "One row per clickstream session: start, end, duration, pages, products viewed, "
        "how far down the funnel it got, its order, channel, campaign, device and customer; "
        "partitioned by the day it started."
    ),
    columns=tuple(SilverColumn(name, kind, text) for name, kind, text in SESSION_COLUMNS),
    key=("session_id",),
)
