"""Cancellations and returns refund exactly what was paid for the affected items."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tests.unit.data_generators.conftest import Run, run_files


def cents(x: float) -> int:
    return round(x * 100)


@pytest.fixture(scope="module")
def long_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    # Returns come 3-30 days after the order, so this run is longer (and smaller per day).
    root: Path = tmp_path_factory.mktemp("long")
    return run_files(root, seed=8, customers=800, products=150, days=12, events_per_day=6_000)


def test_refunds_match_cancellations_and_returns(long_run: Run) -> None:
    orders = {}
    cancelled, returned = {}, {}
    for o in long_run.valid("orders"):
        p = o["payload"]
        if o["type"] == "order_placed":
            orders[p["order_id"]] = p
        elif o["type"] == "order_cancelled":
            cancelled[p["order_id"]] = p
        else:
            returned[p["order_id"]] = p
    assert cancelled and returned
    assert not set(cancelled) & set(returned), "a cancelled order is never returned"
    refunds = {
        (p["payload"]["order_id"], p["payload"]["refund_reason"]): p["payload"]
        for p in long_run.valid("payments")
        if p["type"] == "payment_refunded"
    }
    assert len(refunds) == len(cancelled) + len(returned)
    for order_id, c in cancelled.items():
        assert cents(c["refund_amount"]) == cents(orders[order_id]["total"])
        assert refunds[(order_id, "cancellation")]["amount"] == c["refund_amount"]
    for order_id, r in returned.items():
        lines = {i["product_id"]: i for i in orders[order_id]["items"]}
        total = 0
        for item in r["items"]:
            line = lines[item["product_id"]]
            assert 1 <= item["quantity"] <= line["quantity"]
            assert cents(item["refund"]) <= item["quantity"] * cents(line["unit_price"])
            total += cents(item["refund"])
        assert cents(r["refund_amount"]) == total
        assert refunds[(order_id, "return")]["amount"] == r["refund_amount"]
    business = long_run.manifest["totals"]["business"]
    assert business["returns"] == len(returned)
    assert business["refunded_cents"] == sum(cents(p["amount"]) for p in refunds.values())


def test_customer_tiers_follow_spend(long_run: Run) -> None:
    tiers = ("bronze", "silver", "gold", "platinum")
    refunded = {
        p["payload"]["customer_id"]
        for p in long_run.valid("payments")
        if p["type"] == "payment_refunded"
    }
    history: dict[int, list[int]] = defaultdict(list)
    for c in sorted(long_run.valid("customers"), key=lambda c: c["event_time"]):
        p = c["payload"]
        if c["type"] == "customer_created" or "loyalty_tier" in p.get("changed_fields", []):
            history[p["customer_id"]].append(tiers.index(p["loyalty_tier"]))
    # Lifetime spend only grows unless a refund takes some back: without refunds a
    # customer's tier never falls, and purchases move some customers up.
    for customer, seq in history.items():
        if customer not in refunded:
            assert seq == sorted(seq), (customer, seq)
    assert any(seq[-1] > seq[0] for seq in history.values())
