"""`lakehouse run`'s final summary: where the time went, rows per layer and table, the
example queries and the hints (Trino and the Dagster instance are stubbed: what is judged
is the arithmetic and what a person reads)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import pytest
from rich.console import Console

from data_generators.manifest import write_manifest
from ecommerce_assets.cli.run import ensure_generated, run
from ecommerce_assets.cli.run_summary import (
    EXAMPLE_QUERIES,
    LayerRun,
    QueryResult,
    count_rows,
    count_sql,
    format_cell,
    format_seconds,
    larger_hint,
    layer_tables,
    overview_table,
    print_run_summary,
    sql_command,
    summary_dict,
    time_shares,
    ui_hint,
)
from ecommerce_assets.defs.gold.project import GOLD_PROJECT
from ecommerce_assets.resources import TrinoResource
from ecommerce_assets.settings import get_settings

RUNS = [
    LayerRun("bronze", "run-b", 20.0, 16),
    LayerRun("silver", "run-s", 30.0, 40, ["silver/orders customers_exist (WARN): 2 unknown"]),
    LayerRun("gold", "run-g", 25.0, 90),
]
PHASES = {"stack start": 10.0, "generation": 5.0}
ROWS = {
    "bronze": {"bronze.orders": 1_200, "bronze.dead_letters": 34},
    "silver": {"silver.orders": 1_100},
    "gold": {"gold.daily_sales": 3, "gold.fct_orders": 1_100},
}


def _render(renderable: Any) -> str:
    out = io.StringIO()
    Console(file=out, width=200).print(renderable)
    return out.getvalue()


def test_each_part_gets_its_share_and_the_rest_is_what_they_do_not_cover() -> None:
    assert time_shares(PHASES, RUNS, 100.0) == [
        ("stack start", 10.0, 10.0),
        ("generation", 5.0, 5.0),
        ("bronze", 20.0, 20.0),
        ("silver", 30.0, 30.0),
        ("gold", 25.0, 25.0),
        ("other: launching runs, reconciling", 10.0, 10.0),
    ]


def test_the_rest_never_goes_negative() -> None:
    # Run records and the CLI's clock disagree by a few ms at worst; never a negative share.
    shares = time_shares({}, [LayerRun("bronze", "r", 10.02, 1)], 10.0)
    assert shares[-1] == ("other: launching runs, reconciling", 0.0, 0.0)


def test_seconds_read_as_seconds_then_minutes() -> None:
    assert format_seconds(7.25) == "7.2 s"
    assert format_seconds(42.3) == "42.3 s"
    assert format_seconds(125.4) == "2 min 05 s"
    assert format_seconds(600) == "10 min 00 s"


def test_query_values_read_as_money_counts_and_days() -> None:
    assert format_cell(Decimal("11460.85")) == "11,460.85"
    assert format_cell(Decimal("62.6")) == "62.60"
    assert format_cell(12345) == "12,345"
    assert format_cell(dt.date(2024, 11, 25)) == "2024-11-25"
    assert format_cell(None) == "null"
    assert format_cell(True) == "true"
    assert format_cell(0.031234) == "0.03123"
    assert format_cell("electronics") == "electronics"


def test_every_table_of_every_layer_is_counted_in_one_statement() -> None:
    tables = layer_tables(GOLD_PROJECT.manifest_path)
    assert tables["bronze"][0] == "bronze.clickstream"
    assert tables["bronze"][-1] == "bronze.dead_letters"
    assert len(tables["bronze"]) == 8  # seven streams and the dead letters
    assert "silver.quarantine" in tables["silver"] and len(tables["silver"]) == 11
    assert {"gold.daily_sales", "gold.product_performance", "gold.fct_orders"} <= set(
        tables["gold"]
    )
    assert count_sql(["bronze.orders", "gold.daily_sales"]) == (
        "SELECT 'bronze.orders', count(*) FROM bronze.orders UNION ALL "
        "SELECT 'gold.daily_sales', count(*) FROM gold.daily_sales"
    )


def test_counts_come_back_per_layer_in_the_listed_order(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []

    def query(self: TrinoResource, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        sent.append(sql)
        return [("silver.orders", 5), ("bronze.orders", 7), ("bronze.dead_letters", 1)]

    monkeypatch.setattr(TrinoResource, "query", query)
    trino = TrinoResource.from_settings(get_settings())
    tables = {"bronze": ["bronze.orders", "bronze.dead_letters"], "silver": ["silver.orders"]}
    assert count_rows(trino, tables) == {
        "bronze": {"bronze.orders": 7, "bronze.dead_letters": 1},
        "silver": {"silver.orders": 5},
    }
    assert sent == [count_sql(["bronze.orders", "bronze.dead_letters", "silver.orders"])]


def test_the_overview_has_a_line_per_layer_and_per_part_of_the_time() -> None:
    text = _render(overview_table(ROWS, RUNS, PHASES, 100.0))
    lines = {line.split("│")[1].strip(): line for line in text.splitlines() if "│" in line}
    bronze = [cell.strip() for cell in lines["bronze"].split("│")[1:-1]]
    assert bronze == ["bronze", "2", "1,234", "16", "0", "20.0 s", "20 %"]
    silver = [cell.strip() for cell in lines["silver"].split("│")[1:-1]]
    assert silver == ["silver", "1", "1,100", "40", "1", "30.0 s", "30 %"]
    generation = [cell.strip() for cell in lines["generation"].split("│")[1:-1]]
    assert generation == ["generation", "", "", "", "", "5.0 s", "5 %"]
    total = [cell.strip() for cell in lines["total"].split("│")[1:-1]]
    assert total == ["total", "", "", "", "", "1 min 40 s", "100 %"]


def test_example_queries_are_commands_a_shell_runs_as_printed() -> None:
    commands = [sql_command(query.sql) for query in EXAMPLE_QUERIES]
    assert commands[0] == (
        'uv run lakehouse sql -e "SELECT sales_date, orders, gross_revenue, refunds, '
        'net_revenue, average_order_value FROM gold.daily_sales ORDER BY sales_date"'
    )
    assert "FROM gold.product_performance" in commands[1] and commands[1].endswith('LIMIT 5"')
    with pytest.raises(ValueError, match="escaping"):
        sql_command('SELECT "odd name" FROM gold.daily_sales')


def test_hints_name_the_real_ui_address_and_a_fresh_folder_for_a_larger_run() -> None:
    assert "`uv run lakehouse dev`, then http://127.0.0.1:3000" in ui_hint()
    assert larger_hint(Path("/tmp/my data"), 3, 20_000) == (
        "Larger (10x the events): uv run lakehouse stack down && rm -rf '/tmp/my data' && "
        "uv run lakehouse run --days 3 --events 200000"
    )


def test_events_is_the_short_name_of_events_per_day() -> None:
    context = run.make_context("run", ["--days", "2", "--events", "3000"])
    assert (context.params["days"], context.params["events_per_day"]) == (2, 3000)
    context = run.make_context("run", ["--events-per-day", "50"])
    assert (context.params["days"], context.params["events_per_day"]) == (3, 50)


def test_another_generation_is_refused_with_what_kafka_holds(tmp_path: Path) -> None:
    settings = get_settings()
    held = {"seed": 42, "days": 3, "events_per_day": 20_000}
    write_manifest({"params_key": held}, settings.data_dir / "generated" / "kafka-manifest.json")
    assert ensure_generated(settings, held)["params_key"] == held
    with pytest.raises(click.ClickException) as refused:
        ensure_generated(settings, {**held, "events_per_day": 200_000})
    assert "--seed 42 --days 3 --events 20000" in refused.value.message
    assert f"remove {settings.data_dir}" in refused.value.message


class _Cursor:
    def __init__(self) -> None:
        self.description: list[tuple[str, ...]] = []
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str) -> None:
        if "daily_sales" in sql:
            self.description = [("sales_date",), ("orders",), ("net_revenue",)]
            self._rows = [(dt.date(2024, 11, 25), 21, Decimal("1234.5"))]
        else:
            self.description = [("product_name",), ("net_sales",)]
            self._rows = [("Lamp", Decimal("99.99")), ("Desk", Decimal("80"))]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows


class _Connection:
    def cursor(self) -> _Cursor:
        return _Cursor()


class _FakeTrino:
    """Counts each table as its position in the listing; answers the two examples."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        assert sql == count_sql(self.tables)
        return [(t, i) for i, t in enumerate(self.tables)]

    @contextmanager
    def connect(self) -> Iterator[_Connection]:
        yield _Connection()


def test_the_whole_summary_prints_and_writes_the_same_numbers(tmp_path: Path) -> None:
    out = io.StringIO()
    tables = layer_tables(GOLD_PROJECT.manifest_path)
    print_run_summary(
        trino=_FakeTrino([t for layer in tables.values() for t in layer]),  # type: ignore[arg-type]
        console=Console(file=out, width=100),
        dbt_manifest=GOLD_PROJECT.manifest_path,
        data_dir=tmp_path / "data",
        params={"seed": 42, "days": 2, "events_per_day": 3000},
        runs=RUNS,
        phases=PHASES,
        total=100.0,
        summary_json=tmp_path / "out" / "summary.json",
    )
    text = out.getvalue()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["layers"]["bronze"]["rows"]["bronze.clickstream"] == 0
    assert summary["layers"]["bronze"]["rows"]["bronze.dead_letters"] == 7
    assert summary["layers"]["silver"]["rows"]["silver.clickstream_events"] == 8
    assert summary["layers"]["silver"]["checks_failed"] == RUNS[1].checks_failed
    assert summary["layers"]["gold"]["seconds"] == 25.0
    assert [t["share_percent"] for t in summary["time"]] == [10.0, 5.0, 20.0, 30.0, 25.0, 10.0]
    assert summary["examples"][0]["rows"] == [["2024-11-25", "21", "1,234.50"]]
    assert summary["examples"][1]["columns"] == ["product_name", "net_sales"]
    assert "silver check did not pass: silver/orders customers_exist" in text
    assert "http://127.0.0.1:3000" in text
    assert "1,234.50" in text and "Lamp" in text
    assert sql_command(EXAMPLE_QUERIES[1].sql) in text  # on one line, copyable
    assert "--days 2 --events 30000" in text


def test_a_summary_of_nothing_has_no_shares_to_divide() -> None:
    summary = summary_dict({}, {}, [], {}, 0.0, [QueryResult(EXAMPLE_QUERIES[0], ["a"], [(1,)])])
    assert summary["time"] == [
        {"part": "other: launching runs, reconciling", "seconds": 0.0, "share_percent": 0.0}
    ]
    assert summary["examples"][0]["rows"] == [["1"]]
