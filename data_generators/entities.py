"""The shop's slowly changing entities: customers, products, stock and campaigns.

State lives in numpy arrays sized by the number of customers/products (never by the
number of events), so memory does not grow with the length of a run. Ids are assigned
in order of creation, which makes "entities that exist at time t" a prefix of the
arrays: a binary search on the creation times finds it.

Changes are applied once per day before that day's traffic (a nightly CRM and price
sync at 00:00-00:05), so every order sees the prices and profiles its day started with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from data_generators.calendar import MS_PER_DAY, day_start_ms
from data_generators.envelope import money
from data_generators.params import GeneratorParams
from data_generators.pools import (
    ADJECTIVES,
    CATEGORIES,
    CATEGORY_COST_CENTS,
    COUNTRIES,
    EMAIL_DOMAINS,
    Pools,
    ascii_slug,
    build_pools,
)
from data_generators.records import Rows
from data_generators.seeding import rng_for
from streaming.contracts.vocabulary import CAMPAIGN_CHANNELS, LOYALTY_TIERS

TIERS = LOYALTY_TIERS
#: Lifetime spend (cents) from which a tier applies.
TIER_THRESHOLDS = np.array([0, 20_000, 100_000, 500_000])
TIER_DISCOUNT_PCT = (0, 0, 3, 5)

CHANNEL_SHARES = np.array([0.30, 0.22, 0.15, 0.12, 0.09, 0.05, 0.04, 0.03])

PRE_EXISTING_CUSTOMERS = 0.6
PRE_EXISTING_PRODUCTS = 0.85
PROFILE_CHANGE_RATE = 0.003  # per customer per day
PRICE_CHANGE_RATE = 0.01  # per product per day
NIGHTLY_SYNC_MS = 5 * 60_000
RESTOCK_HOUR_MS = 6 * 3_600_000
# Rough units sold per clickstream event; sizes initial stock to ~30 days of demand.
UNITS_PER_EVENT = 0.006


def _sorted_uniform(rng: np.random.Generator, n: int, lo: int, hi: int) -> np.ndarray:
    return np.sort(rng.integers(lo, max(hi, lo + 1), size=n, dtype=np.int64))


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    channel: str
    start: dt.date
    end: dt.date
    discount_pct: int
    budget_cents: int

    def payload(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "name": self.name,
            "channel": self.channel,
            "start_date": self.start.isoformat(),
            "end_date": self.end.isoformat(),
            "discount_pct": self.discount_pct,
            "budget": money(self.budget_cents),
        }


class Universe:
    """Customers, products, stock and campaigns of one seed, evolving day by day."""

    def __init__(self, params: GeneratorParams, start_ms: int | None = None) -> None:
        self.params = params
        self.pools: Pools = build_pools(params.seed)
        self.start_ms = day_start_ms(params.start_date) if start_ms is None else start_ms
        self.end_ms = self.start_ms + params.days * MS_PER_DAY
        rng = rng_for(params.seed, "universe")
        self._init_customers(rng)
        self._init_products(rng)
        self._init_campaigns(rng)

    # -- customers ---------------------------------------------------------------

    def _init_customers(self, rng: np.random.Generator) -> None:
        n = self.params.customers
        pre = max(1, round(n * PRE_EXISTING_CUSTOMERS))
        three_years = 3 * 365 * MS_PER_DAY
        self.signup_ms = np.concatenate(
            [
                _sorted_uniform(rng, pre, self.start_ms - three_years, self.start_ms),
                _sorted_uniform(rng, n - pre, self.start_ms, self.end_ms),
            ]
        )
        shares = np.array([c[2] for c in COUNTRIES])
        self.country = rng.choice(len(COUNTRIES), size=n, p=shares / shares.sum())
        pools = self.pools.countries

        def pick(attr: str) -> np.ndarray:
            sizes = np.array([len(getattr(p, attr)) for p in pools])
            return rng.integers(0, 1 << 30, size=n) % sizes[self.country]

        self.first = pick("first_names")
        self.last = pick("last_names")
        self.street = pick("streets")
        self.city = pick("cities")
        self.domain = rng.integers(0, len(EMAIL_DOMAINS), size=n)
        self.email_version = np.zeros(n, dtype=np.int32)
        self.opt_in = rng.random(n) < 0.55
        # Heavy tail: a few customers generate most sessions (Pareto, alpha 1.2).
        self.activity_cum = np.cumsum(rng.pareto(1.2, size=n) + 0.02)
        spend = np.zeros(n, dtype=np.int64)
        spend[:pre] = rng.lognormal(np.log(12_000), 1.3, size=pre).astype(np.int64)
        self.spend_cents = spend
        self.tier = self._tier_of(spend)

    @staticmethod
    def _tier_of(spend: np.ndarray) -> np.ndarray:
        return np.searchsorted(TIER_THRESHOLDS, spend, side="right") - 1

    def customers_existing_at(self, ms: np.ndarray) -> np.ndarray:
        """How many customers (a prefix of the ids) have signed up by each time."""
        return np.searchsorted(self.signup_ms, ms, side="right")

    def email(self, i: int) -> str:
        pool = self.pools.countries[self.country[i]]
        first = ascii_slug(pool.first_names[self.first[i]]) or "user"
        last = ascii_slug(pool.last_names[self.last[i]]) or "shopper"
        version = int(self.email_version[i])
        domain = EMAIL_DOMAINS[(self.domain[i] + version) % len(EMAIL_DOMAINS)]
        suffix = (i * 7919 + version * 104_729) % 10_000
        return f"{first}.{last}{suffix}@{domain}"

    def customer_payload(self, i: int) -> dict[str, Any]:
        pool = self.pools.countries[self.country[i]]
        city, postcode = pool.cities[self.city[i]]
        return {
            "customer_id": i + 1,
            "first_name": pool.first_names[self.first[i]],
            "last_name": pool.last_names[self.last[i]],
            "email": self.email(i),
            "address": {
                "street": pool.streets[self.street[i]],
                "city": city,
                "postcode": postcode,
                "country": pool.code,
            },
            "loyalty_tier": TIERS[self.tier[i]],
            "marketing_opt_in": bool(self.opt_in[i]),
            "signup_date": str(np.datetime64(int(self.signup_ms[i]), "ms").astype("M8[D]")),
        }

    def shipping_address(self, i: int) -> dict[str, str]:
        pool = self.pools.countries[self.country[i]]
        city, postcode = pool.cities[self.city[i]]
        return {"city": city, "postcode": postcode, "country": pool.code}

    def add_spend(self, customer_index: int, cents: int) -> None:
        self.spend_cents[customer_index] += cents

    # -- products ----------------------------------------------------------------

    def _init_products(self, rng: np.random.Generator) -> None:
        n = self.params.products
        pre = max(1, round(n * PRE_EXISTING_PRODUCTS))
        year = 365 * MS_PER_DAY
        self.launch_ms = np.concatenate(
            [
                _sorted_uniform(rng, pre, self.start_ms - year, self.start_ms),
                _sorted_uniform(rng, n - pre, self.start_ms, self.end_ms),
            ]
        )
        cats = list(CATEGORIES)
        self.category = rng.integers(0, len(cats), size=n)
        sub_sizes = np.array([len(CATEGORIES[c]) for c in cats])
        self.subcategory = rng.integers(0, 1 << 30, size=n) % sub_sizes[self.category]
        self.brand = rng.integers(0, len(self.pools.brands), size=n)
        self.adjective = rng.integers(0, len(ADJECTIVES), size=n)
        median = np.array([CATEGORY_COST_CENTS[c] for c in cats])[self.category]
        self.cost_cents = np.maximum(100, rng.lognormal(np.log(median), 0.5)).astype(np.int64)
        self.price_cents = self._charm(self.cost_cents * rng.uniform(1.4, 2.6, size=n))
        # Zipf-like popularity over a random ranking of the catalogue.
        rank = rng.permutation(n) + 1
        popularity = 1.0 / rank**1.05
        self.popularity_cum = np.cumsum(popularity)
        share = popularity / popularity.sum()
        daily_units = share * self.params.events_per_day * UNITS_PER_EVENT
        self.reorder_point = np.ceil(daily_units * 7).astype(np.int64) + 2
        self.reorder_to = (
            np.ceil(daily_units * 30 * rng.uniform(0.8, 1.2, size=n)).astype(np.int64) + 10
        )
        self.stock = self.reorder_to.copy()
        self._moved = np.zeros(n, dtype=bool)
        self._sold = np.zeros(n, dtype=np.int64)
        self._returned = np.zeros(n, dtype=np.int64)
        self._received = np.zeros(n, dtype=np.int64)

    @staticmethod
    def _charm(cents: np.ndarray) -> np.ndarray:
        """Round up to a .99 price point."""
        return (np.ceil(np.asarray(cents) / 100) * 100 - 1).astype(np.int64)

    def products_launched_at(self, ms: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.launch_ms, ms, side="right")

    def product_payload(self, j: int) -> dict[str, Any]:
        cat = list(CATEGORIES)[self.category[j]]
        sub = CATEGORIES[cat][self.subcategory[j]]
        brand = self.pools.brands[self.brand[j]]
        return {
            "product_id": j + 1,
            "sku": f"SKU-{j + 1:07d}",
            "name": f"{brand.split()[0]} {ADJECTIVES[self.adjective[j]]} {sub.title()}",
            "category": cat,
            "subcategory": sub,
            "brand": brand,
            "cost": money(int(self.cost_cents[j])),
            "list_price": money(int(self.price_cents[j])),
            "currency": "EUR",
        }

    def move_stock(self, j: int, sold: int = 0, returned: int = 0) -> None:
        self.stock[j] += returned - sold
        self._sold[j] += sold
        self._returned[j] += returned
        self._moved[j] = True

    # -- campaigns ---------------------------------------------------------------

    def _init_campaigns(self, rng: np.random.Generator) -> None:
        start = self.params.start_date - dt.timedelta(days=30)
        end = self.params.start_date + dt.timedelta(days=self.params.days)
        campaigns: list[Campaign] = []
        for channel in CAMPAIGN_CHANNELS:
            day = start + dt.timedelta(days=int(rng.integers(0, 14)))
            while day < end:
                length = int(rng.integers(7, 29))
                discount = {"email": (10, 15), "affiliate": (5, 5)}.get(channel, (0, 0, 10))
                campaigns.append(
                    Campaign(
                        campaign_id=f"cmp-{len(campaigns) + 1:05d}",
                        name=f"{ADJECTIVES[int(rng.integers(len(ADJECTIVES)))]} "
                        f"{channel.replace('_', ' ')} {day:%b %Y}",
                        channel=channel,
                        start=day,
                        end=day + dt.timedelta(days=length - 1),
                        discount_pct=int(rng.choice(discount)),
                        budget_cents=int(rng.integers(50, 500)) * 10_000,
                    )
                )
                day += dt.timedelta(days=length + int(rng.integers(0, 8)))
        self.campaigns = tuple(campaigns)
        self.campaign_discount = {c.campaign_id: c.discount_pct for c in campaigns}

    def active_campaigns(self, day: dt.date) -> dict[str, list[str]]:
        active: dict[str, list[str]] = {ch: [] for ch in CAMPAIGN_CHANNELS}
        for c in self.campaigns:
            if c.start <= day <= c.end:
                active[c.channel].append(c.campaign_id)
        return active

    # -- the nightly sync --------------------------------------------------------

    def snapshot(self, chunk: int = 10_000) -> Iterator[dict[str, Rows]]:
        """The state at the start of the run, in chunks so memory stays bounded.

        Customers and products that exist before the first day are announced at its
        first instant (``customer_created``, ``product_created``, ``inventory_snapshot``).
        Consume it fully before :meth:`begin_day` (0) changes the state.
        """
        t0 = self.start_ms
        customers = int(self.customers_existing_at(np.array([t0 - 1]))[0])
        products = int(self.products_launched_at(np.array([t0 - 1]))[0])
        for lo in range(0, customers, chunk):
            rows = Rows()
            for i in range(lo, min(lo + chunk, customers)):
                rows.add(t0, "customer_created", i + 1, self.customer_payload(i))
            yield {"customers": rows}
        for lo in range(0, products, chunk):
            products_rows, stock_rows = Rows(), Rows()
            for j in range(lo, min(lo + chunk, products)):
                products_rows.add(t0, "product_created", j + 1, self.product_payload(j))
                stock_rows.add(t0, "inventory_snapshot", j + 1, self._stock_payload(j))
            yield {"products": products_rows, "inventory": stock_rows}

    def begin_day(self, day_index: int) -> dict[str, Rows]:
        """Apply the day's entity changes and return their events, per stream."""
        day = self.params.start_date + dt.timedelta(days=day_index)
        t0 = self.start_ms + day_index * MS_PER_DAY
        t1 = t0 + MS_PER_DAY
        rng = rng_for(self.params.seed, "entities", day_index)
        out = {s: Rows() for s in ("customers", "products", "inventory", "campaigns")}

        for c in self.campaigns:
            if c.start == day or (day_index == 0 and c.start < day <= c.end):
                out["campaigns"].add(t0, "campaign_created", c.campaign_id, c.payload())

        self._customer_events(out["customers"], rng, t0, t1)
        self._product_events(out["products"], rng, t0, t1)
        self._restock(out["inventory"], t0)
        return out

    def _customer_events(self, rows: Rows, rng: np.random.Generator, t0: int, t1: int) -> None:
        existing = int(self.customers_existing_at(np.array([t0 - 1]))[0])
        changed: dict[int, list[str]] = {}
        new_tier = self._tier_of(self.spend_cents[:existing])
        for i in np.flatnonzero(new_tier != self.tier[:existing]):
            changed[int(i)] = ["loyalty_tier"]
        self.tier[:existing] = new_tier
        movers = rng.choice(
            existing, size=rng.binomial(existing, PROFILE_CHANGE_RATE), replace=False
        )
        kinds = rng.choice(3, size=len(movers), p=[0.5, 0.3, 0.2])
        for i, kind in zip(np.sort(movers), kinds, strict=True):
            i = int(i)
            sizes = self.pools.countries[self.country[i]]
            if kind == 0:
                self.street[i] = rng.integers(len(sizes.streets))
                self.city[i] = rng.integers(len(sizes.cities))
                changed.setdefault(i, []).append("address")
            elif kind == 1:
                self.email_version[i] += 1
                changed.setdefault(i, []).append("email")
            else:
                self.opt_in[i] = not self.opt_in[i]
                changed.setdefault(i, []).append("marketing_opt_in")
        when = t0 + rng.integers(0, NIGHTLY_SYNC_MS, size=max(1, len(changed)))
        for (i, fields), ms in zip(sorted(changed.items()), when, strict=False):
            payload = self.customer_payload(i) | {"changed_fields": fields}
            rows.add(int(ms), "customer_updated", i + 1, payload)
        new = np.flatnonzero((self.signup_ms >= t0) & (self.signup_ms < t1))
        for i in new:
            rows.add(int(self.signup_ms[i]), "customer_created", int(i) + 1,
                     self.customer_payload(int(i)))  # fmt: skip

    def _product_events(self, rows: Rows, rng: np.random.Generator, t0: int, t1: int) -> None:
        launched = int(self.products_launched_at(np.array([t0 - 1]))[0])
        movers = np.sort(rng.choice(launched, size=rng.binomial(launched, PRICE_CHANGE_RATE),
                                    replace=False))  # fmt: skip
        factors = rng.choice([0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15], size=len(movers))
        when = t0 + rng.integers(0, NIGHTLY_SYNC_MS, size=len(movers))
        for j, factor, ms in zip(movers, factors, when, strict=True):
            j = int(j)
            old = int(self.price_cents[j])
            new = max(int(self.cost_cents[j]) + 99, int(self._charm(old * factor)))
            if new == old:
                continue
            self.price_cents[j] = new
            rows.add(int(ms), "product_price_changed", j + 1, {
                "product_id": j + 1, "old_price": money(old), "new_price": money(new),
                "cost": money(int(self.cost_cents[j])), "currency": "EUR",
            })  # fmt: skip
        for j in np.flatnonzero((self.launch_ms >= t0) & (self.launch_ms < t1)):
            rows.add(int(self.launch_ms[j]), "product_created", int(j) + 1,
                     self.product_payload(int(j)))  # fmt: skip

    def _restock(self, rows: Rows, t0: int) -> None:
        launched = int(self.products_launched_at(np.array([t0 - 1]))[0])
        low = np.flatnonzero(self.stock[:launched] < self.reorder_point[:launched])
        for j in low:
            j = int(j)
            qty = int(self.reorder_to[j] - self.stock[j])
            self.stock[j] += qty
            self._received[j] += qty
            self._moved[j] = True
            rows.add(t0 + RESTOCK_HOUR_MS, "stock_received", j + 1, {
                "product_id": j + 1, "quantity": qty, "on_hand": int(self.stock[j]),
            })  # fmt: skip

    def _stock_payload(self, j: int) -> dict[str, Any]:
        level = int(self.stock[j])
        return {
            "product_id": j + 1,
            "on_hand": max(level, 0),
            "backordered": max(-level, 0),
            "units_sold": int(self._sold[j]),
            "units_returned": int(self._returned[j]),
            "units_received": int(self._received[j]),
        }

    def end_day(self, day_index: int) -> Rows:
        """End-of-day stock snapshots for every product whose stock moved."""
        t_end = self.start_ms + (day_index + 1) * MS_PER_DAY - 1
        rows = Rows()
        for j in np.flatnonzero(self._moved):
            rows.add(t_end, "inventory_snapshot", int(j) + 1, self._stock_payload(int(j)))
        self._moved[:] = False
        self._sold[:] = 0
        self._returned[:] = 0
        self._received[:] = 0
        return rows
