"""Hand-made bronze rows: an envelope as the generator writes it, as bronze stores it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from streaming.bronze.schemas import BRONZE_COLUMNS

DAY = dt.date(2024, 3, 10)
_SCHEMA = ", ".join(f"{name} {kind}" for name, kind in BRONZE_COLUMNS)
_offsets: dict[str, int] = {}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), dt.UTC)


def record(
    event_id: str,
    event_type: str,
    payload: dict[str, Any],
    when: dt.datetime,
    *,
    version: int = 1,
    offset: int | None = None,
    partition: int = 0,
    topic: str = "shop.test",
) -> tuple[Any, ...]:
    """One bronze row; offsets count up per topic unless given."""
    if offset is None:
        offset = _offsets[topic] = _offsets.get(topic, -1) + 1
    envelope = {
        "id": event_id,
        "type": event_type,
        "event_time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "schema_version": version,
        "payload": payload,
    }
    return (
        event_id,
        event_type,
        when,
        version,
        json.dumps(envelope),
        topic,
        partition,
        offset,
        "key",
        when,
        None,
        when,
    )


def bronze(spark: SparkSession, rows: list[tuple[Any, ...]]) -> DataFrame:
    return spark.createDataFrame(rows, _SCHEMA)


def item(line: int, product: int, quantity: int, price: float, discount: float = 0.0) -> dict:
    return {
        "line_number": line,
        "product_id": product,
        "quantity": quantity,
        "unit_price": price,
        "discount": discount,
    }


def order(order_id: str, items: list[dict], *, shipping: float = 4.99, **extra: Any) -> dict:
    subtotal = round(sum(i["quantity"] * i["unit_price"] for i in items), 2)
    discount = round(sum(i["discount"] for i in items), 2)
    return {
        "order_id": order_id,
        "customer_id": 1,
        "session_id": "s-1",
        "channel": "direct",
        "campaign_id": None,
        "device": "ios_app",
        "items": items,
        "subtotal": subtotal,
        "discount": discount,
        "shipping": shipping,
        "total": round(subtotal - discount + shipping, 2),
        "currency": "EUR",
        "payment_method": "card",
        "shipping_address": {"city": "Berlin", "postcode": "01234", "country": "DE"},
        **extra,
    }


def click(session_id: str, **fields: Any) -> dict:
    base = {
        "session_id": session_id,
        "customer_id": None,
        "device": "desktop_web",
        "channel": "direct",
        "campaign_id": None,
        "page": "/",
        "product_id": None,
        "price": None,
        "search_query": None,
        "quantity": None,
        "order_id": None,
    }
    return base | fields
