"""``lakehouse stack up|down|status|logs``."""

from __future__ import annotations

import sys
import time

import click
from rich.console import Console
from rich.table import Table

from ecommerce_assets.settings import get_settings
from ecommerce_assets.stack import manager
from ecommerce_assets.stack.errors import StackError
from ecommerce_assets.stack.process import ManagedProcess, tail

console = Console(stderr=True)


@click.group()
def stack() -> None:
    """Start, stop and inspect the local Kafka, Iceberg REST catalog and Trino.

    Every service listens on 127.0.0.1 only; ports, heaps and the data folder are
    LAKEHOUSE_* settings. Artifacts are fetched once into LAKEHOUSE_CACHE_DIR.
    """


@stack.command()
def up() -> None:
    """Fetch what is missing, start every service and wait until each is healthy.

    Running it again while the stack is up changes nothing.
    """
    started = time.monotonic()
    manager.up(get_settings(), console)
    console.print(f"[bold green]stack is up[/] ({time.monotonic() - started:.1f} s)")


@stack.command()
def down() -> None:
    """Stop every service and check that none of their ports is still bound."""
    manager.down(get_settings(), console)


@stack.command()
def status() -> None:
    """Show each service's endpoint, process, health and resident memory.

    Exits with status 1 if any service is not running and healthy.
    """
    table = Table("service", "endpoint", "pid", "state", "memory (RSS)")
    rows = manager.status(get_settings())
    for row in rows:
        state = (
            "[green]healthy[/]"
            if row.healthy
            else ("[yellow]starting/unhealthy[/]" if row.pid else "[red]stopped[/]")
        )
        memory = f"{row.rss_bytes / 2**20:.0f} MiB" if row.pid else "-"
        table.add_row(row.name, row.endpoint, str(row.pid or "-"), state, memory)
    Console().print(table)
    if not all(row.healthy for row in rows):
        sys.exit(1)


@stack.command()
@click.argument("service")
@click.option(
    "-n",
    "--lines",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="How many lines to show (0 with -f: only new ones).",
)
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (Ctrl-C stops).")
def logs(service: str, lines: int, follow: bool) -> None:
    """Print the last lines of SERVICE's log (kafka, rest-catalog or trino)."""
    settings = get_settings()
    try:
        name = manager.service_named(settings, service).name
    except StackError as error:
        # A typo in the argument is a usage error (exit 2), not a failing stack.
        raise click.BadParameter(str(error), param_hint="'SERVICE'") from None
    log_file = ManagedProcess(name, settings.data_dir).log_file
    if lines:
        click.echo(tail(log_file, lines))
    if not follow or not log_file.exists():
        return
    with log_file.open(errors="replace") as handle:
        handle.seek(0, 2)
        try:
            while True:
                line = handle.readline()
                if line:
                    click.echo(line, nl=False)
                else:
                    time.sleep(0.5)
        except KeyboardInterrupt:
            return
