"""Referential integrity and purchase <-> order <-> payment consistency, checked on data."""

from __future__ import annotations

from collections import Counter, defaultdict

from tests.unit.data_generators.conftest import Run


def cents(x: float) -> int:
    return round(x * 100)


def by_type(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        out[r["type"]].append(r)
    return out


def test_every_purchase_has_one_order_with_items_and_one_captured_payment(clean_run: Run) -> None:
    clicks = by_type(clean_run.valid("clickstream"))
    orders = by_type(clean_run.valid("orders"))
    payments = by_type(clean_run.valid("payments"))
    purchases = clicks["purchase"]
    assert len(purchases) > 100
    placed = Counter(o["payload"]["order_id"] for o in orders["order_placed"])
    assert set(placed.values()) == {1}
    captured = Counter(p["payload"]["order_id"] for p in payments["payment_captured"])
    assert set(captured.values()) == {1}
    order_by_id = {o["payload"]["order_id"]: o for o in orders["order_placed"]}
    capture_by_id = {p["payload"]["order_id"]: p for p in payments["payment_captured"]}
    assert {p["payload"]["order_id"] for p in purchases} == set(order_by_id) == set(capture_by_id)
    for purchase in purchases:
        order = order_by_id[purchase["payload"]["order_id"]]
        assert order["payload"]["session_id"] == purchase["payload"]["session_id"]
        assert order["payload"]["customer_id"] == purchase["payload"]["customer_id"]
        assert order["event_time"] == purchase["event_time"]
        assert order["payload"]["items"], "an order has items"
        assert (
            capture_by_id[order["payload"]["order_id"]]["payload"]["amount"]
            == (order["payload"]["total"])
        )


def test_order_totals_follow_the_pricing_rule(clean_run: Run) -> None:
    orders = by_type(clean_run.valid("orders"))["order_placed"]
    for order in orders:
        p = order["payload"]
        subtotal = sum(i["quantity"] * cents(i["unit_price"]) for i in p["items"])
        discount = sum(cents(i["discount"]) for i in p["items"])
        assert cents(p["subtotal"]) == subtotal
        assert cents(p["discount"]) == discount
        assert cents(p["shipping"]) == (0 if subtotal - discount >= 5000 else 499)
        assert cents(p["total"]) == subtotal - discount + cents(p["shipping"])


def test_cart_events_lead_to_the_ordered_items(clean_run: Run) -> None:
    clicks = clean_run.valid("clickstream")
    cart: dict[str, Counter] = defaultdict(Counter)
    viewed: dict[str, set[int]] = defaultdict(set)
    for e in clicks:  # delivery order is event-time order without trouble
        p = e["payload"]
        if e["type"] == "product_view":
            viewed[p["session_id"]].add(p["product_id"])
        elif e["type"] == "add_to_cart":
            assert p["product_id"] in viewed[p["session_id"]], "added before viewed"
            cart[p["session_id"]][p["product_id"]] += p["quantity"]
        elif e["type"] == "remove_from_cart":
            cart[p["session_id"]][p["product_id"]] -= p["quantity"]
    for order in by_type(clean_run.valid("orders"))["order_placed"]:
        p = order["payload"]
        ordered = Counter({i["product_id"]: i["quantity"] for i in p["items"]})
        assert +cart[p["session_id"]] == ordered


def test_references_point_at_entities_that_exist_at_that_time(clean_run: Run) -> None:
    created = {
        c["payload"]["customer_id"]: c["event_time"]
        for c in clean_run.valid("customers")
        if c["type"] == "customer_created"
    }
    products = {
        p["payload"]["product_id"]: p["event_time"]
        for p in clean_run.valid("products")
        if p["type"] == "product_created"
    }
    campaigns = {c["payload"]["campaign_id"]: c["payload"] for c in clean_run.valid("campaigns")}
    checked = 0
    for e in clean_run.valid("clickstream"):
        p = e["payload"]
        if p["customer_id"] is not None:
            assert created[p["customer_id"]] <= e["event_time"]
        if p["product_id"] is not None:
            assert products[p["product_id"]] <= e["event_time"]
            checked += 1
        if p["campaign_id"] is not None:
            c = campaigns[p["campaign_id"]]
            assert c["start_date"] <= e["event_time"][:10] <= c["end_date"]
            assert c["channel"] == p["channel"]
    assert checked > 1000
    placed = {}
    for o in clean_run.valid("orders"):
        p = o["payload"]
        assert created[p["customer_id"]] <= o["event_time"]
        if o["type"] == "order_placed":
            placed[p["order_id"]] = o["event_time"]
            assert all(products[i["product_id"]] <= o["event_time"] for i in p["items"])
        else:  # cancellations and returns come after their order
            assert placed[p["order_id"]] < o["event_time"]
    for pay in clean_run.valid("payments"):
        if pay["payload"]["order_id"] is not None and pay["type"] == "payment_refunded":
            assert placed[pay["payload"]["order_id"]] < pay["event_time"]
    for inv in clean_run.valid("inventory"):
        assert inv["payload"]["product_id"] in products


def test_manifest_counts_and_business_totals_match_the_data(clean_run: Run) -> None:
    m = clean_run.manifest
    for stream in clean_run.params.topics.streams():
        counted: Counter = Counter()
        for r in clean_run.valid(stream):
            counted[(r["event_time"][:10], r["type"])] += 1
        expected = Counter()
        for date, day in m["days"].items():
            for t, n in day["records"][stream]["by_type"].items():
                expected[(date, t)] = n
        assert counted == +expected, stream
        assert m["totals"]["records"][stream]["delivered"] == len(clean_run.lines[stream])
    orders = by_type(clean_run.valid("orders"))
    placed = orders["order_placed"]
    business = m["totals"]["business"]
    assert business["orders"] == len(placed)
    assert business["gross_revenue_cents"] == sum(cents(o["payload"]["total"]) for o in placed)
    assert business["items"] == sum(i["quantity"] for o in placed for i in o["payload"]["items"])
    assert business["cancellations"] == len(orders["order_cancelled"])
    assert business["returns"] == len(orders["order_returned"])
    assert business["purchase_events"] == business["orders"]
    per_day = Counter()
    for o in placed:
        per_day[o["event_time"][:10]] += cents(o["payload"]["total"])
    assert {d: v["business"]["gross_revenue_cents"] for d, v in m["days"].items()
            if v["business"]["gross_revenue_cents"]} == dict(per_day)  # fmt: skip
