"""The ``lakehouse`` command line: one group, one module per sub-command group."""

from __future__ import annotations

import click

from ecommerce_assets.cli.stack import stack


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Run the ecommerce lakehouse: the local stack, data generation and the pipeline.

    Settings come from LAKEHOUSE_* environment variables (or a .env file);
    see the README for the full list.
    """


cli.add_command(stack)
