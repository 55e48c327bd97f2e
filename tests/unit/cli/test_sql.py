"""``lakehouse sql``: checks Trino before starting its CLI, then runs it with a table."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ecommerce_assets.cli import sql as sql_module
from ecommerce_assets.cli.main import cli
from ecommerce_assets.stack.java import Jdk


@pytest.fixture
def no_exec(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record what would be exec'd instead of replacing the test process."""
    calls: list[list[str]] = []
    monkeypatch.setattr(sql_module.os, "execv", lambda path, args: calls.append(list(args)))
    return calls


def test_unreachable_trino_is_one_line_that_says_how_to_start_it(
    no_exec: list[list[str]],
) -> None:
    result = CliRunner().invoke(cli, ["sql", "-e", "SELECT 1"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: Trino is not reachable at http://127.0.0.1:")
    assert "uv run lakehouse stack up" in lines[0]
    assert no_exec == []


@pytest.fixture
def trino_info() -> Iterator[tuple[str, dict[str, Any]]]:
    """A stand-in for Trino's /v1/info; the test sets what it answers."""
    info: dict[str, Any] = {"starting": False}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(info).encode()
            self.send_response(200 if self.path == "/v1/info" else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", info
    server.shutdown()
    server.server_close()


def test_trino_problem_tells_ready_from_starting(trino_info: tuple[str, dict[str, Any]]) -> None:
    url, info = trino_info
    assert sql_module.trino_problem(url) is None
    info["starting"] = True
    assert "still starting" in (sql_module.trino_problem(url) or "")


@pytest.fixture
def ready_trino(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sql_module, "trino_problem", lambda url: None)
    monkeypatch.setattr(sql_module, "fetch", lambda *args: tmp_path / "trino-cli.jar")
    jdk = Jdk(home=tmp_path / "jdk", version=(17,), modules=frozenset())
    monkeypatch.setattr(sql_module, "find_jdk", lambda *args, **kwargs: jdk)


@pytest.mark.usefixtures("ready_trino")
def test_execute_prints_an_aligned_table_in_bronze_without_the_terminal_warning(
    no_exec: list[list[str]],
) -> None:
    result = CliRunner().invoke(cli, ["sql", "-e", "SELECT 1"])
    assert result.exit_code == 0, result.output
    (command,) = no_exec
    assert "-Dorg.jline.terminal.dumb=true" in command
    assert command.index("-Dorg.jline.terminal.dumb=true") < command.index("-jar")
    assert "--output-format=ALIGNED" in command
    assert "--schema=bronze" in command
    assert command[-1] == "--execute=SELECT 1"


@pytest.mark.usefixtures("ready_trino")
def test_the_users_own_format_and_schema_win(no_exec: list[list[str]]) -> None:
    args = ["sql", "--schema", "silver", "-e", "SELECT 1", "--output-format", "CSV"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (command,) = no_exec
    assert not any(arg.startswith("--output-format=") for arg in command)
    assert command[-2:] == ["--output-format", "CSV"]
    assert "--schema=silver" in command


@pytest.mark.usefixtures("ready_trino")
def test_without_execute_it_opens_the_prompt(no_exec: list[list[str]]) -> None:
    result = CliRunner().invoke(cli, ["sql"])
    assert result.exit_code == 0, result.output
    (command,) = no_exec
    assert not any(arg.startswith("--execute") for arg in command)
