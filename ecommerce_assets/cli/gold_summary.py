"""What ``lakehouse run`` prints about gold: rows per gold table, ``gold.daily_sales``
per day against the generator's business totals, and the gold run's check results."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ecommerce_assets.resources import TrinoResource
from ecommerce_assets.settings import LakehouseSettings


def gold_tables(manifest_path: Path) -> list[tuple[str, str]]:
    """(identifier, materialization) of every dbt model in schema gold, by name."""
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    return sorted(
        (f"{node['schema']}.{node['alias'] or node['name']}", node["config"]["materialized"])
        for node in nodes
        if node["resource_type"] == "model" and node["schema"] == "gold"
    )


def _cents(value: Any) -> int:
    return int(Decimal(value or 0) * 100)


def _euros(cents: int) -> str:
    return f"{Decimal(cents) / 100:,.2f}"


def print_gold_summary(
    settings: LakehouseSettings,
    manifest: dict[str, Any],
    days: list[str],
    dbt_manifest: Path,
    console: Console,
) -> bool:
    """Print gold's tables and reconcile daily sales with the manifest; True if they match."""
    trino = TrinoResource.from_settings(settings)
    counts = Table("table", "built as", "rows", title="gold (Trino)")
    for identifier, materialized in gold_tables(dbt_manifest):
        (n,) = trino.query(f"SELECT count(*) FROM {identifier}")[0]
        counts.add_row(identifier, materialized, f"{n:,}")
    console.print(counts)

    sales = Table(
        "day",
        "orders",
        "gross revenue",
        "net revenue",
        "manifest orders",
        "manifest gross",
        "manifest net",
        "ok",
        title="gold.daily_sales per day = the generator's business totals",
        caption="net revenue = captured - refunded that day",
    )
    rows = {
        day: (orders, _cents(gross), _cents(net))
        for day, orders, gross, net in trino.query(
            "SELECT CAST(sales_date AS varchar), orders, gross_revenue, net_revenue "
            f"FROM gold.daily_sales WHERE sales_date BETWEEN DATE '{days[0]}' AND DATE '{days[-1]}'"
        )
    }
    all_ok = True
    for day in days:
        business = manifest["days"].get(day, {}).get("business", {})
        want = (
            business.get("orders", 0),
            business.get("gross_revenue_cents", 0),
            business.get("captured_cents", 0) - business.get("refunded_cents", 0),
        )
        got = rows.get(day, (0, 0, 0))
        ok = got == want
        all_ok &= ok
        sales.add_row(
            day,
            f"{got[0]:,}",
            _euros(got[1]),
            _euros(got[2]),
            f"{want[0]:,}",
            _euros(want[1]),
            _euros(want[2]),
            "[green]✓[/]" if ok else "[red]✗[/]",
        )
    # Eight columns: wider than a pipe's default 80, as the bronze table is printed.
    Console(file=console.file, width=max(console.width, 120)).print(sales)
    return all_ok
