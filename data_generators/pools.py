"""Pools of realistic text (names, addresses, brands, search terms) built with Faker.

Faker costs tens of microseconds per value, far too slow per event, so each pool is
built once per seed and events sample indices into it. Pools depend only on the seed
(and the locked Faker version), which keeps output reproducible.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from faker import Faker

#: (country code, Faker locale, share of customers)
COUNTRIES: tuple[tuple[str, str, float], ...] = (
    ("US", "en_US", 0.45),
    ("GB", "en_GB", 0.20),
    ("DE", "de_DE", 0.15),
    ("FR", "fr_FR", 0.12),
    ("NL", "nl_NL", 0.08),
)

EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "gmx.net")

#: category -> subcategories; products are spread over these.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "electronics": ("headphones", "speakers", "chargers", "smartwatches", "cameras"),
    "home": ("lamps", "cookware", "bedding", "storage", "decor"),
    "fashion": ("sneakers", "jackets", "t-shirts", "jeans", "bags"),
    "beauty": ("skincare", "fragrance", "haircare", "makeup"),
    "sports": ("yoga mats", "running gear", "bikes", "fitness trackers"),
    "toys": ("board games", "puzzles", "building sets", "plush"),
    "books": ("fiction", "cookbooks", "travel guides", "comics"),
    "grocery": ("coffee", "tea", "snacks", "olive oil"),
}

#: Median unit cost per category, in cents.
CATEGORY_COST_CENTS: dict[str, int] = {
    "electronics": 4500, "home": 1800, "fashion": 2200, "beauty": 900,
    "sports": 2500, "toys": 1200, "books": 700, "grocery": 400,
}  # fmt: skip

ADJECTIVES = (
    "Classic", "Pro", "Eco", "Ultra", "Compact", "Premium", "Everyday", "Smart", "Vintage",
    "Lite", "Max", "Organic", "Urban", "Nordic", "Deluxe", "Essential",
)  # fmt: skip

STATIC_PAGES = ("/", "/deals", "/new", "/help", "/account", "/cart", "/stores", "/blog")


def ascii_slug(text: str) -> str:
    """Lower-case ASCII without spaces, for e-mail local parts."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


@dataclass(frozen=True)
class CountryPool:
    code: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]  # (city, postcode)


@dataclass(frozen=True)
class Pools:
    countries: tuple[CountryPool, ...]
    brands: tuple[str, ...]
    search_terms: tuple[str, ...]
    pages: tuple[str, ...]


def _unique(make: object, n: int, attempts: int = 20) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for _ in range(n * attempts):
        if len(seen) >= n:
            break
        seen[make()] = None  # type: ignore[operator]
    return tuple(seen)


@cache
def build_pools(seed: int, names: int = 250, addresses: int = 400, cities: int = 120) -> Pools:
    countries = []
    for i, (code, locale, _) in enumerate(COUNTRIES):
        fake = Faker(locale)
        fake.seed_instance(seed * 31 + i)
        countries.append(
            CountryPool(
                code=code,
                first_names=_unique(fake.first_name, names),
                last_names=_unique(fake.last_name, names),
                streets=_unique(fake.street_address, addresses),
                cities=tuple((fake.city(), fake.postcode()) for _ in range(cities)),
            )
        )
    fake = Faker("en_US")
    fake.seed_instance(seed * 31 + 97)
    brands = _unique(
        lambda: (
            fake.last_name()
            + " "
            + fake.random_element(
                ("Labs", "& Co", "Goods", "Works", "Studio", "Supply", "Outfitters")
            )
        ),
        120,
    )
    terms = [sub for subs in CATEGORIES.values() for sub in subs]
    terms += [f"{adj.lower()} {sub}" for adj in ADJECTIVES[:6] for sub in terms[:20]]
    terms += [b.split()[0].lower() for b in brands[:40]]
    terms += [f"{sub} {fake.word()}" for sub in terms[:40]]
    pages = list(STATIC_PAGES) + [f"/c/{c}" for c in CATEGORIES]
    pages += [f"/c/{c}/{s.replace(' ', '-')}" for c, subs in CATEGORIES.items() for s in subs]
    return Pools(tuple(countries), brands, tuple(dict.fromkeys(terms)), tuple(pages))
