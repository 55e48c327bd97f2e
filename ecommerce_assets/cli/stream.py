"""``lakehouse stream``: bronze ingestion in continuous mode, for low latency.

The sensor-driven Dagster runs are the default (each run processes what is available
and stops). This keeps one Structured Streaming query per topic running instead, with
micro-batches every few seconds; both share the checkpoints, so they can be swapped at
any time without loss or duplicates — but run only one of them at once.
"""

from __future__ import annotations

import time

import click
from rich.console import Console

from data_generators import DEFAULT_TOPICS
from ecommerce_assets.resources import BronzeResource
from ecommerce_assets.resources.spark import spark_session
from ecommerce_assets.settings import get_settings
from streaming.bronze import start_continuous

console = Console(stderr=True)


@click.command("stream")
@click.option(
    "--stream",
    "streams",
    multiple=True,
    type=click.Choice(sorted(DEFAULT_TOPICS)),
    help="Streams to ingest (repeatable; default: all).",
)
@click.option("--interval", default="2 seconds", show_default=True, help="Micro-batch trigger.")
@click.option(
    "--duration", type=float, default=None, help="Stop after this many seconds (default: Ctrl-C)."
)
def stream(streams: tuple[str, ...], interval: str, duration: float | None) -> None:
    """Ingest Kafka into bronze continuously (one query per topic) until stopped."""
    settings = get_settings()
    spark = spark_session(settings, console)
    config = BronzeResource.from_settings(settings).config(list(streams) or None)
    queries = start_continuous(spark, config, trigger_interval=interval)
    console.print(f"[bold]streaming {', '.join(config.streams)} into bronze[/] every {interval}")
    started = time.monotonic()
    reported: dict[str, int] = {}
    try:
        while duration is None or time.monotonic() - started < duration:
            time.sleep(10)
            for query in queries:
                if query.exception() is not None:
                    raise click.ClickException(f"{query.name} failed: {query.exception()}")
                progress = query.lastProgress
                if not progress or reported.get(query.name) == progress["batchId"]:
                    continue
                reported[query.name] = progress["batchId"]
                if progress.get("numInputRows"):
                    console.print(
                        f"  {query.name}: batch {progress['batchId']}, "
                        f"{progress['numInputRows']} rows, "
                        f"{progress.get('processedRowsPerSecond', 0):.0f} rows/s"
                    )
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        for query in queries:
            query.stop()
        spark.stop()
