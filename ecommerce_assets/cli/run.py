"""``lakehouse run``: the main job on the local profile, from a bare stack to a summary."""

from __future__ import annotations

import time

import click
from rich.console import Console
from rich.table import Table

from ecommerce_assets.cli.instance import prepare_dagster_home
from ecommerce_assets.settings import get_settings
from ecommerce_assets.stack import manager

console = Console(stderr=True)


@click.command("run")
@click.option("--no-stack", is_flag=True, help="Do not start the local stack (already up).")
def run(no_stack: bool) -> None:
    """Start the stack, materialize the main job in Dagster and print what landed.

    Runs are recorded in the local Dagster instance, so `lakehouse dev` shows them.
    """
    from dagster import DagsterInstance

    from ecommerce_assets.definitions import defs, main_job_name
    from ecommerce_assets.resources import TrinoResource

    settings = get_settings()
    started = time.monotonic()
    if not no_stack and settings.profile == "local":
        manager.up(settings, console)
    prepare_dagster_home(settings)
    console.print(f"[bold]running {main_job_name}[/]")
    job = defs.resolve_job_def(main_job_name)
    result = job.execute_in_process(instance=DagsterInstance.get(), raise_on_error=False)
    checks = result.get_asset_check_evaluations()
    trino = TrinoResource.from_settings(settings)
    table = Table("table (Trino)", "writer", "rows")
    for writer, rows in trino.query(
        "SELECT writer, count(*) FROM platform.round_trip GROUP BY writer ORDER BY 1"
    ):
        table.add_row("iceberg.platform.round_trip", writer, str(rows))
    Console().print(table)
    for check in checks:
        mark = "[green]passed[/]" if check.passed else "[red]FAILED[/]"
        console.print(f"check {check.asset_key.to_user_string()}:{check.check_name} {mark}")
    took = time.monotonic() - started
    if not result.success or not all(check.passed for check in checks):
        raise click.ClickException(
            f"{main_job_name} failed after {took:.0f} s (run {result.run_id})"
        )
    console.print(f"[bold green]{main_job_name} succeeded[/] in {took:.0f} s (run {result.run_id})")
