"""`lakehouse run`'s gold summary: every gold table, and daily sales against the manifest
to the cent (Trino answers are stubbed: the numbers are what is judged)."""

import io
from decimal import Decimal
from typing import Any

import pytest
from rich.console import Console

from ecommerce_assets.cli.gold_summary import gold_tables, print_gold_summary
from ecommerce_assets.defs.gold.project import GOLD_PROJECT
from ecommerce_assets.resources import TrinoResource
from ecommerce_assets.settings import get_settings

DAYS = ["2024-11-25", "2024-11-26"]
MANIFEST = {
    "days": {
        "2024-11-25": {"business": {"orders": 2, "gross_revenue_cents": 10_050,
                                    "captured_cents": 10_050, "refunded_cents": 1_000}},
        "2024-11-26": {"business": {"orders": 1, "gross_revenue_cents": 999,
                                    "captured_cents": 999, "refunded_cents": 0}},
    }
}  # fmt: skip


def _stub(monkeypatch: pytest.MonkeyPatch, second_day_gross: str) -> list[str]:
    queries: list[str] = []

    def query(self: TrinoResource, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        queries.append(sql)
        if "daily_sales" in sql and "count(*)" not in sql:
            return [
                ("2024-11-25", 2, Decimal("100.50"), Decimal("90.50")),
                ("2024-11-26", 1, Decimal(second_day_gross), Decimal("9.99")),
            ]
        return [(7,)]

    monkeypatch.setattr(TrinoResource, "query", query)
    return queries


def test_every_gold_model_is_counted_and_matching_days_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queries = _stub(monkeypatch, "9.99")
    out = io.StringIO()
    console = Console(file=out, width=200)
    ok = print_gold_summary(get_settings(), MANIFEST, DAYS, GOLD_PROJECT.manifest_path, console)
    assert ok
    tables = [identifier for identifier, _ in gold_tables(GOLD_PROJECT.manifest_path)]
    assert "gold.fct_orders" in tables and "gold.daily_sales" in tables
    assert all(identifier.startswith("gold.") for identifier in tables)
    assert [q for q in queries if "count(*)" in q] == [f"SELECT count(*) FROM {t}" for t in tables]
    assert "100.50" in out.getvalue() and "gold.fct_orders" in out.getvalue()


def test_a_cent_off_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    _stub(monkeypatch, "9.98")
    console = Console(file=io.StringIO())
    assert not print_gold_summary(
        get_settings(), MANIFEST, DAYS, GOLD_PROJECT.manifest_path, console
    )
