"""The silver transforms on hand-made bronze rows: exactly the expected silver and
quarantine rows, duplicates removed by first arrival, both schema versions typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pyspark.sql import SparkSession

from streaming.silver import (
    clickstream_events,
    customers,
    order_events,
    order_items,
    orders,
    payments,
    quarantine,
)
from streaming.silver.events import DUPLICATE, QUARANTINED, STATUS, typed_events, unknown_events
from tests.unit.silver.bronze_rows import DAY, at, bronze, click, item, order, record


def _rows(frame, *columns: str) -> list[tuple]:
    return sorted(tuple(r) for r in frame.select(*columns).collect())


def test_orders_deduplicate_type_both_versions_and_quarantine_rule_breakers(
    local_spark: SparkSession,
) -> None:
    good = order("o-1", [item(1, 7, 2, 10.00, 1.00), item(2, 8, 1, 5.50)])
    rows = [
        # A duplicate delivered first in time but at a later offset loses to the earlier offset.
        record("e-1", "order_placed", good, at(DAY, 9), offset=10),
        record("e-1", "order_placed", good, at(DAY, 9), offset=12),
        # Schema version 2 adds gift_wrap; version 1 reads it as null.
        record(
            "e-2",
            "order_placed",
            order("o-2", [item(1, 7, 1, 10.00)], gift_wrap=True),
            at(DAY, 10),
            version=2,
        ),
        # Business rules: the total does not add up; a line of -1 units.
        record(
            "e-3",
            "order_placed",
            {**order("o-3", [item(1, 7, 1, 10.00)]), "total": 1.00},
            at(DAY, 11),
        ),
        record("e-4", "order_placed", order("o-4", [item(1, 7, -1, 10.00)]), at(DAY, 12)),
        # Contract rules: a required field missing; a value outside its closed set.
        record(
            "e-5",
            "order_placed",
            {**order("o-5", [item(1, 7, 1, 1.00)]), "session_id": None},
            at(DAY, 13),
        ),
        record(
            "e-6", "order_placed", order("o-6", [item(1, 7, 1, 1.00)], device="tablet"), at(DAY, 14)
        ),
        # Conformed, not quarantined: stray case and spaces in closed-set values.
        record(
            "e-7",
            "order_placed",
            order(
                "o-7", [item(1, 7, 1, 60.00)], shipping=0.0, channel=" Paid_Search ", currency="eur"
            ),
            at(DAY, 15),
        ),
    ]
    events = typed_events(bronze(local_spark, rows), orders.EVENTS)

    silver = orders.rows(events)
    assert _rows(silver, "event_id", "order_id", "schema_version", "gift_wrap", "total") == [
        ("e-1", "o-1", 1, None, Decimal("29.49")),
        ("e-2", "o-2", 2, True, Decimal("14.99")),
        ("e-7", "o-7", 1, None, Decimal("60.00")),
    ]
    assert _rows(silver.where("order_id = 'o-7'"), "channel", "currency") == [
        ("paid_search", "EUR")
    ]
    assert _rows(silver.where("order_id = 'o-1'"), "line_count", "unit_count") == [(2, 3)]
    assert silver.schema["total"].dataType.simpleString() == "decimal(12,2)"

    first = events.where(f"event_id = 'e-1' AND {STATUS} = '{DUPLICATE}'")
    assert _rows(first, "kafka_offset") == [(12,)]

    held = quarantine.rows(events, "orders", orders.TABLE.identifier)
    assert _rows(held, "event_id", "rule", "source_table", "silver_table") == [
        ("e-3", "order_total_mismatch", "bronze.orders", "silver.orders"),
        ("e-4", "nonpositive_quantity", "bronze.orders", "silver.orders"),
        ("e-5", "missing_session_id", "bronze.orders", "silver.orders"),
        ("e-6", "invalid_device", "bronze.orders", "silver.orders"),
    ]
    raw = held.where("event_id = 'e-3'").first()
    assert raw is not None and '"total": 1.0' in raw["raw_value"]

    # Nothing vanishes: 8 rows = 3 silver + 4 quarantined + 1 duplicate.
    assert events.where(f"{STATUS} = '{QUARANTINED}'").count() == 4
    assert silver.count() + held.count() + first.count() == len(rows)

    lines = order_items.rows(events)
    assert _rows(lines.where("order_id = 'o-1'"), "line_number", "product_id", "line_amount") == [
        (1, 7, Decimal("19.00")),
        (2, 8, Decimal("5.50")),
    ]


def test_a_version_2_event_missing_its_version_2_field_is_quarantined(
    local_spark: SparkSession,
) -> None:
    rows = [
        record("e-1", "order_placed", order("o-1", [item(1, 7, 1, 9.0)]), at(DAY, 9), version=2)
    ]
    held = quarantine.rows(typed_events(bronze(local_spark, rows), orders.EVENTS), "orders", "x")
    assert _rows(held, "rule") == [("missing_gift_wrap",)]


def test_unknown_event_types_are_quarantined_without_a_silver_table(
    local_spark: SparkSession,
) -> None:
    rows = [
        record("e-1", "order_exploded", {"order_id": "o-1"}, at(DAY, 9)),
        record("e-1", "order_exploded", {"order_id": "o-1"}, at(DAY, 9)),
        record("e-2", "order_placed", order("o-2", [item(1, 7, 1, 9.0)]), at(DAY, 9)),
    ]
    unknown = unknown_events(bronze(local_spark, rows), "orders")
    held = quarantine.rows(unknown, "orders", None)
    assert _rows(held, "event_id", "rule", "silver_table") == [("e-1", "unknown_event_type", None)]
    assert unknown.where(f"{STATUS} = '{DUPLICATE}'").count() == 1


def test_order_events_and_payments_keep_their_own_types_and_reasons(
    local_spark: SparkSession,
) -> None:
    ret = {
        "order_id": "o-1",
        "customer_id": 1,
        "reason": "damaged",
        "items": [{"product_id": 7, "quantity": 2, "refund": 18.0}],
        "refund_amount": 18.0,
    }
    rows = [
        record(
            "e-1",
            "order_cancelled",
            {"order_id": "o-1", "customer_id": 1, "reason": "out_of_stock", "refund_amount": 28.49},
            at(DAY, 9),
        ),
        record("e-2", "order_returned", ret, at(DAY, 10)),
        # A cancellation reason is not a return reason; refunds must add up.
        record("e-3", "order_returned", {**ret, "reason": "out_of_stock"}, at(DAY, 11)),
        record("e-4", "order_returned", {**ret, "refund_amount": 20.0}, at(DAY, 12)),
        record("e-5", "order_placed", order("o-9", [item(1, 7, 1, 9.0)]), at(DAY, 12)),
    ]
    events = typed_events(bronze(local_spark, rows), order_events.EVENTS)
    assert _rows(order_events.rows(events), "event_id", "event_type", "returned_units") == [
        ("e-1", "order_cancelled", 0),
        ("e-2", "order_returned", 2),
    ]
    assert _rows(quarantine.rows(events, "orders", "o"), "event_id", "rule") == [
        ("e-3", "invalid_reason"),
        ("e-4", "refund_mismatch"),
    ]

    pay = {
        "payment_id": "p-1",
        "order_id": "o-1",
        "customer_id": 1,
        "method": "card",
        "amount": 28.49,
        "currency": "EUR",
    }
    prows = [
        record("e-6", "payment_captured", {**pay, "decline_reason": None}, at(DAY, 9)),
        record(
            "e-7",
            "payment_declined",
            {
                **pay,
                "payment_id": "p-2",
                "order_id": None,
                "amount": None,
                "decline_reason": "card_expired",
            },
            at(DAY, 9),
        ),
        record(
            "e-8",
            "payment_refunded",
            {**pay, "payment_id": "p-3", "refund_reason": "cancellation"},
            at(DAY, 9),
        ),
    ]
    silver = payments.rows(typed_events(bronze(local_spark, prows), payments.EVENTS))
    assert _rows(silver, "payment_id", "status", "order_id", "decline_reason", "refund_reason") == [
        ("p-1", "captured", "o-1", None, None),
        ("p-2", "declined", None, "card_expired", None),
        ("p-3", "refunded", "o-1", None, "cancellation"),
    ]


def test_customer_versions_keep_what_changed_and_check_the_email(
    local_spark: SparkSession,
) -> None:
    profile = {
        "customer_id": 5,
        "first_name": "Ada",
        "last_name": "L",
        "email": "ada@x.org",
        "address": {"street": "1 A St", "city": "Paris", "postcode": "75001", "country": "FR"},
        "loyalty_tier": "bronze",
        "marketing_opt_in": False,
        "signup_date": "2024-03-01",
    }
    rows = [
        record("e-1", "customer_created", profile, at(DAY, 1)),
        record(
            "e-2",
            "customer_updated",
            {
                **profile,
                "address": {**profile["address"], "city": "Lyon"},
                "changed_fields": ["address"],
            },
            at(DAY, 2),
        ),
        record(
            "e-3",
            "customer_updated",
            {**profile, "email": "not an email", "changed_fields": ["email"]},
            at(DAY, 3),
        ),
    ]
    events = typed_events(bronze(local_spark, rows), customers.EVENTS)
    assert _rows(customers.rows(events), "event_id", "address_city", "changed_fields") == [
        ("e-1", "Paris", None),
        ("e-2", "Lyon", ["address"]),
    ]
    assert _rows(quarantine.rows(events, "customers", "c"), "event_id", "rule") == [
        ("e-3", "invalid_email")
    ]


def test_a_late_event_lands_in_its_event_day(local_spark: SparkSession) -> None:
    """Late is about arrival, not the event: it is typed by its event time's UTC day
    (the test session's time zone is not UTC)."""
    late = record("e-1", "page_view", click("s-1"), at(DAY, 23, 59))
    rows = clickstream_events.rows(
        typed_events(bronze(local_spark, [late]), clickstream_events.EVENTS)
    )
    assert _rows(rows, "event_id", "event_date") == [("e-1", DAY)]
    assert rows.first()["event_time"] is not None


@pytest.mark.parametrize("quantity", [0, -2])
def test_cart_events_need_units(local_spark: SparkSession, quantity: int) -> None:
    bad = record(
        "e-1", "add_to_cart", click("s-1", product_id=3, price=9.99, quantity=quantity), at(DAY, 9)
    )
    events = typed_events(bronze(local_spark, [bad]), clickstream_events.EVENTS)
    assert clickstream_events.rows(events).count() == 0
    assert _rows(quarantine.rows(events, "clickstream", "c"), "rule") == [("nonpositive_quantity",)]


def test_every_table_declares_what_it_writes() -> None:
    for module in (orders, order_items, order_events, payments, customers, clickstream_events):
        table = module.TABLE
        assert table.identifier.startswith("silver.")
        assert all(c.description for c in table.columns), table.name
    assert dt.date  # keep the import honest for type checkers
