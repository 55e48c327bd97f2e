"""``lakehouse run``: the whole pipeline on the local profile, from a bare stack to a summary.

1. start the stack (Kafka, Iceberg REST catalog, Trino);
2. generate a few days of the shop into Kafka, with a little injected trouble
   (skipped when the topics already hold this exact generation: reruns add nothing);
3. launch the bronze ingest job through the local Dagster instance (its checks included);
4. reconcile what landed, through Trino, with Kafka's committed offsets (the bronze
   checks' code) and with the generator's manifest;
5. launch the silver job for the generated days (one run for the range, its checks
   included) and reconcile silver's orders and revenue per day with the manifest;
6. launch the gold job (dbt on Trino) for the same days, as one run: the daily facts
   replace those days, the other models are rebuilt, the dbt tests run as asset checks;
   reconcile gold's daily sales with the manifest;
7. print the summary (cli/run_summary.py): rows per layer and table, checks and wall time
   per layer, how to open the UI, two gold queries with their results, how to go larger.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from data_generators import generate_to_kafka, make_params, read_manifest
from data_generators.manifest import write_manifest
from ecommerce_assets.cli.instance import prepare_dagster_home
from ecommerce_assets.settings import LakehouseSettings, get_settings
from ecommerce_assets.stack import manager
from streaming.contracts.naming import DEAD_LETTERS_TABLE, bronze_table

if TYPE_CHECKING:
    # Dagster loads in a second or two: `lakehouse --help` and the other commands skip it.
    from ecommerce_assets.cli.run_summary import LayerRun

console = Console(stderr=True)

TROUBLE = {
    "duplicate_share": 0.005,
    "late_share": 0.01,
    "out_of_order_share": 0.01,
    "malformed_share": 0.002,
    "schema_drift_from_day": 2,
}


def expected_counts(manifest: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per stream: (rows bronze must hold, dead letters), from the manifest's totals."""
    expected = {}
    for stream, totals in manifest["totals"]["records"].items():
        malformed = totals["malformed"]
        bad = sum(malformed.values()) if isinstance(malformed, dict) else int(malformed)
        expected[stream] = (int(totals["delivered"]) - bad, bad)
    return expected


def ensure_generated(settings: LakehouseSettings, params_values: dict[str, Any]) -> dict[str, Any]:
    """Produce the generation once; a rerun with the same parameters reuses its manifest."""
    manifest_path = settings.data_dir / "generated" / "kafka-manifest.json"
    if manifest_path.exists():
        manifest = read_manifest(manifest_path)
        if manifest.get("params_key") == params_values:
            console.print(f"  Kafka already holds this generation ({manifest_path})")
            return manifest
        held = manifest.get("params_key") or {}
        raise click.ClickException(
            f"Kafka already holds another generation (--seed {held.get('seed')} --days "
            f"{held.get('days')} --events {held.get('events_per_day')}; see {manifest_path}). "
            f"Run `lakehouse stack down` and remove {settings.data_dir} for a fresh start, "
            "or rerun with the same --seed/--days/--events."
        )
    params = make_params(**params_values, trouble=TROUBLE)
    started = time.monotonic()
    manifest = generate_to_kafka(
        params, settings.bootstrap_servers, partitions=settings.kafka_default_partitions
    )
    manifest["params_key"] = params_values
    write_manifest(manifest, manifest_path)
    delivered = sum(t["delivered"] for t in manifest["totals"]["records"].values())
    console.print(
        f"  produced {delivered:,} records to Kafka in {time.monotonic() - started:.1f} s"
    )
    return manifest


def print_summary(settings: LakehouseSettings, manifest: dict[str, Any]) -> bool:
    """Reconcile bronze with Kafka (as the bronze checks do) and with the manifest."""
    from ecommerce_assets.lib.bronze_reconciliation import reconcile_bronze
    from ecommerce_assets.resources import BronzeResource, TrinoResource

    trino = TrinoResource.from_settings(settings)
    expected = expected_counts(manifest)
    table = Table(
        "table",
        "rows",
        "dead letters",
        "Kafka records",
        "generated",
        "ok",
        title="bronze (Trino): rows + dead letters = Kafka records = generated",
    )
    all_ok = True
    for result in reconcile_bronze(trino, BronzeResource.from_settings(settings)):
        want_rows, want_dead = expected[result.stream]
        ok = result.ok and (result.bronze_rows, result.dead_letters) == (want_rows, want_dead)
        all_ok &= ok
        table.add_row(
            result.table,
            f"{result.bronze_rows:,}",
            f"{result.dead_letters:,}",
            f"{result.committed_records:,}",
            f"{want_rows:,} + {want_dead:,}",
            "[green]✓[/]" if ok else "[red]✗[/]",
        )
        if not result.ok:
            console.print(f"  [red]{result.describe()}[/]")
    Console(width=max(Console().width, 100)).print(table)
    reasons = trino.query(
        f"SELECT reason, count(*) FROM {DEAD_LETTERS_TABLE} GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
    )
    for reason, count in reasons:
        console.print(f"  dead letter reason: {reason} ({count})")
    orders = bronze_table("orders")
    days = trino.query(
        f"SELECT CAST(date(event_time) AS varchar), count(*) FROM {orders} GROUP BY 1 ORDER BY 1"
    )
    console.print(f"  {orders} by event day: " + ", ".join(f"{d} {n:,}" for d, n in days))
    return all_ok


def run_layer(layer: str, job_name: str, tags: dict[str, str] | None = None) -> LayerRun:
    """Launch ``job_name`` through the Dagster instance, wait, and say how it went.

    A failed run stops ``lakehouse run`` with its steps' errors and failed checks.
    """
    from dagster import DagsterInstance

    from ecommerce_assets.cli.launch import failure_causes, launch_and_wait, wait_for_runs_of
    from ecommerce_assets.cli.run_summary import LayerRun, run_seconds
    from ecommerce_assets.cli.silver_summary import check_outcomes

    with DagsterInstance.get() as instance:
        wait_for_runs_of(instance, job_name, console)
        result = launch_and_wait(instance, job_name, tags)
        passed, failed = check_outcomes(instance, result.run_id)
        if not result.is_success:
            raise click.ClickException(
                f"{job_name} failed (run {result.run_id}): "
                + "; ".join(failure_causes(instance, result) + failed)
            )
        return LayerRun(layer, result.run_id, run_seconds(instance, result.run_id), passed, failed)


def print_checks(run: LayerRun) -> None:
    console.print(
        f"  {run.layer} checks: {run.checks_passed} passed, {len(run.checks_failed)} did not"
    )
    for description in run.checks_failed:
        console.print(f"  [yellow]{description}[/]")


@click.command("run")
@click.option("--no-stack", is_flag=True, help="Do not start the local stack (already up).")
@click.option(
    "--seed", default=42, show_default=True, type=click.IntRange(min=0), help="Generator seed."
)
@click.option(
    "--days",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Days of shop history to generate, from 2024-11-25.",
)
@click.option(
    "--events-per-day",
    "--events",
    "events_per_day",
    default=20_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Clickstream events per day (orders, payments and the rest follow from them).",
)
@click.option(
    "--summary-json",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the final summary (rows per table, checks, wall times) as JSON here.",
)
def run(
    no_stack: bool, seed: int, days: int, events_per_day: int, summary_json: Path | None
) -> None:
    """Run the whole pipeline on the local profile and print what landed.

    Starts the stack (Kafka, Iceberg REST catalog, Trino), generates DAYS days of the
    shop into Kafka with injected trouble (duplicates, late and out-of-order events,
    malformed records, a schema change), then runs bronze_ingest_job, silver_job and
    gold_job (the last two as one run over the generated days) through the local Dagster
    instance, as the UI would, so `lakehouse dev` shows the runs and can re-execute
    them. Each layer is reconciled with the generator's manifest; the summary at the end
    gives rows per layer and table, checks passed and failed, each layer's wall time,
    how to open the UI and two example queries over gold with their results.

    Rerunning is safe and adds nothing: the same generation is not produced twice,
    bronze ingests only offsets its checkpoints have not committed, and silver and gold
    replace their days. Kafka keeps one generation, so a different --seed, --days or
    --events needs a fresh data folder: `lakehouse stack down`, remove
    LAKEHOUSE_DATA_DIR (default .lakehouse), run again.

    \b
    Examples:
      uv run lakehouse run                              # 3 days x 20,000 events, a few minutes
      uv run lakehouse run --days 3 --events 200000     # 10x, after a fresh data folder
    """
    from ecommerce_assets.cli.gold_summary import print_gold_summary
    from ecommerce_assets.cli.run_summary import print_run_summary
    from ecommerce_assets.cli.silver_summary import print_silver_summary
    from ecommerce_assets.definitions import gold_job_name, main_job_name, silver_job_name
    from ecommerce_assets.lib.dbt_manifest import prepare_manifest
    from ecommerce_assets.resources import TrinoResource

    settings = get_settings()
    started = time.monotonic()
    phases: dict[str, float] = {}
    if not no_stack and settings.local_stack:
        manager.up(settings, console)
        phases["stack start"] = time.monotonic() - started
    prepare_dagster_home(settings)
    console.print("[bold]generating the shop into Kafka[/]")
    params_values = {
        "seed": seed,
        "days": days,
        "events_per_day": events_per_day,
        "customers": 5_000,
        "products": 500,
        "start_date": str(dt.date(2024, 11, 25)),
    }
    generating = time.monotonic()
    manifest = ensure_generated(settings, params_values)
    phases["generation"] = time.monotonic() - generating
    console.print(f"[bold]running {main_job_name}[/] (through the Dagster instance)")
    bronze = run_layer("bronze", main_job_name)
    reconciled = print_summary(settings, manifest)
    print_checks(bronze)
    if not reconciled:
        raise click.ClickException(
            "bronze does not match the generator's manifest (see above). If other records "
            "were produced to the shop.* topics (e.g. by `lakehouse generate`), that is why: "
            f"for a clean run, `lakehouse stack down` and remove {settings.data_dir}."
        )
    generated = [
        str(dt.date.fromisoformat(params_values["start_date"]) + dt.timedelta(days=i))
        for i in range(days)
    ]
    range_tags = {
        "dagster/asset_partition_range_start": generated[0],
        "dagster/asset_partition_range_end": generated[-1],
    }
    console.print(
        f"[bold]running {silver_job_name}[/] for {generated[0]} to {generated[-1]} (one run)"
    )
    silver = run_layer("silver", silver_job_name, range_tags)
    silver_ok = print_silver_summary(settings, manifest, generated, console)
    print_checks(silver)
    if not silver_ok:
        raise click.ClickException("silver does not match the generator's manifest (see above)")

    # Already fresh: importing the definitions above prepared it.
    dbt_manifest = prepare_manifest()
    console.print(
        f"[bold]running {gold_job_name}[/] for {generated[0]} to {generated[-1]} (one run)"
    )
    gold = run_layer("gold", gold_job_name, range_tags)
    total = time.monotonic() - started
    gold_ok = print_gold_summary(settings, manifest, generated, dbt_manifest, console)
    print_checks(gold)
    if not gold_ok:
        raise click.ClickException("gold does not match the generator's manifest (see above)")
    console.print(
        f"[bold green]pipeline succeeded[/] in {total:.0f} s (runs {bronze.run_id}, "
        f"{silver.run_id}, {gold.run_id})"
    )
    print_run_summary(
        trino=TrinoResource.from_settings(settings),
        console=console,
        dbt_manifest=dbt_manifest,
        data_dir=settings.data_dir,
        params=params_values,
        runs=[bronze, silver, gold],
        phases=phases,
        total=total,
        summary_json=summary_json,
    )
