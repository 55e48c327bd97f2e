"""``lakehouse generate``: run the data generator into Kafka or into files."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from data_generators import (
    DEFAULT_TOPICS,
    GeneratorParams,
    KafkaWriteError,
    TroubleParams,
    generate_to_files,
    generate_to_kafka,
)
from data_generators import Progress as GenProgress
from data_generators.manifest import write_manifest
from ecommerce_assets.settings import get_settings

#: Generator parameter (as pydantic locates it) -> the option that sets it, so an
#: error names what the user typed, never the generator's field.
OPTION_OF_FIELD: dict[str, str] = {
    "seed": "--seed",
    "customers": "--customers",
    "products": "--products",
    "days": "--days",
    "start_date": "--start-date",
    "events_per_day": "--events-per-day",
    "mode": "--mode",
    "rate": "--rate",
    "duration_s": "--duration",
    "topics": "--topic",
    "trouble.duplicate_share": "--duplicates",
    "trouble.late_share": "--late",
    "trouble.late_max_hours": "--late-max-hours",
    "trouble.out_of_order_share": "--out-of-order",
    "trouble.malformed_share": "--malformed",
    "trouble.schema_drift_from_day": "--drift-from-day",
}

# Words of the generator's cross-field messages that are not options.
_PLAIN_WORDS = {"mode='live'": "--mode live", "late_min_minutes": "the minimum lateness"}


def _bounded(kind: type[int] | type[float], field: str) -> click.ParamType:
    """A click number type with the generator's own bounds for ``field``.

    Read from the pydantic model, so the CLI cannot drift from it, and checked by click
    before anything runs; ``--help`` shows the range.
    """
    model: type[BaseModel] = GeneratorParams
    name = field
    if field.startswith("trouble."):
        model, name = TroubleParams, field.removeprefix("trouble.")
    bounds: dict[str, Any] = {}
    for constraint in model.model_fields[name].metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(constraint, key, None) is not None:
                bounds[key] = getattr(constraint, key)
    low, high = bounds.get("ge", bounds.get("gt")), bounds.get("le", bounds.get("lt"))
    if kind is int:
        return click.IntRange(low, high, min_open="gt" in bounds, max_open="lt" in bounds)
    return click.FloatRange(low, high, min_open="gt" in bounds, max_open="lt" in bounds)


def _parse_topics(
    _ctx: click.Context, _param: click.Parameter, pairs: tuple[str, ...]
) -> dict[str, str]:
    topics: dict[str, str] = {}
    for pair in pairs:
        stream, sep, topic = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected STREAM=TOPIC (got {pair!r})")
        if stream not in DEFAULT_TOPICS:
            known = ", ".join(DEFAULT_TOPICS)
            raise click.BadParameter(f"unknown stream {stream!r}; known streams: {known}")
        topics[stream] = topic
    return topics


def option_error(error: ValidationError) -> click.BadParameter:
    """The generator's first complaint, worded with the options that set the values."""
    item = error.errors()[0]
    loc = ".".join(str(part) for part in item["loc"])
    message = str(item["msg"]).removeprefix("Value error, ").replace("Input should be", "must be")
    if loc in OPTION_OF_FIELD:
        options = [OPTION_OF_FIELD[loc]]
        if "(got " not in message:
            message = f"{message} (got {item.get('input')!r})"
    else:
        # A rule across fields (located at their model): name each option it mentions,
        # in the order the message does.
        scope = f"{loc}." if loc else ""
        mentioned: list[tuple[int, str, str]] = []
        for field, option in OPTION_OF_FIELD.items():
            name = field.removeprefix(scope)
            if field.startswith(scope) and "." not in name:
                found = re.search(rf"\b{name}\b", message)
                if found:
                    mentioned.append((found.start(), name, option))
        mentioned.sort()
        options = [option for _, _, option in mentioned]
        for words, plain in _PLAIN_WORDS.items():
            message = message.replace(words, plain)
        for _, name, option in mentioned:
            message = re.sub(rf"(?<!-)\b{name}\b", option, message)
    hint = " / ".join(f"'{option}'" for option in options) or None
    return click.BadParameter(message, param_hint=hint)


@click.command("generate")
@click.option(
    "--sink",
    type=click.Choice(["kafka", "files"]),
    default="kafka",
    show_default=True,
    help="Write to the profile's Kafka, or to day folders of files.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for --sink files (default: <data_dir>/landing).",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["jsonl", "parquet"]),
    multiple=True,
    help="File formats for --sink files (repeatable; default: both).",
)
@click.option(
    "--mode",
    type=click.Choice(["backfill", "live"]),
    default="backfill",
    show_default=True,
    help="backfill: every day as fast as possible; live: paced at --rate in real time.",
)
@click.option(
    "--seed",
    type=_bounded(int, "seed"),
    default=42,
    show_default=True,
    help="Same seed and options, same records.",
)
@click.option(
    "--customers",
    type=_bounded(int, "customers"),
    default=10_000,
    show_default=True,
    help="Customers in the simulated shop.",
)
@click.option(
    "--products",
    type=_bounded(int, "products"),
    default=1_000,
    show_default=True,
    help="Products in the catalogue.",
)
@click.option(
    "--days",
    type=_bounded(int, "days"),
    default=7,
    show_default=True,
    help="Simulated days, from --start-date on.",
)
@click.option(
    "--start-date",
    type=click.DateTime(["%Y-%m-%d"]),
    default="2024-01-01",
    show_default=True,
    help="First simulated day.",
)
@click.option(
    "--events-per-day",
    type=_bounded(int, "events_per_day"),
    default=100_000,
    show_default=True,
    help="Mean clickstream events per simulated day (backfill).",
)
@click.option(
    "--rate",
    type=_bounded(float, "rate"),
    default=1_000.0,
    show_default=True,
    help="Live mode: target clickstream events per second.",
)
@click.option(
    "--duration",
    "duration_s",
    type=_bounded(float, "duration_s"),
    default=None,
    help="Live mode: stop after this many seconds.",
)
@click.option(
    "--topic",
    "topic_overrides",
    multiple=True,
    metavar="STREAM=TOPIC",
    callback=_parse_topics,
    help="Override a topic name, e.g. --topic orders=test.orders (repeatable; "
    "default: LAKEHOUSE_TOPICS).",
)
@click.option(
    "--partitions",
    type=click.IntRange(min=1),
    default=None,
    help="Partitions for new topics (default: LAKEHOUSE_KAFKA_DEFAULT_PARTITIONS).",
)
@click.option(
    "--kafka-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the broker (connect, topic creation, final flush).",
)
@click.option(
    "--duplicates",
    type=_bounded(float, "trouble.duplicate_share"),
    default=0.0,
    help="Share of duplicated records.",
)
@click.option(
    "--late",
    type=_bounded(float, "trouble.late_share"),
    default=0.0,
    help="Share of late records.",
)
@click.option(
    "--late-max-hours",
    type=_bounded(float, "trouble.late_max_hours"),
    default=72.0,
    show_default=True,
    help="How late a late record may arrive.",
)
@click.option(
    "--out-of-order",
    type=_bounded(float, "trouble.out_of_order_share"),
    default=0.0,
    help="Share of out-of-order records.",
)
@click.option(
    "--malformed",
    type=_bounded(float, "trouble.malformed_share"),
    default=0.0,
    help="Share of extra malformed records.",
)
@click.option(
    "--drift-from-day",
    type=_bounded(int, "trouble.schema_drift_from_day"),
    default=None,
    help="From this day index on, events carry schema v2 with a new field.",
)
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the manifest (files sink: <out>/_manifest.json).",
)
def generate(**options: Any) -> None:
    """Generate a deterministic e-commerce universe into Kafka or day-partitioned files."""
    settings = get_settings()
    console = Console(stderr=True)
    try:
        params = GeneratorParams.model_validate(dict(
            seed=options["seed"], customers=options["customers"],
            products=options["products"], days=options["days"],
            start_date=options["start_date"].date(), events_per_day=options["events_per_day"],
            mode=options["mode"], rate=options["rate"], duration_s=options["duration_s"],
            # The same topic settings bronze ingestion reads, then this run's overrides.
            topics={**settings.topics, **options["topic_overrides"]},
            trouble={
                "duplicate_share": options["duplicates"], "late_share": options["late"],
                "late_max_hours": options["late_max_hours"],
                "out_of_order_share": options["out_of_order"],
                "malformed_share": options["malformed"],
                "schema_drift_from_day": options["drift_from_day"],
            },
        ))  # fmt: skip
    except ValidationError as error:
        raise option_error(error) from None

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
        except OSError as error:
            if error.filename is None:  # not about a path the user gave: a real failure
                raise
            # The folder or manifest path given cannot be written (permissions, a file
            # in the way, a full disk): say which, without a traceback.
            raise click.ClickException(f"cannot write {error.filename}: {error.strerror}") from None
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
