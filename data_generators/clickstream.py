"""Web and app sessions and their clickstream events, simulated column-wise.

A slice's sessions are drawn all at once with numpy: who (anonymous or a customer
weighted by a heavy-tailed activity), where from (channel, campaign, device), and how
deep each goes down the funnel::

    page_view -> search / page_view / product_view -> add_to_cart -> remove_from_cart
              -> checkout_started -> purchase

Each step drops visitors; intent (log-normal per session), loyalty tier and channel
move the odds. Only signed-in visitors can check out, so every purchase has a customer.
Purchases are handed to :mod:`data_generators.commerce`, which turns them into orders
and payments with the same order id that the ``purchase`` event carries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data_generators.entities import CHANNEL_SHARES, TIERS, Universe
from data_generators.envelope import (
    Literal,
    envelopes,
    int_literals,
    iso_strings,
    json_objects,
    uuid_strings,
)
from streaming.contracts import DRIFT_SCHEMA_VERSION, SCHEMA_VERSION, stream_contract
from streaming.contracts.vocabulary import CHANNELS, DEVICES

EVENT_TYPES = stream_contract("clickstream").event_types
# Event type codes index EVENT_TYPES; looked up by name so a reordered contract cannot
# silently swap them.
PAGE_VIEW, SEARCH, PRODUCT_VIEW, ADD, REMOVE, CHECKOUT, PURCHASE = map(
    EVENT_TYPES.index,
    ("page_view", "search", "product_view", "add_to_cart", "remove_from_cart",
     "checkout_started", "purchase"),
)  # fmt: skip
_PRODUCT_EVENTS = (PRODUCT_VIEW, ADD, REMOVE)

DEVICE_SHARES = np.array([0.38, 0.37, 0.15, 0.10])
ANONYMOUS_SHARE = 0.35
#: Used to turn "events per day" into a number of sessions; measured on the model.
MEAN_EVENTS_PER_SESSION = 5.3

_CHANNEL_BOOST = np.array([1.0, 1.1, 1.2, 0.8, 1.4, 1.0, 0.9, 0.7])
_TIER_BOOST = 1.0 + 0.25 * np.arange(len(TIERS))
_P_ADD = 0.055
_P_REMOVE = 0.15
_P_CHECKOUT = 0.42
_P_PURCHASE = 0.72
_P_DECLINE_BEFORE_SUCCESS = 0.07
_P_DECLINE_AND_ABANDON = 0.25
_MEAN_GAP_MS = 20_000


@dataclass
class Purchase:
    """A completed checkout: the seed of one order and its payments."""

    session_id: str
    customer: int  # index into the universe (customer_id - 1)
    order_id: str
    checkout_ms: int
    purchase_ms: int
    lines: list[tuple[int, int]]  # (product index, quantity), in cart order
    channel: str
    campaign_id: str | None
    device: str
    declined_first: bool


@dataclass
class AbandonedCheckout:
    session_id: str
    customer: int
    checkout_ms: int


@dataclass
class SliceClicks:
    keys: pa.Array
    values: pa.Array
    event_ms: np.ndarray
    event_type: np.ndarray
    sessions: int
    purchases: list[Purchase]
    abandoned: list[AbandonedCheckout]


class ClickstreamModel:
    """Per-run constants (pools encoded as JSON literals once)."""

    def __init__(self, universe: Universe) -> None:
        self.universe = universe
        pools = universe.pools
        self.pages = [*list(pools.pages), "/search", "/checkout", "/checkout/complete"]
        self.page_lit = Literal(self.pages)
        self.n_browse_pages = len(pools.pages)
        self.terms = Literal(pools.search_terms)
        self.types = Literal(EVENT_TYPES)
        self.devices = Literal(DEVICES)
        self.channels = Literal(CHANNELS)
        self.campaign_ids = [c.campaign_id for c in universe.campaigns]
        self.campaigns = Literal(self.campaign_ids or [""])
        self.campaign_code = {cid: i for i, cid in enumerate(self.campaign_ids)}
        self.bools = Literal([False, True])

    def simulate(
        self,
        rng: np.random.Generator,
        t0: int,
        t1: int,
        n_sessions: int,
        active_campaigns: dict[str, list[str]],
        drift_ms: int | None,
    ) -> SliceClicks:
        u = self.universe
        S = n_sessions
        start = np.sort(t0 + rng.integers(0, t1 - t0, size=S, dtype=np.int64))
        existing = u.customers_existing_at(start)
        anon = (rng.random(S) < ANONYMOUS_SHARE) | (existing == 0)
        pick = rng.random(S) * u.activity_cum[np.maximum(existing - 1, 0)]
        customer = np.minimum(
            np.searchsorted(u.activity_cum, pick, side="right"), np.maximum(existing - 1, 0)
        )
        device = rng.choice(len(DEVICES), size=S, p=DEVICE_SHARES)
        channel = rng.choice(len(CHANNELS), size=S, p=CHANNEL_SHARES / CHANNEL_SHARES.sum())
        campaign = np.full(S, -1, dtype=np.int64)
        for ch_name, ids in active_campaigns.items():
            mask = channel == CHANNELS.index(ch_name)
            if ids and mask.any():
                codes = np.array([self.campaign_code[c] for c in ids])
                campaign[mask] = codes[rng.integers(0, len(ids), size=int(mask.sum()))]
        tier = np.where(anon, 0, u.tier[customer])
        boost = rng.lognormal(0.0, 0.7, size=S) * _CHANNEL_BOOST[channel] * _TIER_BOOST[tier]

        n_search = rng.poisson(0.6, size=S)
        n_page = rng.poisson(1.0, size=S)
        n_prod = rng.geometric(0.3, size=S) - 1

        # Product views and what happens to them.
        pv_sess = np.repeat(np.arange(S), n_prod)
        launched = u.products_launched_at(start[pv_sess])
        pick = rng.random(len(pv_sess)) * u.popularity_cum[np.maximum(launched - 1, 0)]
        pv_product = np.minimum(
            np.searchsorted(u.popularity_cum, pick, side="right"), np.maximum(launched - 1, 0)
        )
        pv_key = rng.uniform(0.01, 0.94, size=len(pv_sess))
        added = rng.random(len(pv_sess)) < np.minimum(0.8, _P_ADD * boost[pv_sess])
        qty = rng.choice([1, 2, 3], size=len(pv_sess), p=[0.82, 0.13, 0.05])
        removed = added & (rng.random(len(pv_sess)) < _P_REMOVE)
        kept = added & ~removed
        cart_nonempty = np.bincount(pv_sess[kept], minlength=S) > 0
        checkout = (
            cart_nonempty & ~anon & (rng.random(S) < np.minimum(0.9, _P_CHECKOUT * np.sqrt(boost)))
        )
        purchase = checkout & (rng.random(S) < _P_PURCHASE)
        declined_first = purchase & (rng.random(S) < _P_DECLINE_BEFORE_SUCCESS)
        abandoned = checkout & ~purchase & (rng.random(S) < _P_DECLINE_AND_ABANDON)

        # Assemble every event as rows of small integer columns.
        add_idx = np.flatnonzero(added)
        rem_idx = np.flatnonzero(removed)
        add_key = pv_key[add_idx] + 1e-9
        rem_key = pv_key[rem_idx] + (0.95 - pv_key[rem_idx]) * rng.random(len(rem_idx))
        co_sess = np.flatnonzero(checkout)
        pu_sess = np.flatnonzero(purchase)
        page_sess = np.repeat(np.arange(S), n_page)
        search_sess = np.repeat(np.arange(S), n_search)
        parts = [
            # (session, type, sort key, product, quantity, page, term)
            (np.arange(S), PAGE_VIEW, np.zeros(S), None, None,
             rng.integers(0, self.n_browse_pages, size=S), None),
            (page_sess, PAGE_VIEW, rng.uniform(0.01, 0.94, size=len(page_sess)), None, None,
             rng.integers(0, self.n_browse_pages, size=len(page_sess)), None),
            (search_sess, SEARCH, rng.uniform(0.01, 0.94, size=len(search_sess)), None, None,
             None, rng.integers(0, len(self.terms.values), size=len(search_sess))),
            (pv_sess, PRODUCT_VIEW, pv_key, pv_product, None, None, None),
            (pv_sess[add_idx], ADD, add_key, pv_product[add_idx], qty[add_idx], None, None),
            (pv_sess[rem_idx], REMOVE, rem_key, pv_product[rem_idx], qty[rem_idx], None, None),
            (co_sess, CHECKOUT, np.full(len(co_sess), 0.96), None, None, None, None),
            (pu_sess, PURCHASE, np.full(len(pu_sess), 0.99), None, None, None, None),
        ]  # fmt: skip

        def column(i: int, fill: int) -> np.ndarray:
            return np.concatenate(
                [p[i] if p[i] is not None else np.full(len(p[0]), fill) for p in parts]
            ).astype(np.int64)

        sess = np.concatenate([p[0] for p in parts]).astype(np.int64)
        etype = np.concatenate([np.full(len(p[0]), p[1], dtype=np.int8) for p in parts])
        key = np.concatenate([p[2] for p in parts])
        product, quantity = column(3, -1), column(4, 0)
        page, term = column(5, -1), column(6, -1)
        # Cart lines in cart order (kept adds), for the orders.
        cart_order = np.lexsort((add_key[kept[add_idx]], pv_sess[add_idx][kept[add_idx]]))
        cart_sess = pv_sess[add_idx][kept[add_idx]][cart_order]
        cart_prod = pv_product[add_idx][kept[add_idx]][cart_order]
        cart_qty = qty[add_idx][kept[add_idx]][cart_order]

        order = np.lexsort((key, sess))
        sess, etype, product, quantity, page, term = (
            a[order] for a in (sess, etype, product, quantity, page, term)
        )
        gaps = (rng.exponential(_MEAN_GAP_MS, size=len(sess)) + 500).astype(np.int64)
        first = np.ones(len(sess), dtype=bool)
        first[1:] = sess[1:] != sess[:-1]
        gaps[first] = 0
        cum = np.cumsum(gaps)
        base = cum[np.flatnonzero(first)][np.cumsum(first) - 1]
        event_ms = start[sess] + (cum - base)

        session_ids = uuid_strings(rng, S, quoted=False)
        order_ids = uuid_strings(rng, len(pu_sess), quoted=False)
        purchases, abandoned_rows = self._handoff(
            sess, etype, event_ms, session_ids, order_ids, pu_sess, customer, channel,
            campaign, device, declined_first, abandoned, cart_sess, cart_prod, cart_qty,
        )  # fmt: skip

        # Emit in time order; stable, so ties keep funnel order within a session.
        emit = np.argsort(event_ms, kind="stable")
        sess, etype, product, quantity, page, term, event_ms = (
            a[emit] for a in (sess, etype, product, quantity, page, term, event_ms)
        )
        order_code = np.full(S, -1, dtype=np.int64)
        order_code[pu_sess] = np.arange(len(pu_sess))
        keys = session_ids.take(pa.array(sess))
        values = self._encode(
            rng, sess, etype, product, quantity, page, term, event_ms, keys, customer, anon,
            device, channel, campaign, order_code, order_ids, drift_ms,
        )  # fmt: skip
        return SliceClicks(keys, values, event_ms, etype, S, purchases, abandoned_rows)

    def _handoff(
        self,
        sess: np.ndarray,
        etype: np.ndarray,
        event_ms: np.ndarray,
        session_ids: pa.Array,
        order_ids: pa.Array,
        pu_sess: np.ndarray,
        customer: np.ndarray,
        channel: np.ndarray,
        campaign: np.ndarray,
        device: np.ndarray,
        declined_first: np.ndarray,
        abandoned: np.ndarray,
        cart_sess: np.ndarray,
        cart_prod: np.ndarray,
        cart_qty: np.ndarray,
    ) -> tuple[list[Purchase], list[AbandonedCheckout]]:  # fmt: skip
        sid = session_ids.to_pylist()
        purchase_ms = dict(zip(sess[etype == PURCHASE].tolist(),
                               event_ms[etype == PURCHASE].tolist(), strict=True))  # fmt: skip
        checkout_ms = dict(zip(sess[etype == CHECKOUT].tolist(),
                               event_ms[etype == CHECKOUT].tolist(), strict=True))  # fmt: skip
        bounds = np.searchsorted(cart_sess, pu_sess, side="left")
        ends = np.searchsorted(cart_sess, pu_sess, side="right")
        oids = order_ids.to_pylist()
        purchases = []
        for n, s in enumerate(pu_sess.tolist()):
            lo, hi = bounds[n], ends[n]
            code = int(campaign[s])
            purchases.append(
                Purchase(
                    session_id=sid[s],
                    customer=int(customer[s]),
                    order_id=oids[n],
                    checkout_ms=checkout_ms[s],
                    purchase_ms=purchase_ms[s],
                    lines=list(
                        zip(cart_prod[lo:hi].tolist(), cart_qty[lo:hi].tolist(), strict=True)
                    ),
                    channel=CHANNELS[channel[s]],
                    campaign_id=self.campaign_ids[code] if code >= 0 else None,
                    device=DEVICES[device[s]],
                    declined_first=bool(declined_first[s]),
                )
            )
        abandoned_rows = [
            AbandonedCheckout(sid[s], int(customer[s]), checkout_ms[s])
            for s in np.flatnonzero(abandoned).tolist()
        ]
        return purchases, abandoned_rows

    def _encode(
        self,
        rng: np.random.Generator,
        sess: np.ndarray,
        etype: np.ndarray,
        product: np.ndarray,
        quantity: np.ndarray,
        page: np.ndarray,
        term: np.ndarray,
        event_ms: np.ndarray,
        keys: pa.Array,
        customer: np.ndarray,
        anon: np.ndarray,
        device: np.ndarray,
        channel: np.ndarray,
        campaign: np.ndarray,
        order_code: np.ndarray,
        order_ids: pa.Array,
        drift_ms: int | None,
    ) -> pa.Array:  # fmt: skip
        n = len(sess)
        ids = uuid_strings(rng, n, quoted=True)
        is_product = np.isin(etype, _PRODUCT_EVENTS)
        static_page = page.copy()
        static_page[etype == SEARCH] = self.pages.index("/search")
        static_page[etype == CHECKOUT] = self.pages.index("/checkout")
        static_page[etype == PURCHASE] = self.pages.index("/checkout/complete")
        prod_str = pc.cast(pa.array(product + 1), pa.string())
        page_col = pc.if_else(
            pa.array(is_product),
            pc.binary_join_element_wise('"/p/', prod_str, '"', ""),
            self.page_lit.take(np.maximum(static_page, 0)),
        )
        price = self.universe.price_cents[np.maximum(product, 0)]
        price_col = pc.binary_join_element_wise(
            pc.cast(pa.array(price // 100), pa.string()),
            pc.utf8_lpad(pc.cast(pa.array(price % 100), pa.string()), 2, "0"),
            ".",
        )
        price_col = pc.if_else(pa.array(is_product), price_col, pa.scalar(None, pa.string()))
        cust = customer[sess] + 1
        camp = campaign[sess]
        oc = order_code[sess]
        is_purchase = etype == PURCHASE
        order_ids_q = pc.binary_join_element_wise('"', order_ids, '"', "")
        fields: list[tuple[str, pa.Array | str]] = [
            ("session_id", pc.binary_join_element_wise('"', keys, '"', "")),
            ("customer_id", int_literals(cust, anon[sess])),
            ("device", self.devices.take(device[sess])),
            ("channel", self.channels.take(channel[sess])),
            ("campaign_id", self.campaigns.take(np.maximum(camp, 0), camp < 0)),
            ("page", page_col),
            ("product_id", int_literals(product + 1, ~is_product)),
            ("price", price_col),
            ("search_query", self.terms.take(np.maximum(term, 0), etype != SEARCH)),
            ("quantity", int_literals(quantity, quantity == 0)),
            ("order_id", order_ids_q.take(pa.array(np.maximum(oc, 0), mask=~is_purchase))
             if len(order_ids) else pa.nulls(n, pa.string())),
        ]  # fmt: skip
        types = self.types.take(etype)
        times = iso_strings(event_ms, quoted=True)
        cut = n if drift_ms is None else int(np.searchsorted(event_ms, drift_ms, side="left"))
        consent = self.bools.take(rng.integers(0, 2, size=n - cut)) if cut < n else None
        halves = []
        if cut > 0:
            payload = json_objects([(k, v.slice(0, cut)) for k, v in fields])
            halves.append(
                envelopes(
                    ids.slice(0, cut),
                    types.slice(0, cut),
                    times.slice(0, cut),
                    str(SCHEMA_VERSION),
                    payload,
                )
            )
        if consent is not None:
            later = [(k, v.slice(cut)) for k, v in fields] + [("consent_marketing", consent)]
            halves.append(
                envelopes(
                    ids.slice(cut),
                    types.slice(cut),
                    times.slice(cut),
                    str(DRIFT_SCHEMA_VERSION),
                    json_objects(later),
                )
            )
        if not halves:
            return pa.array([], pa.string())
        return pa.concat_arrays(halves) if len(halves) > 1 else halves[0]
