"""The ``lakehouse`` command line: one group, one module per sub-command group."""

from __future__ import annotations

from typing import Any

import click

from ecommerce_assets.cli.alerts import alerts
from ecommerce_assets.cli.backfill import backfill
from ecommerce_assets.cli.dbt import dbt
from ecommerce_assets.cli.dev import dev
from ecommerce_assets.cli.generate import generate
from ecommerce_assets.cli.run import run
from ecommerce_assets.cli.sql import sql
from ecommerce_assets.cli.stack import stack
from ecommerce_assets.cli.stream import stream
from ecommerce_assets.settings import SettingsError
from ecommerce_assets.stack.errors import StackError


class _LakehouseGroup(click.Group):
    """Turns the errors we raise on purpose into a message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (SettingsError, StackError) as error:
            click.secho(f"error: {error}", fg="red", err=True)
            ctx.exit(1)


@click.group(cls=_LakehouseGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Run the ecommerce lakehouse: the local stack, data generation and the pipeline.

    Settings come from LAKEHOUSE_* environment variables (or a .env file);
    see the README for the full list.
    """


cli.add_command(stack)
cli.add_command(run)
cli.add_command(backfill)
cli.add_command(dev)
cli.add_command(sql)
cli.add_command(generate)
cli.add_command(stream)
cli.add_command(dbt)
cli.add_command(alerts)
