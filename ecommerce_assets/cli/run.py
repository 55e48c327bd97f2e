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
   reconcile gold's daily sales with the manifest.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from data_generators import generate_to_kafka, make_params, read_manifest
from data_generators.manifest import write_manifest
from ecommerce_assets.cli.instance import prepare_dagster_home
from ecommerce_assets.settings import LakehouseSettings, get_settings
from ecommerce_assets.stack import manager
from streaming.contracts.naming import DEAD_LETTERS_TABLE, bronze_table

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
        raise click.ClickException(
            f"Kafka already holds another generation (see {manifest_path}). "
            f"Run `lakehouse stack down` and remove {settings.data_dir} for a fresh start, "
            "or rerun with the same --seed/--days/--events-per-day."
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
    help="Days of shop history to generate.",
)
@click.option(
    "--events-per-day",
    default=20_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Clickstream events per day.",
)
def run(no_stack: bool, seed: int, days: int, events_per_day: int) -> None:
    """Start the stack, generate shop events into Kafka, build bronze, silver and gold,
    reconcile each layer with the generator's manifest.

    The jobs (bronze_ingest_job, then silver_job and gold_job for the generated days)
    run through the local Dagster instance, as the UI would run them, so `lakehouse dev`
    shows the runs (and can re-execute them). Rerunning is safe: the same generation is
    not produced twice, bronze ingests only offsets its checkpoints have not committed,
    and silver and gold replace their days.
    """
    from dagster import DagsterInstance

    from ecommerce_assets.cli.gold_summary import print_gold_summary
    from ecommerce_assets.cli.launch import failure_causes, launch_and_wait, wait_for_runs_of
    from ecommerce_assets.cli.silver_summary import check_outcomes, print_silver_summary
    from ecommerce_assets.definitions import gold_job_name, main_job_name, silver_job_name
    from ecommerce_assets.lib.dbt_manifest import prepare_manifest

    settings = get_settings()
    started = time.monotonic()
    if not no_stack and settings.local_stack:
        manager.up(settings, console)
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
    manifest = ensure_generated(settings, params_values)
    console.print(f"[bold]running {main_job_name}[/] (through the Dagster instance)")
    with DagsterInstance.get() as instance:
        wait_for_runs_of(instance, main_job_name, console)
        result = launch_and_wait(instance, main_job_name)
        if not result.is_success:
            raise click.ClickException(
                f"{main_job_name} failed after {time.monotonic() - started:.0f} s "
                f"(run {result.run_id}): " + "; ".join(failure_causes(instance, result))
            )
    reconciled = print_summary(settings, manifest)
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
    console.print(
        f"[bold]running {silver_job_name}[/] for {generated[0]} to {generated[-1]} (one run)"
    )
    range_tags = {
        "dagster/asset_partition_range_start": generated[0],
        "dagster/asset_partition_range_end": generated[-1],
    }
    with DagsterInstance.get() as instance:
        wait_for_runs_of(instance, silver_job_name, console)
        silver = launch_and_wait(instance, silver_job_name, range_tags)
        passed, failed = check_outcomes(instance, silver.run_id)
        if not silver.is_success:
            raise click.ClickException(
                f"{silver_job_name} failed (run {silver.run_id}): "
                + "; ".join(failure_causes(instance, silver) + failed)
            )
    silver_ok = print_silver_summary(settings, manifest, generated, console)
    console.print(f"  silver checks: {passed} passed, {len(failed)} did not")
    for description in failed:
        console.print(f"  [yellow]{description}[/]")
    if not silver_ok:
        raise click.ClickException("silver does not match the generator's manifest (see above)")

    # Already fresh: importing the definitions above prepared it.
    dbt_manifest = prepare_manifest()
    console.print(
        f"[bold]running {gold_job_name}[/] for {generated[0]} to {generated[-1]} (one run)"
    )
    with DagsterInstance.get() as instance:
        wait_for_runs_of(instance, gold_job_name, console)
        gold = launch_and_wait(instance, gold_job_name, range_tags)
        gold_passed, gold_failed = check_outcomes(instance, gold.run_id)
        if not gold.is_success:
            raise click.ClickException(
                f"{gold_job_name} failed (run {gold.run_id}): "
                + "; ".join(failure_causes(instance, gold) + gold_failed)
            )
    took = time.monotonic() - started
    gold_ok = print_gold_summary(settings, manifest, generated, dbt_manifest, console)
    console.print(f"  gold checks: {gold_passed} passed, {len(gold_failed)} did not")
    for description in gold_failed:
        console.print(f"  [yellow]{description}[/]")
    if not gold_ok:
        raise click.ClickException("gold does not match the generator's manifest (see above)")
    console.print(
        f"[bold green]pipeline succeeded[/] in {took:.0f} s (runs {result.run_id}, "
        f"{silver.run_id}, {gold.run_id}); open the UI with `uv run lakehouse dev`, query "
        "with `uv run lakehouse sql --schema gold`"
    )
