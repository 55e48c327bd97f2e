"""``lakehouse stream``: bronze ingestion in continuous mode, for low latency.

The sensor-driven Dagster runs are the default (each run processes what is available
and stops). This keeps one Structured Streaming query per topic running instead, with
micro-batches every few seconds; both share the checkpoints, so they can be swapped at
any time without loss or duplicates — but run only one of them at once.
"""

from __future__ import annotations

import re
import time

import click
from rich.console import Console

from data_generators import DEFAULT_TOPICS
from ecommerce_assets.settings import get_settings

console = Console(stderr=True)

# Units Spark's trigger accepts (singular or plural; fractions for seconds only). Checked
# here so a typo fails before a Spark session is built, not as a JVM stack trace.
_INTERVAL_UNITS = ("week", "day", "hour", "minute", "second", "millisecond", "microsecond")


class TriggerInterval(click.ParamType):
    """A Spark processing-time interval such as ``2 seconds`` or ``1 minute 30 seconds``."""

    name = "interval"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        text = str(value).strip()
        words = text.lower().split()
        if words[:1] == ["interval"]:
            words = words[1:]
        pairs = list(zip(words[::2], words[1::2], strict=False))
        valid = bool(pairs) and len(words) % 2 == 0
        for number, unit in pairs:
            unit = unit.removesuffix("s")
            pattern = r"\d+(\.\d+)?" if unit == "second" else r"\d+"
            valid = valid and unit in _INTERVAL_UNITS and re.fullmatch(pattern, number) is not None
        if not valid:
            self.fail(
                f"expected an interval like '2 seconds', '500 milliseconds' or "
                f"'1 minute 30 seconds' (got {text!r})",
                param,
                ctx,
            )
        return text


@click.command("stream")
@click.option(
    "--stream",
    "streams",
    multiple=True,
    type=click.Choice(sorted(DEFAULT_TOPICS)),
    help="Streams to ingest (repeatable; default: all).",
)
@click.option(
    "--interval",
    type=TriggerInterval(),
    default="2 seconds",
    show_default=True,
    help="Micro-batch trigger, e.g. '500 milliseconds' or '1 minute'.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Stop after this many seconds (default: Ctrl-C).",
)
def stream(streams: tuple[str, ...], interval: str, duration: float | None) -> None:
    """Ingest Kafka into bronze continuously (one query per topic) until stopped."""
    # Imported here: Spark and Dagster take seconds to import, and every other command
    # (and --help) should not pay for them.
    from ecommerce_assets.resources import BronzeResource
    from ecommerce_assets.resources.spark import spark_session
    from streaming.bronze import start_continuous

    settings = get_settings()
    spark = spark_session(settings, console)
    config = BronzeResource.from_settings(settings).config(list(streams) or None)
    queries = start_continuous(spark, config, trigger_interval=interval)
    console.print(f"[bold]streaming {', '.join(config.streams)} into bronze[/] every {interval}")
    started = time.monotonic()
    reported: dict[str, int] = {}
    try:
        while duration is None or time.monotonic() - started < duration:
            left = 10.0 if duration is None else duration - (time.monotonic() - started)
            time.sleep(min(10.0, max(left, 0.0)))
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
