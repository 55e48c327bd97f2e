"""The README's main command for real: ``lakehouse run`` from a clean data folder, then
again on top of its own output, at a small scale.

It runs as a person runs it, in a process of its own with a stack of its own (a fresh
data folder, ports picked free), so the integration tier's shared stack is not touched.
What it must show: both runs succeed, the second adds nothing (every table's rows, counted
through Trino, are the same after it), bronze holds exactly what the generator's manifest
says, and every gold check passed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from data_generators import read_manifest
from ecommerce_assets.cli.run import expected_counts
from ecommerce_assets.resources import TrinoResource
from ecommerce_assets.settings import LakehouseSettings, env_name, load_settings
from ecommerce_assets.stack import manager
from ecommerce_assets.stack.process import free_ports
from streaming.contracts.naming import DEAD_LETTERS_TABLE, bronze_table
from tests.integration.conftest import PORT_SETTINGS

# The venv's entry point is what `uv run lakehouse` runs; calling it directly spares
# CI a uv sync check and works where uv is only reachable as `python -m uv`.
LAKEHOUSE = str(Path(sys.executable).parent / "lakehouse")
# The smallest scale where every layer gets real work: both days have orders (21 and
# 15), payments, a cancellation or return, malformed records and duplicates. Below this
# the fixed cost (stack start, Spark and dbt start-up) dominates anyway.
ARGS = ["--days", "2", "--events", "2000"]
TIMEOUT_S = 900


def _environment(settings: LakehouseSettings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAKEHOUSE_", "DAGSTER_"))}
    env[env_name("data_dir")] = str(settings.data_dir)
    env.update({env_name(field): str(getattr(settings, field)) for field in PORT_SETTINGS})
    return env


def _lakehouse_run(env: dict[str, str], log: Path, summary: Path) -> float:
    """Run the command to its end; its wall time. Fails with the log's tail if it fails."""
    started = time.monotonic()
    with log.open("wb") as out:
        # A session of its own: on a timeout the run workers and code server it started
        # go with it.
        process = subprocess.Popen(
            [LAKEHOUSE, "run", *ARGS, "--summary-json", str(summary)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            code = None
    took = time.monotonic() - started
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-80:])
    assert code == 0, f"lakehouse run ended with {code} after {took:.0f} s:\n{tail}"
    return took


def _rows_per_table(trino: TrinoResource) -> dict[str, int]:
    """Every table of every layer as the catalog lists it (not as the summary does)."""
    tables = [
        f"{schema}.{name}"
        for schema, name in trino.query(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('bronze', 'silver', 'gold') AND table_type = 'BASE TABLE'"
        )
    ]
    union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)
    return {str(t): int(n) for t, n in trino.query(union)}


def _summary_rows(summary: dict[str, Any]) -> dict[str, int]:
    return {t: n for layer in summary["layers"].values() for t, n in layer["rows"].items()}


def test_lakehouse_run_twice_from_a_clean_folder_adds_nothing_the_second_time(
    tmp_path: Path,
) -> None:
    ports = dict(zip(PORT_SETTINGS, free_ports(len(PORT_SETTINGS)), strict=True))
    settings = load_settings(data_dir=str(tmp_path / "data"), **ports)
    env = _environment(settings)
    trino = TrinoResource.from_settings(settings)
    try:
        first_s = _lakehouse_run(env, tmp_path / "run-1.log", tmp_path / "summary-1.json")
        first = _rows_per_table(trino)
        summary = json.loads((tmp_path / "summary-1.json").read_text())

        manifest = read_manifest(settings.data_dir / "generated" / "kafka-manifest.json")
        expected = expected_counts(manifest)
        assert {s: first[bronze_table(s)] for s in expected} == {
            s: rows for s, (rows, _) in expected.items()
        }
        assert first[DEAD_LETTERS_TABLE] == sum(dead for _, dead in expected.values()) > 0
        # The summary lists every table and says what Trino says.
        assert _summary_rows(summary) == first
        assert all(n > 0 for t, n in first.items() if t != "silver.quarantine"), first
        gold = summary["layers"]["gold"]
        assert gold["checks_failed"] == [] and gold["checks_passed"] > 0
        assert summary["layers"]["silver"]["checks_passed"] > 0
        log = (tmp_path / "run-1.log").read_text()
        assert "revenue per day" in log and "uv run lakehouse sql -e" in log

        second_s = _lakehouse_run(env, tmp_path / "run-2.log", tmp_path / "summary-2.json")
        again = json.loads((tmp_path / "summary-2.json").read_text())
        assert "Kafka already holds this generation" in (tmp_path / "run-2.log").read_text()
        assert _rows_per_table(trino) == first
        assert _summary_rows(again) == first
        assert again["layers"]["gold"]["checks_failed"] == []
        assert again["examples"] == summary["examples"]
        # Three new runs, not the first run's reported again.
        assert {
            again["layers"][layer]["run_id"] for layer in ("bronze", "silver", "gold")
        }.isdisjoint(summary["layers"][layer]["run_id"] for layer in ("bronze", "silver", "gold"))
        print(
            f"\nlakehouse run {' '.join(ARGS)}: first {first_s:.0f} s, second {second_s:.0f} s; "
            "per part: "
            + ", ".join(
                f"{t['part']} {t['seconds']:.0f}/{u['seconds']:.0f} s"
                for t, u in zip(summary["time"], again["time"], strict=True)
            )
        )
    finally:
        manager.down(settings, Console(stderr=True))
