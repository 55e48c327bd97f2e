"""``lakehouse stack up|down|status|logs``."""

from __future__ import annotations

import click


@click.group()
def stack() -> None:
    """Start, stop and inspect the local Kafka, Iceberg REST catalog and Trino."""
