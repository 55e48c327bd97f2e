"""Time a bronze run with nothing to ingest: the fixed cost every sensor tick's run pays.

Runs a stack of its own (fresh data folder, its own ports), produces a small generation,
ingests it once, then times runs that find nothing new, each a fresh process as a user
meets it:

* ``dagster job execute`` of ``bronze_ingest_job`` (how the issue measured 24.5 s), and
* ``lakehouse run --no-stack`` (launch through the instance, plus the reconciliation).

Prints the machine and a Markdown table for docs/benchmarks.md.

    uv run python benchmarks/bronze_idle_run_benchmark.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from ecommerce_assets.settings import PROJECT_ROOT, env_name, load_settings
from ecommerce_assets.stack import manager
from ecommerce_assets.stack.process import free_ports

PORT_SETTINGS = ("kafka_port", "kafka_controller_port", "catalog_port", "trino_port")
BIN = Path(sys.executable).parent


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load}"


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    result = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    took = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"{command} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="Timed runs of each kind.")
    args = parser.parse_args()
    console = Console(stderr=True)
    data_dir = Path(tempfile.mkdtemp(prefix="lakehouse-idle-bench-"))
    ports = dict(zip(PORT_SETTINGS, free_ports(len(PORT_SETTINGS)), strict=True))
    settings = load_settings(data_dir=data_dir, **ports)
    env = {**os.environ, env_name("data_dir"): str(data_dir),
           **{env_name(k): str(v) for k, v in ports.items()}}  # fmt: skip
    home = settings.dagster_home
    home.mkdir(parents=True)
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    env["DAGSTER_HOME"] = str(home)
    manager.up(settings, console)
    try:
        lakehouse = [str(BIN / "lakehouse"), "run", "--no-stack", "--days", "1",
                     "--events-per-day", "2000"]  # fmt: skip
        first = timed(lakehouse, env)
        console.print(f"first run (generates and ingests): {first:.1f} s")
        execute = [str(BIN / "dagster"), "job", "execute", "-m", "ecommerce_assets.definitions",
                   "-j", "bronze_ingest_job"]  # fmt: skip
        kinds = {"dagster job execute bronze_ingest_job": execute, "lakehouse run --no-stack":
                 lakehouse}  # fmt: skip
        results = {}
        for name, command in kinds.items():
            results[name] = [timed(command, env) for _ in range(args.runs)]
            console.print(f"{name}: {', '.join(f'{t:.1f}' for t in results[name])} s")
    finally:
        manager.down(settings, console)
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"machine: {machine()}\n")
    print("| idle bronze run (nothing to ingest) | median | min | max | runs |")
    print("|---|---|---|---|---|")
    for name, times in results.items():
        print(f"| `{name}` | {statistics.median(times):.1f} s | {min(times):.1f} s | "
              f"{max(times):.1f} s | {len(times)} |")  # fmt: skip


if __name__ == "__main__":
    main()
