"""``lakehouse backfill``: rebuild a range of days in silver and gold, as one run."""

from __future__ import annotations

import datetime as dt
import time

import click
from rich.console import Console

from ecommerce_assets.cli.instance import prepare_dagster_home
from ecommerce_assets.settings import get_settings

console = Console(stderr=True)


@click.command("backfill")
@click.argument("first", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="FIRST")
@click.argument("last", type=click.DateTime(formats=["%Y-%m-%d"]), required=False, metavar="[LAST]")
def backfill(first: dt.datetime, last: dt.datetime | None) -> None:
    """Rebuild the UTC days FIRST to LAST (default: FIRST) in silver and gold.

    One run of refresh_days_job for the whole range, through the local Dagster instance
    (it shows in `lakehouse dev`): one Spark job replaces the days in every silver
    table, then dbt replaces them in the gold facts and rebuilds the other gold models;
    every check runs. Reruns replace the same days, so nothing is duplicated. The stack
    must be up (`lakehouse stack up`) and bronze must hold the days.

    Example: uv run lakehouse backfill 2024-11-25 2024-11-27
    """
    from dagster import DagsterInstance

    from ecommerce_assets.cli.launch import failure_causes, launch_and_wait
    from ecommerce_assets.cli.silver_summary import check_outcomes
    from ecommerce_assets.defs.pipeline.refresh import refresh_days_job
    from ecommerce_assets.lib.partitions import DAILY_PARTITIONS

    start, end = first.date().isoformat(), (last or first).date().isoformat()
    if end < start:
        raise click.BadParameter(f"LAST ({end}) is before FIRST ({start})", param_hint="'LAST'")
    valid = DAILY_PARTITIONS.get_partition_keys()
    for day, name in ((start, "FIRST"), (end, "LAST")):
        if day not in valid:
            raise click.BadParameter(
                f"{day} is not a daily partition ({valid[0]} to {valid[-1]}; the first day "
                "is LAKEHOUSE_PARTITIONS_START_DATE)",
                param_hint=f"'{name}'",
            )
    prepare_dagster_home(get_settings())
    console.print(f"[bold]running {refresh_days_job.name}[/] for {start} to {end} (one run)")
    started = time.monotonic()
    tags = {"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end}
    with DagsterInstance.get() as instance:
        run = launch_and_wait(instance, refresh_days_job.name, tags)
        passed, failed = check_outcomes(instance, run.run_id)
        if not run.is_success:
            raise click.ClickException(
                f"{refresh_days_job.name} failed (run {run.run_id}): "
                + "; ".join(failure_causes(instance, run) + failed)
            )
    console.print(
        f"[bold green]rebuilt {start} to {end}[/] in {time.monotonic() - started:.0f} s "
        f"(run {run.run_id}); checks: {passed} passed, {len(failed)} did not"
    )
    for description in failed:
        console.print(f"  [yellow]{description}[/]")
