"""``lakehouse dbt``: dbt on the project's Trino, with the connection from the settings."""

from __future__ import annotations

import os
import shutil

import click

from ecommerce_assets.lib.dbt_env import DBT_PROJECT_DIR, dbt_env
from ecommerce_assets.settings import get_settings


@click.command("dbt", context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def dbt(dbt_args: tuple[str, ...]) -> None:
    """Run dbt in dbt_project/ against the lakehouse's Trino, e.g. `lakehouse dbt build`.

    DBT_TRINO_* come from the LAKEHOUSE_* settings, so dbt reaches the same Trino as
    everything else; every argument goes to dbt (`lakehouse dbt --help` is dbt's help).
    """
    executable = shutil.which("dbt")
    if executable is None:
        raise click.ClickException("the dbt command is not installed; run `uv sync`")
    os.environ.update(dbt_env(get_settings()))
    os.chdir(DBT_PROJECT_DIR)
    args = list(dbt_args) or ["--help"]
    os.execv(executable, [executable, *args, *_dirs(args)])


def _dirs(args: list[str]) -> list[str]:
    # Only sub-commands take these options; `dbt --version` and `dbt --help` do not.
    if not args or args[0].startswith("-"):
        return []
    dirs = str(DBT_PROJECT_DIR)
    return [f for pair in (("--project-dir", dirs), ("--profiles-dir", dirs)) for f in pair]
