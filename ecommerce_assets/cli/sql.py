"""``lakehouse sql``: Trino's own command-line client, pointed at the profile's Trino."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import click
from rich.console import Console

from ecommerce_assets.settings import LakehouseSettings, get_settings
from ecommerce_assets.stack.artifacts import MavenArtifact, fetch
from ecommerce_assets.stack.java import find_jdk
from ecommerce_assets.stack.versions import TRINO_VERSION

TRINO_CLI = MavenArtifact("io.trino", "trino-cli", TRINO_VERSION, classifier="executable")


def trino_url(settings: LakehouseSettings) -> str:
    return f"{settings.trino_http_scheme}://{settings.trino_hostname}:{settings.trino_port}"


def trino_problem(url: str, timeout: float = 3.0) -> str | None:
    """Why Trino at ``url`` cannot take a query now, or None if it can.

    Asked before the CLI starts: the CLI itself would only fail at the first query, with
    a Java exception, after the prompt is already open.
    """
    try:
        with urllib.request.urlopen(f"{url}/v1/info", timeout=timeout) as response:
            info = json.load(response)
    except (OSError, ValueError) as error:  # refused, timed out, not HTTP, not JSON
        reason = getattr(error, "reason", None) or error
        return f"Trino is not reachable at {url} ({reason})"
    if info.get("starting"):
        return f"Trino at {url} is still starting; try again in a few seconds"
    return None


def _not_ready_hint(settings: LakehouseSettings) -> str:
    if settings.local_stack:
        return "start the local stack with `uv run lakehouse stack up`"
    return f"check the Trino of the {settings.profile!r} profile (LAKEHOUSE_TRINO_HOST/PORT)"


def _has_option(args: tuple[str, ...], name: str) -> bool:
    return any(arg == name or arg.startswith(f"{name}=") for arg in args)


def _non_empty(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not value.strip():
        raise click.BadParameter("must not be empty")
    return value


@click.command("sql", context_settings={"ignore_unknown_options": True})
@click.option("-e", "--execute", help="Run this SQL, print the result as a table and exit.")
@click.option(
    "--schema",
    default="bronze",
    show_default=True,
    callback=_non_empty,
    help="Default schema for unqualified table names.",
)
@click.argument("trino_args", nargs=-1, type=click.UNPROCESSED)
def sql(execute: str | None, schema: str, trino_args: tuple[str, ...]) -> None:
    """Open a Trino SQL prompt on the Iceberg catalog (or run one statement with -e).

    Any further arguments go to the Trino CLI, e.g. `lakehouse sql -e "..." --output-format CSV`.
    Exits with status 1 if Trino is not reachable.
    """
    settings = get_settings()
    url = trino_url(settings)
    problem = trino_problem(url)
    if problem:
        click.secho(f"error: {problem}; {_not_ready_hint(settings)}", fg="red", err=True)
        raise SystemExit(1)
    jar = fetch(TRINO_CLI, settings.cache_dir, settings.maven_repository, Console(stderr=True))
    jdk = find_jdk(17, override=settings.java_home, purpose="the Trino CLI")
    command = [
        str(jdk.java),
        # Without a terminal (pipes, -e from a script) jline falls back to a dumb one
        # and warns on stderr; saying a dumb one is fine keeps that quiet, and a real
        # terminal still gets the full line editor.
        "-Dorg.jline.terminal.dumb=true",
        "-jar",
        str(jar),
        f"--server={url}",
        f"--user={settings.trino_user}",
        f"--catalog={settings.trino_catalog}",
        f"--schema={schema}",
    ]
    # Batch output defaults to header-less quoted CSV; a table is what people read. The
    # Trino CLI refuses an option given twice, so the user's own format wins.
    if not _has_option(trino_args, "--output-format"):
        command.append("--output-format=ALIGNED")
    if execute is not None:
        command.append(f"--execute={execute}")
    # exec, not a child: the interactive prompt needs the terminal and its signals.
    os.execv(command[0], [*command, *trino_args])
