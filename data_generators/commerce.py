"""Orders, payments, cancellations and returns behind every purchase.

Each :class:`~data_generators.clickstream.Purchase` becomes exactly one
``order_placed`` (same order id as the ``purchase`` event) and exactly one
``payment_captured`` for the order total, possibly preceded by a ``payment_declined``
attempt. Totals follow one rule everywhere::

    subtotal = sum(quantity * unit_price)      discount = sum(line discounts)
    shipping = 0 if subtotal - discount >= FREE_SHIPPING else SHIPPING_FEE
    total    = subtotal - discount + shipping

Cancellations (hours later) and returns (days later) lie in the future of the slice
that produced the order; they are returned as :class:`Scheduled` events and emitted
when the simulation reaches their time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from data_generators.clickstream import AbandonedCheckout, Purchase
from data_generators.entities import TIER_DISCOUNT_PCT, Universe
from data_generators.envelope import money, uuid_strings
from data_generators.records import Rows
from streaming.contracts.vocabulary import (
    CANCEL_REASONS,
    DECLINE_REASONS,
    PAYMENT_METHODS,
    RETURN_REASONS,
)

FREE_SHIPPING_CENTS = 5_000
SHIPPING_FEE_CENTS = 499
PAYMENT_SHARES = (0.55, 0.25, 0.10, 0.06, 0.04)
CANCEL_RATE = 0.04
RETURN_RATE = 0.08
_MINUTE = 60_000
_DAY = 86_400_000


@dataclass
class Scheduled:
    """An event decided now that happens later (cancellation, return, their refunds)."""

    ms: int
    stream: str
    event_type: str
    key: str
    payload: dict[str, Any]
    #: (product index, quantity) put back into stock when the event happens.
    restock: list[tuple[int, int]] = field(default_factory=list)
    #: (customer index, cents) added to lifetime spend when the event happens.
    spend: tuple[int, int] | None = None


@dataclass
class CommerceOut:
    orders: Rows
    payments: Rows
    scheduled: list[Scheduled]


def order_totals(lines: list[dict[str, Any]]) -> dict[str, int]:
    """Totals in cents for order lines with ``unit_price_cents`` and ``quantity``."""
    subtotal = sum(line["unit_price_cents"] * line["quantity"] for line in lines)
    discount = sum(line["discount_cents"] for line in lines)
    shipping = 0 if subtotal - discount >= FREE_SHIPPING_CENTS else SHIPPING_FEE_CENTS
    return {
        "subtotal": subtotal,
        "discount": discount,
        "shipping": shipping,
        "total": subtotal - discount + shipping,
    }


def settle(
    universe: Universe,
    rng: np.random.Generator,
    purchases: list[Purchase],
    abandoned: list[AbandonedCheckout],
    drift_ms: int | None,
) -> CommerceOut:
    orders, payments = Rows(), Rows()
    scheduled: list[Scheduled] = []
    payment_ids = uuid_strings(rng, 3 * len(purchases) + len(abandoned), quoted=False)
    pids = iter(payment_ids.to_pylist())
    methods = rng.choice(len(PAYMENT_METHODS), size=len(purchases) + len(abandoned),
                         p=PAYMENT_SHARES)  # fmt: skip
    for n, p in enumerate(purchases):
        customer_id = p.customer + 1
        merged: dict[int, int] = {}
        for product, qty in p.lines:
            merged[product] = merged.get(product, 0) + qty
        pct = max(
            universe.campaign_discount.get(p.campaign_id, 0) if p.campaign_id else 0,
            TIER_DISCOUNT_PCT[universe.tier[p.customer]],
        )
        lines = []
        for number, (product, qty) in enumerate(merged.items(), start=1):
            price = int(universe.price_cents[product])
            lines.append({
                "line_number": number, "product_id": product + 1, "quantity": qty,
                "unit_price_cents": price,
                "discount_cents": (price * qty * pct + 50) // 100,
            })  # fmt: skip
        totals = order_totals(lines)
        method = PAYMENT_METHODS[methods[n]]
        payload: dict[str, Any] = {
            "order_id": p.order_id,
            "customer_id": customer_id,
            "session_id": p.session_id,
            "channel": p.channel,
            "campaign_id": p.campaign_id,
            "device": p.device,
            "items": [
                {
                    "line_number": line["line_number"],
                    "product_id": line["product_id"],
                    "quantity": line["quantity"],
                    "unit_price": money(line["unit_price_cents"]),
                    "discount": money(line["discount_cents"]),
                }
                for line in lines
            ],
            "subtotal": money(totals["subtotal"]),
            "discount": money(totals["discount"]),
            "shipping": money(totals["shipping"]),
            "total": money(totals["total"]),
            "currency": "EUR",
            "payment_method": method,
            "shipping_address": universe.shipping_address(p.customer),
        }
        if drift_ms is not None and p.purchase_ms >= drift_ms:
            payload["gift_wrap"] = bool(rng.random() < 0.1)
        orders.add(p.purchase_ms, "order_placed", customer_id, payload)
        for product, qty in merged.items():
            universe.move_stock(product, sold=qty)
        universe.add_spend(p.customer, totals["total"])

        base = {"order_id": p.order_id, "customer_id": customer_id, "method": method}
        if p.declined_first:
            payments.add(
                p.purchase_ms - int(rng.integers(3_000, 30_000)), "payment_declined",
                customer_id,
                {"payment_id": next(pids), **base, "amount": money(totals["total"]),
                 "currency": "EUR", "decline_reason": str(rng.choice(DECLINE_REASONS))},
            )  # fmt: skip
        else:
            next(pids)  # keep id consumption independent of the decline draw
        payments.add(p.purchase_ms, "payment_captured", customer_id,
                      {"payment_id": next(pids), **base, "amount": money(totals["total"]),
                       "currency": "EUR", "decline_reason": None})  # fmt: skip
        refund_id = next(pids)
        if rng.random() < CANCEL_RATE:
            when = p.purchase_ms + int(rng.integers(10 * _MINUTE, 360 * _MINUTE))
            scheduled += _cancellation(p, customer_id, totals, merged, refund_id, method, when, rng)
        elif rng.random() < RETURN_RATE:
            when = p.purchase_ms + int(rng.integers(3 * _DAY, 30 * _DAY))
            scheduled += _return(p, customer_id, lines, refund_id, method, when, rng)

    for m, a in enumerate(abandoned, start=len(purchases)):
        payments.add(
            a.checkout_ms + int(rng.integers(5_000, 60_000)), "payment_declined", a.customer + 1,
            {"payment_id": next(pids), "order_id": None, "customer_id": a.customer + 1,
             "method": PAYMENT_METHODS[methods[m]], "amount": None, "currency": "EUR",
             "decline_reason": str(rng.choice(DECLINE_REASONS))},
        )  # fmt: skip
    return CommerceOut(orders, payments, scheduled)


def _cancellation(
    p: Purchase,
    customer_id: int,
    totals: dict[str, int],
    merged: dict[int, int],
    refund_id: str,
    method: str,
    when: int,
    rng: np.random.Generator,
) -> list[Scheduled]:
    reason = str(rng.choice(CANCEL_REASONS))
    restock = list(merged.items())
    return [
        Scheduled(when, "orders", "order_cancelled", str(customer_id), {
            "order_id": p.order_id, "customer_id": customer_id, "reason": reason,
            "refund_amount": money(totals["total"]),
        }, restock=restock, spend=(p.customer, -totals["total"])),
        Scheduled(when + 1_000, "payments", "payment_refunded", str(customer_id), {
            "payment_id": refund_id, "order_id": p.order_id, "customer_id": customer_id,
            "method": method, "amount": money(totals["total"]), "currency": "EUR",
            "refund_reason": "cancellation",
        }),
    ]  # fmt: skip


def _return(
    p: Purchase,
    customer_id: int,
    lines: list[dict[str, Any]],
    refund_id: str,
    method: str,
    when: int,
    rng: np.random.Generator,
) -> list[Scheduled]:
    keep = rng.random(len(lines)) < 0.6
    keep[int(rng.integers(len(lines)))] = True  # a return has at least one line
    items, refund = [], 0
    for line, chosen in zip(lines, keep, strict=True):
        if not chosen:
            continue
        qty = int(rng.integers(1, line["quantity"] + 1))
        # Line discount is refunded pro rata; shipping is not refunded.
        line_refund = (
            line["unit_price_cents"] * qty - line["discount_cents"] * qty // line["quantity"]
        )
        refund += line_refund
        items.append({"product_id": line["product_id"], "quantity": qty,
                      "refund": money(line_refund)})  # fmt: skip
    restock = [(item["product_id"] - 1, item["quantity"]) for item in items]
    reason = str(rng.choice(RETURN_REASONS))
    return [
        Scheduled(when, "orders", "order_returned", str(customer_id), {
            "order_id": p.order_id, "customer_id": customer_id, "reason": reason,
            "items": items, "refund_amount": money(refund),
        }, restock=restock, spend=(p.customer, -refund)),
        Scheduled(when + 1_000, "payments", "payment_refunded", str(customer_id), {
            "payment_id": refund_id, "order_id": p.order_id, "customer_id": customer_id,
            "method": method, "amount": money(refund), "currency": "EUR",
            "refund_reason": "return",
        }),
    ]  # fmt: skip
