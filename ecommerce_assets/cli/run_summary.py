"""The summary that ends ``lakehouse run``: rows per layer and table, checks per layer,
where the time went, how to open the UI, two gold queries with their results, and how
to run it larger.

Gathering (Trino, the Dagster instance) is kept apart from formatting, so the tables and
hints can be checked without a stack.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from dagster import DagsterInstance
from rich.console import Console
from rich.table import Table

from ecommerce_assets.cli import dev
from ecommerce_assets.cli.gold_summary import gold_tables
from ecommerce_assets.resources import TrinoResource
from streaming.contracts import STREAMS
from streaming.contracts.naming import DEAD_LETTERS_TABLE, bronze_table
from streaming.silver.layer import TABLES as SILVER_TABLES


@dataclass(frozen=True)
class LayerRun:
    """One layer's Dagster run: how long it ran and what its checks said."""

    layer: str
    run_id: str
    seconds: float
    checks_passed: int
    checks_failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExampleQuery:
    title: str
    sql: str


#: Fully qualified, without double quotes or `$`: printed inside a double-quoted shell
#: argument, each must run as is whatever the prompt's default schema.
EXAMPLE_QUERIES: tuple[ExampleQuery, ...] = (
    ExampleQuery(
        "revenue per day",
        "SELECT sales_date, orders, gross_revenue, refunds, net_revenue, average_order_value "
        "FROM gold.daily_sales ORDER BY sales_date",
    ),
    ExampleQuery(
        "top 5 products by net sales",
        "SELECT product_id, product_name, category, units_sold, net_sales "
        "FROM gold.product_performance ORDER BY net_sales DESC, product_id LIMIT 5",
    ),
)


@dataclass(frozen=True)
class QueryResult:
    query: ExampleQuery
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_seconds(instance: DagsterInstance, run_id: str) -> float:
    """Wall time of a finished run, from its start and end in the instance's run storage.

    Measured by Dagster, not around the launch: the seconds spent loading the code
    location to create the run are not the layer's.
    """
    record = instance.get_run_record_by_id(run_id)
    if record is None or record.start_time is None or record.end_time is None:
        raise ValueError(f"run {run_id} has no start or end time in the instance")
    return record.end_time - record.start_time


def layer_tables(dbt_manifest: Path) -> dict[str, list[str]]:
    """Every table of each layer, in the order the summary lists them."""
    return {
        "bronze": [*(bronze_table(stream) for stream in STREAMS), DEAD_LETTERS_TABLE],
        "silver": [table.identifier for table in SILVER_TABLES],
        "gold": [identifier for identifier, _ in gold_tables(dbt_manifest)],
    }


def count_sql(tables: Iterable[str]) -> str:
    """One statement counting every table: one Trino round trip, not one per table."""
    return " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)


def count_rows(trino: TrinoResource, tables: Mapping[str, list[str]]) -> dict[str, dict[str, int]]:
    """Rows per table, per layer, counted now through Trino."""
    every = [t for layer in tables.values() for t in layer]
    counted = {str(name): int(n) for name, n in trino.query(count_sql(every))}
    return {layer: {t: counted[t] for t in names} for layer, names in tables.items()}


def run_example(trino: TrinoResource, query: ExampleQuery) -> QueryResult:
    with trino.connect() as connection:
        cursor = connection.cursor()
        cursor.execute(query.sql)
        rows = [tuple(row) for row in cursor.fetchall()]
        columns = [column[0] for column in cursor.description]
    return QueryResult(query, columns, rows)


def format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def format_cell(value: Any) -> str:
    """A query result's value as a person reads it: money with cents, counts grouped."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def time_shares(
    phases: Mapping[str, float], runs: Sequence[LayerRun], total: float
) -> list[tuple[str, float, float]]:
    """(what, seconds, percent of total) for each phase and layer run, then the rest.

    The rest (creating and launching runs, the per-layer reconciliations) is what the
    named parts do not cover, so the shares add up to the whole.
    """
    parts = [*phases.items(), *((run.layer, run.seconds) for run in runs)]
    rest = max(total - sum(seconds for _, seconds in parts), 0.0)
    parts.append(("other: launching runs, reconciling", rest))
    return [(name, seconds, 100 * seconds / total if total else 0.0) for name, seconds in parts]


def overview_table(
    rows: Mapping[str, Mapping[str, int]],
    runs: Sequence[LayerRun],
    phases: Mapping[str, float],
    total: float,
) -> Table:
    """One line per layer (tables, rows, checks) and per part of the wall time."""
    by_layer = {run.layer: run for run in runs}
    table = Table(
        "step",
        "tables",
        "rows",
        "checks passed",
        "checks failed",
        "wall time",
        "share",
        title="lakehouse run: layers and time",
        caption="layer times are the Dagster runs' own (start to end)",
    )
    for name, seconds, share in time_shares(phases, runs, total):
        run = by_layer.get(name)
        counts = rows.get(name)
        table.add_row(
            name,
            f"{len(counts)}" if counts is not None else "",
            f"{sum(counts.values()):,}" if counts is not None else "",
            f"{run.checks_passed}" if run else "",
            (f"[red]{len(run.checks_failed)}[/]" if run.checks_failed else "0") if run else "",
            format_seconds(seconds),
            f"{share:.0f} %",
        )
    table.add_section()
    table.add_row("total", "", "", "", "", format_seconds(total), "100 %")
    return table


def rows_table(rows: Mapping[str, Mapping[str, int]]) -> Table:
    table = Table("layer", "table", "rows", title="rows per table (Trino)")
    for number, (layer, counts) in enumerate(rows.items()):
        if number:
            table.add_section()
        for i, (name, n) in enumerate(counts.items()):
            table.add_row(layer if i == 0 else "", name, f"{n:,}")
    return table


def result_table(result: QueryResult) -> Table:
    table = Table(*result.columns, title=result.query.title)
    for row in result.rows:
        table.add_row(*(format_cell(value) for value in row))
    return table


def sql_command(sql: str) -> str:
    """The shell command that runs ``sql`` in ``lakehouse sql`` (one-shot mode, -e)."""
    if any(c in sql for c in '"$`\\'):
        raise ValueError(f"the example query would need shell escaping: {sql}")
    return f'uv run lakehouse sql -e "{sql}"'


def ui_hint() -> str:
    # The default port is the dev command's own option default: one place to change it.
    port = next(p.default for p in dev.dev.params if p.name == "port")
    return (
        f"The Dagster UI: `uv run lakehouse dev`, then http://{dev.HOST}:{port} "
        "(--port to move it): these runs, the asset lineage from Kafka to the marts, "
        "partitions and checks."
    )


def larger_hint(data_dir: Path, days: int, events_per_day: int) -> str:
    """How to run ten times as many events; true to what ``lakehouse run`` requires.

    Kafka keeps the generation it holds and a different one is refused (reusing it is
    what makes a rerun add nothing), so a larger run starts from an empty data folder:
    stack stopped, folder removed (Kafka's logs, the tables, the Dagster run history).
    """
    folder = shlex.quote(str(data_dir))
    return (
        f"Larger (10x the events): uv run lakehouse stack down && rm -rf {folder} && "
        f"uv run lakehouse run --days {days} --events {events_per_day * 10}"
    )


def summary_dict(
    params: Mapping[str, Any],
    rows: Mapping[str, Mapping[str, int]],
    runs: Sequence[LayerRun],
    phases: Mapping[str, float],
    total: float,
    examples: Sequence[QueryResult],
) -> dict[str, Any]:
    """What the summary shows, as JSON-ready values (for --summary-json)."""
    by_layer = {run.layer: run for run in runs}
    return {
        "params": dict(params),
        "total_seconds": round(total, 3),
        "time": [
            {"part": name, "seconds": round(seconds, 3), "share_percent": round(share, 1)}
            for name, seconds, share in time_shares(phases, runs, total)
        ],
        "layers": {
            layer: {"rows": dict(counts), **(asdict(by_layer[layer]) if layer in by_layer else {})}
            for layer, counts in rows.items()
        },
        "examples": [
            {
                "title": r.query.title,
                "sql": r.query.sql,
                "columns": r.columns,
                "rows": [[format_cell(v) for v in row] for row in r.rows],
            }
            for r in examples
        ],
    }


def print_run_summary(
    *,
    trino: TrinoResource,
    console: Console,
    dbt_manifest: Path,
    data_dir: Path,
    params: Mapping[str, Any],
    runs: Sequence[LayerRun],
    phases: Mapping[str, float],
    total: float,
    summary_json: Path | None = None,
) -> None:
    """Count every table, run the example queries and print (and maybe write) the summary."""
    rows = count_rows(trino, layer_tables(dbt_manifest))
    examples = [run_example(trino, query) for query in EXAMPLE_QUERIES]
    # Wider than a pipe's default 80 columns so the tables keep one line per row in CI logs.
    wide = Console(file=console.file, width=max(console.width, 120))
    console.rule("[bold]lakehouse run: summary[/]")
    wide.print(overview_table(rows, runs, phases, total))
    for run in runs:
        for description in run.checks_failed:
            console.print(f"  [yellow]{run.layer} check did not pass: {description}[/]")
    wide.print(rows_table(rows))
    console.print(ui_hint())
    console.print("Two questions to gold through Trino, and how to ask them yourself:")
    for result in examples:
        wide.print(result_table(result))
        wide.print(f"  {sql_command(result.query.sql)}", soft_wrap=True, highlight=False)
    console.print(
        "A prompt: `uv run lakehouse sql --schema gold`. The stack keeps running; "
        "`uv run lakehouse stack down` stops it."
    )
    console.print(
        "Rerunning the same command adds nothing: the generation is reused, bronze ingests "
        "only uncommitted offsets, silver and gold replace their days."
    )
    wide.print(
        larger_hint(data_dir, int(params["days"]), int(params["events_per_day"])),
        soft_wrap=True,
        highlight=False,
    )
    if summary_json is not None:
        summary = summary_dict(params, rows, runs, phases, total, examples)
        summary_json.parent.mkdir(parents=True, exist_ok=True)
        summary_json.write_text(json.dumps(summary, indent=2) + "\n")
