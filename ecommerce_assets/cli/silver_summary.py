"""What ``lakehouse run`` prints about silver: rows per table, orders and revenue per day
against the generator's manifest, the quarantine, and the silver run's check results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dagster import DagsterEventType, DagsterInstance
from rich.console import Console
from rich.table import Table

from ecommerce_assets.resources import TrinoResource
from ecommerce_assets.settings import LakehouseSettings
from streaming.silver.layer import TABLES


def check_outcomes(instance: DagsterInstance, run_id: str) -> tuple[int, list[str]]:
    """(checks passed, descriptions of those that did not) of a run."""
    passed, failed = 0, []
    for record in instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000
    ).records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        evaluation = event.asset_check_evaluation_data
        if evaluation.passed:
            passed += 1
        else:
            failed.append(
                f"{evaluation.asset_key.to_user_string()} {evaluation.check_name} "
                f"({evaluation.severity.value}): {evaluation.description or 'failed'}"
            )
    return passed, failed


def print_silver_summary(
    settings: LakehouseSettings, manifest: dict[str, Any], days: list[str], console: Console
) -> bool:
    """Print silver's tables and reconcile orders and revenue per day with the manifest."""
    trino = TrinoResource.from_settings(settings)
    window = f"event_date BETWEEN DATE '{days[0]}' AND DATE '{days[-1]}'"
    counts = Table("table", "rows", title="silver (Trino)", caption=f"days {days[0]} to {days[-1]}")
    for table in TABLES:
        (n,) = trino.query(f"SELECT count(*) FROM {table.identifier} WHERE {window}")[0]
        counts.add_row(table.identifier, f"{n:,}")
    console.print(counts)

    money = Table(
        "day",
        "orders",
        "revenue (EUR)",
        "manifest orders",
        "manifest revenue",
        "ok",
        title="silver.orders per day = the generator's business totals",
    )
    rows = {
        str(day): (n, total)
        for day, n, total in trino.query(
            f"SELECT CAST(event_date AS varchar), count(*), sum(total) FROM silver.orders "
            f"WHERE {window} GROUP BY 1"
        )
    }
    all_ok = True
    for day in days:
        business = manifest["days"].get(day, {}).get("business", {})
        n, total = rows.get(day, (0, Decimal(0)))
        want_n, want_cents = business.get("orders", 0), business.get("gross_revenue_cents", 0)
        ok = n == want_n and int(Decimal(total or 0) * 100) == want_cents
        all_ok &= ok
        money.add_row(
            day,
            f"{n:,}",
            f"{Decimal(total or 0):,.2f}",
            f"{want_n:,}",
            f"{Decimal(want_cents) / 100:,.2f}",
            "[green]✓[/]" if ok else "[red]✗[/]",
        )
    console.print(money)
    for rule, n in trino.query(
        f"SELECT rule, count(*) FROM silver.quarantine WHERE {window} GROUP BY 1 ORDER BY 2 DESC"
    ):
        console.print(f"  quarantined: {rule} ({n})")
    return all_ok
