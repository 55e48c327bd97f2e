"""Time the local stack: cold and warm `stack up`, idle memory, Spark session start.

Runs a stack of its own (fresh data folder, its own ports) so it never touches yours.
"Cold" uses an empty artifact cache too, so it includes every download; pass
--cache-dir to reuse one. Prints a Markdown table for docs/benchmarks.md.

    uv run python benchmarks/stack_benchmark.py            # cold + warm (downloads ~800 MB)
    uv run python benchmarks/stack_benchmark.py --warm-only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from ecommerce_assets.settings import LakehouseSettings, load_settings
from ecommerce_assets.stack import manager

PORTS = {
    "kafka_port": 29092,
    "kafka_controller_port": 29093,
    "catalog_port": 28181,
    "trino_port": 28080,
}

SPARK_PROBE = """
import json, sys, time
from ecommerce_assets.resources.spark import spark_session
from ecommerce_assets.settings import load_settings
settings = load_settings(**json.loads(sys.argv[1]))
started = time.monotonic()
spark = spark_session(settings)  # the jars are cached by then: this times the session
ready = time.monotonic() - started
spark.sql("SHOW NAMESPACES").collect()
print(json.dumps({"session_s": ready, "first_catalog_query_s": time.monotonic() - started}))
spark.stop()
"""


def timed_up(settings: LakehouseSettings, console: Console) -> float:
    started = time.monotonic()
    manager.up(settings, console)
    return time.monotonic() - started


def spark_start(overrides: dict[str, object]) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", SPARK_PROBE, json.dumps(overrides)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cache-dir", type=Path, help="artifact cache to use (default: a new, empty one)"
    )
    parser.add_argument(
        "--warm-only", action="store_true", help="use the normal cache; skip the cold run"
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=15, help="wait before reading idle memory"
    )
    args = parser.parse_args()
    console = Console(stderr=True)

    with tempfile.TemporaryDirectory(prefix="stack-bench-") as scratch:
        overrides: dict[str, object] = {"data_dir": str(Path(scratch) / "data"), **PORTS}
        if args.cache_dir or not args.warm_only:
            overrides["cache_dir"] = str(args.cache_dir or Path(scratch) / "cache")
        settings = load_settings(**overrides)
        rows: list[tuple[str, str]] = []
        try:
            if not args.warm_only:
                rows.append(
                    (
                        "cold `stack up` (fetch + first start)",
                        f"{timed_up(settings, console):.1f} s",
                    )
                )
                manager.down(settings, console)
            else:
                manager.up(settings, console)  # make sure a first start (storage format) is done
                manager.down(settings, console)
            rows.append(("warm `stack up`", f"{timed_up(settings, console):.1f} s"))
            warm_again = timed_up(settings, console)
            rows.append(("`stack up` when already up", f"{warm_again:.2f} s"))
            time.sleep(args.idle_seconds)
            total = 0
            for status in manager.status(settings):
                total += status.rss_bytes
                rows.append((f"idle RSS: {status.name}", f"{status.rss_bytes / 2**20:.0f} MiB"))
            rows.append(("idle RSS: whole stack", f"{total / 2**20:.0f} MiB"))
            spark = spark_start(overrides)
            rows.append(
                (
                    "Spark session start (local[2], Iceberg + Kafka jars)",
                    f"{spark['session_s']:.1f} s",
                )
            )
            rows.append(("… to first catalog query", f"{spark['first_catalog_query_s']:.1f} s"))
        finally:
            manager.down(settings, console)

    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
