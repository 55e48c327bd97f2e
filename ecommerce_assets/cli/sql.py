"""``lakehouse sql``: Trino's own command-line client, pointed at the profile's Trino."""

from __future__ import annotations

import os

import click
from rich.console import Console

from ecommerce_assets.settings import get_settings
from ecommerce_assets.stack.artifacts import MavenArtifact, fetch
from ecommerce_assets.stack.java import find_jdk
from ecommerce_assets.stack.versions import TRINO_VERSION

TRINO_CLI = MavenArtifact("io.trino", "trino-cli", TRINO_VERSION, classifier="executable")


@click.command("sql", context_settings={"ignore_unknown_options": True})
@click.option("-e", "--execute", help="Run this SQL and exit instead of opening a prompt.")
@click.option("--schema", help="Default schema (e.g. bronze).")
@click.argument("trino_args", nargs=-1, type=click.UNPROCESSED)
def sql(execute: str | None, schema: str | None, trino_args: tuple[str, ...]) -> None:
    """Open a Trino SQL prompt on the Iceberg catalog (or run one statement with -e).

    Any further arguments go to the Trino CLI, e.g. `lakehouse sql --output-format CSV`.
    """
    settings = get_settings()
    jar = fetch(TRINO_CLI, settings.cache_dir, settings.maven_repository, Console(stderr=True))
    jdk = find_jdk(17, override=settings.java_home, purpose="the Trino CLI")
    scheme = "https" if settings.profile == "aws" else "http"
    command = [
        str(jdk.java),
        "-jar",
        str(jar),
        f"--server={scheme}://{settings.trino_hostname}:{settings.trino_port}",
        f"--user={settings.trino_user}",
        f"--catalog={settings.trino_catalog}",
    ]
    if schema:
        command.append(f"--schema={schema}")
    if execute:
        command.append(f"--execute={execute}")
    os.execv(command[0], [*command, *trino_args])
