"""The shape of the data: seasonality, heavy-tailed customers, funnel, repeat purchases."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from data_generators import iter_records, make_params
from data_generators.calendar import black_friday, day_factor
from tests.unit.data_generators.conftest import Run


def test_hour_of_day_has_quiet_nights_and_busy_evenings(clean_run: Run) -> None:
    hours = Counter(int(e["event_time"][11:13]) for e in clean_run.valid("clickstream"))
    assert hours[20] > 5 * hours[3]
    assert hours[12] > 3 * hours[4]


def test_calendar_knows_weekdays_and_black_friday() -> None:
    assert black_friday(2024) == dt.date(2024, 11, 29)
    assert day_factor(dt.date(2024, 11, 29)) > 2.5 * day_factor(dt.date(2024, 11, 22))
    assert day_factor(dt.date(2024, 3, 3)) > day_factor(dt.date(2024, 3, 2))  # Sun > Sat


def test_weekday_traffic_follows_the_calendar() -> None:
    # Black Friday week: the Friday has about three times the traffic of the Thursday.
    params = make_params(seed=2, customers=500, products=100, days=2, events_per_day=4_000,
                         start_date=dt.date(2024, 11, 28))  # fmt: skip
    per_day: Counter = Counter()
    for out in iter_records(params):
        for b in out.batches:
            if b.stream == "clickstream":
                per_day.update((b.timestamps // 86_400_000).tolist())
    thursday, friday = (per_day[d] for d in sorted(per_day)[:2])
    assert 2.4 < friday / thursday < 3.6


def test_customers_are_heavy_tailed_and_buy_again(clean_run: Run) -> None:
    sessions = Counter()
    for e in clean_run.valid("clickstream"):
        if e["type"] == "page_view" and e["payload"]["customer_id"] is not None:
            sessions[e["payload"]["session_id"]] = e["payload"]["customer_id"]
    per_customer = np.array(sorted(Counter(sessions.values()).values(), reverse=True))
    top_decile = per_customer[: max(1, len(per_customer) // 10)].sum()
    assert top_decile / per_customer.sum() > 0.4
    orders = Counter(
        o["payload"]["customer_id"]
        for o in clean_run.valid("orders")
        if o["type"] == "order_placed"
    )
    assert sum(1 for n in orders.values() if n >= 2) > 10


def test_funnel_drops_at_every_step_and_channels_mix(clean_run: Run) -> None:
    by_type = clean_run.manifest["totals"]["records"]["clickstream"]["by_type"]
    funnel = [by_type[t] for t in ("product_view", "add_to_cart", "checkout_started", "purchase")]
    assert funnel == sorted(funnel, reverse=True) and funnel[-1] > 0
    sessions = clean_run.manifest["totals"]["business"]["sessions"]
    assert 0.01 < by_type["purchase"] / sessions < 0.08
    channels = Counter(
        e["payload"]["channel"] for e in clean_run.valid("clickstream") if e["type"] == "purchase"
    )
    assert len(channels) >= 6
    assert channels.most_common(1)[0][1] < 0.5 * sum(channels.values())


def test_entities_change_over_time(clean_run: Run) -> None:
    updates = [c for c in clean_run.valid("customers") if c["type"] == "customer_updated"]
    fields = Counter(f for c in updates for f in c["payload"]["changed_fields"])
    assert {"address", "email"} <= set(fields)
    prices = [p for p in clean_run.valid("products") if p["type"] == "product_price_changed"]
    assert prices and all(p["payload"]["old_price"] != p["payload"]["new_price"] for p in prices)
    orders = Counter(o["type"] for o in clean_run.valid("orders"))
    payments = Counter(p["type"] for p in clean_run.valid("payments"))
    assert orders["order_cancelled"] > 0 and payments["payment_declined"] > 0
