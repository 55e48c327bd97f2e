"""``lakehouse generate``: run the data generator into Kafka or into files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from data_generators import (
    KafkaWriteError,
    ParameterError,
    generate_to_files,
    generate_to_kafka,
    make_params,
)
from data_generators import Progress as GenProgress
from data_generators.manifest import write_manifest
from data_generators.params import parse_topic_overrides
from ecommerce_assets.settings import get_settings


@click.command("generate")
@click.option("--sink", type=click.Choice(["kafka", "files"]), default="kafka", show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for --sink files (default: <data_dir>/landing).",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["jsonl", "parquet"]),
    multiple=True,
    help="File formats for --sink files (default: both).",
)
@click.option(
    "--mode", type=click.Choice(["backfill", "live"]), default="backfill", show_default=True
)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--customers", type=int, default=10_000, show_default=True)
@click.option("--products", type=int, default=1_000, show_default=True)
@click.option("--days", type=int, default=7, show_default=True)
@click.option(
    "--start-date", type=click.DateTime(["%Y-%m-%d"]), default="2024-01-01", show_default=True
)
@click.option(
    "--events-per-day",
    type=int,
    default=100_000,
    show_default=True,
    help="Mean clickstream events per simulated day (backfill).",
)
@click.option(
    "--rate",
    type=float,
    default=1_000.0,
    show_default=True,
    help="Live mode: target clickstream events per second.",
)
@click.option(
    "--duration",
    "duration_s",
    type=float,
    default=None,
    help="Live mode: stop after this many seconds.",
)
@click.option(
    "--topic",
    "topic_overrides",
    multiple=True,
    metavar="STREAM=TOPIC",
    help="Override a topic name, e.g. --topic orders=test.orders (repeatable).",
)
@click.option(
    "--partitions",
    type=int,
    default=None,
    help="Partitions for new topics (default: LAKEHOUSE_KAFKA_DEFAULT_PARTITIONS).",
)
@click.option(
    "--kafka-timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds to wait for the broker (connect, topic creation, final flush).",
)
@click.option("--duplicates", type=float, default=0.0, help="Share of duplicated records.")
@click.option("--late", type=float, default=0.0, help="Share of late records.")
@click.option("--late-max-hours", type=float, default=72.0, show_default=True)
@click.option("--out-of-order", type=float, default=0.0, help="Share of out-of-order records.")
@click.option("--malformed", type=float, default=0.0, help="Share of extra malformed records.")
@click.option(
    "--drift-from-day",
    type=int,
    default=None,
    help="From this day index on, events carry schema v2 with a new field.",
)
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the manifest (files sink: <out>/_manifest.json).",
)
def generate(**options: Any) -> None:
    """Generate a deterministic e-commerce universe into Kafka or day-partitioned files."""
    settings = get_settings()
    console = Console(stderr=True)
    try:
        params = make_params(
            seed=options["seed"], customers=options["customers"],
            products=options["products"], days=options["days"],
            start_date=options["start_date"].date(), events_per_day=options["events_per_day"],
            mode=options["mode"], rate=options["rate"], duration_s=options["duration_s"],
            topics=parse_topic_overrides(options["topic_overrides"]),
            trouble={
                "duplicate_share": options["duplicates"], "late_share": options["late"],
                "late_max_hours": options["late_max_hours"],
                "out_of_order_share": options["out_of_order"],
                "malformed_share": options["malformed"],
                "schema_drift_from_day": options["drift_from_day"],
            },
        )  # fmt: skip
    except ParameterError as error:
        raise click.BadParameter(str(error)) from None

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[records]:,} records · {task.fields[rate]:,.0f}/s"),
        TimeElapsedColumn(), console=console, transient=False,
    ) as bar:  # fmt: skip
        task = bar.add_task("generating", total=1, records=0, rate=0.0)

        def on_progress(p: GenProgress) -> None:
            bar.update(
                task, total=p.slices_total, completed=p.slices_done, records=p.records,
                rate=p.records_per_s, description=f"day {p.day_index + 1}/{p.days}",
            )  # fmt: skip

        try:
            if options["sink"] == "files":
                out = options["out_dir"] or settings.data_dir / "landing"
                manifest = generate_to_files(
                    params, out, formats=options["formats"] or ("jsonl", "parquet"),
                    progress=on_progress,
                )  # fmt: skip
                if options["manifest_path"]:
                    write_manifest(manifest, options["manifest_path"])
            else:
                partitions = options["partitions"] or settings.kafka_default_partitions
                manifest = generate_to_kafka(
                    params, settings.bootstrap_servers, partitions=partitions,
                    manifest_path=options["manifest_path"], progress=on_progress,
                    timeout_s=options["kafka_timeout"],
                )  # fmt: skip
        except KafkaWriteError as error:
            raise click.ClickException(str(error)) from None
    _summary(console, manifest)


def _summary(console: Console, manifest: dict[str, Any]) -> None:
    totals = manifest["totals"]["records"]
    table = Table(title="Records per topic")
    for column in ("topic", "delivered", "valid", "duplicates", "late", "malformed"):
        table.add_column(column, justify="left" if column == "topic" else "right")
    for stream, topic in manifest["topics"].items():
        t = totals[stream]
        table.add_row(topic, f"{t['delivered']:,}", f"{t['valid']:,}", f"{t['duplicates']:,}",
                      f"{t['late']:,}", f"{sum(t['malformed'].values()):,}")  # fmt: skip
    console.print(table)
    run = manifest["run"]
    business = manifest["totals"]["business"]
    console.print(
        f"{run['delivered_records']:,} records in {run['elapsed_s']:.1f}s "
        f"([bold]{run['events_per_s'] or 0:,.0f} records/s[/bold]); "
        f"{business['orders']:,} orders, revenue "
        f"{business['gross_revenue_cents'] / 100:,.2f} EUR; "
        f"finished {dt.datetime.now(dt.UTC):%H:%M:%S} UTC"
    )
