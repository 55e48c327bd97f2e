"""``lakehouse dev``: the Dagster UI and daemon on the local profile."""

from __future__ import annotations

import os
import shutil

import click

from ecommerce_assets.cli.instance import prepare_dagster_home
from ecommerce_assets.settings import PROJECT_ROOT, get_settings


@click.command("dev")
@click.option("--port", default=3000, show_default=True, help="Port of the Dagster UI.")
def dev(port: int) -> None:
    """Open the Dagster UI (and daemon) on http://127.0.0.1:PORT for this code location."""
    prepare_dagster_home(get_settings())
    dagster = shutil.which("dagster")
    if dagster is None:
        raise click.ClickException("the dagster command is not installed; run `uv sync`")
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    os.execv(dagster, [dagster, "dev", "-w", workspace, "-h", "127.0.0.1", "-p", str(port)])
