"""Render the contract as docs/events.md, the analysts' reference.

    uv run python -m streaming.contracts.docs --write   # rewrite docs/events.md
    uv run python -m streaming.contracts.docs           # print it

A unit test fails when the committed page differs from what this renders, so the page
cannot drift from the contract.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from streaming.contracts.envelope import ENVELOPE
from streaming.contracts.naming import DEAD_LETTERS_TABLE, bronze_table
from streaming.contracts.registry import CONTRACTS, event_contract
from streaming.contracts.sql import spark_type, trino_read, trino_type
from streaming.contracts.types import (
    BOOLEAN,
    DATE,
    INT,
    MONEY,
    SCALAR_TYPES,
    TIMESTAMP,
    EventContract,
    Field,
    StreamContract,
    element_type,
    is_struct_like,
)
from streaming.contracts.versions import SCHEMA_VERSION

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "events.md"
REGENERATE = "uv run python -m streaming.contracts.docs --write"
#: The Trino catalog the project's settings default to (LAKEHOUSE_TRINO_CATALOG).
TRINO_CATALOG = "iceberg"

_TYPE_MEANING = {
    "string": "JSON string",
    INT: "JSON integer",
    BOOLEAN: "JSON true / false",
    MONEY: "JSON number with at most 2 decimals, EUR (never a string)",
    DATE: 'JSON string "2024-01-31" (UTC day)',
    TIMESTAMP: 'JSON string "2024-01-31T09:30:00.123Z" (UTC)',
}


def _rows(fields: tuple[Field, ...], prefix: str = "") -> Iterator[str]:
    for f in fields:
        name = f"{prefix}{f.name}"
        nullable = "yes" if f.nullable else "no"
        yield f"| `{name}` | `{f.type}` | {nullable} | {f.since} | {f.description} |"
        if is_struct_like(f.type):
            inner = "[]." if element_type(f.type) is not None else "."
            yield from _rows(f.fields, f"{name}{inner}")


def _field_table(fields: tuple[Field, ...]) -> list[str]:
    return [
        "| field | type | nullable | since | description |",
        "|---|---|---|---|---|",
        *_rows(fields),
    ]


def _example_fields(event: EventContract, key_field: str) -> list[Field]:
    """The key plus a couple of typed fields: what an analyst most often gets wrong."""
    # Only fields every event of the type carries (not nullable, not added later).
    usable = [f for f in event.fields if not f.nullable and f.since == SCHEMA_VERSION]
    chosen = [event.field(key_field)]
    money = [f for f in usable if f.type == MONEY]
    if money:
        chosen.append(money[-1])  # the last amount is the total where there are several
    for kinds in ((DATE, TIMESTAMP), (INT, BOOLEAN)):
        extra = next((f for f in usable if f.type in kinds and f not in chosen), None)
        if extra is not None and len(chosen) < 3:
            chosen.append(extra)
    return chosen


def _example(stream: StreamContract) -> list[str]:
    event = next(
        (e for e in stream.events if any(f.type == MONEY and not f.nullable for f in e.fields)),
        stream.events[0],
    )
    columns = ["  event_time"]
    for f in _example_fields(event, stream.key_field):
        columns.append(f"  {trino_read(f)} AS {f.name}")
    return [
        "```sql",
        "SELECT",
        ",\n".join(columns),
        f"FROM {TRINO_CATALOG}.{bronze_table(stream.name)}",
        f"WHERE event_type = '{event.event_type}'",
        "LIMIT 10;",
        "```",
    ]


def _stream_section(stream: StreamContract) -> list[str]:
    key = stream.events[0].field(stream.key_field)
    lines = [
        f"## {stream.name}",
        "",
        stream.description,
        "",
        f"- Kafka topic: `{stream.default_topic}` (a run may override it)",
        f"- Record key: `payload.{stream.key_field}` ({key.type}, as text)",
        f"- Bronze table: `{bronze_table(stream.name)}`",
        f"- Event types: {', '.join(f'`{t}`' for t in stream.event_types)}",
        "",
        "Reading typed fields from bronze in Trino:",
        "",
        *_example(stream),
    ]
    for event in stream.events:
        lines += ["", f"### {event.event_type}", "", event.description, ""]
        lines += _field_table(event.fields)
    return lines


def _drift_lines() -> list[str]:
    added = []
    for stream in CONTRACTS:
        names = dict.fromkeys(
            f.name for e in stream.events for f in e.fields if f.since > SCHEMA_VERSION
        )
        for name in names:
            having = [e.event_type for e in stream.events if name in {f.name for f in e.fields}]
            if len(having) == len(stream.events):
                added.append(f"`{name}` to every {stream.name} event")
            else:
                added += [f"`{event_type}.{name}`" for event_type in having]
    return [
        "A newer schema version only adds payload fields (column *since* below); reading "
        "a field an event's version lacks gives NULL. Version 2 is what the generator's "
        "schema drift (`trouble.schema_drift_from_day`) switches to; it adds "
        f"{' and '.join(added)}. Event types without a version-2 field keep version 1.",
    ]


def _types_table() -> list[str]:
    lines = [
        "| logical type | in the JSON | Trino | Spark |",
        "|---|---|---|---|",
    ]
    for t in SCALAR_TYPES:
        f = Field("x", t, "")
        lines.append(f"| `{t}` | {_TYPE_MEANING[t]} | `{trino_type(f)}` | `{spark_type(f)}` |")
    lines += [
        "| `struct` | JSON object; its fields are listed as `name.field` | `row(...)` "
        "| `STRUCT<...>` |",
        "| `array<T>` | JSON array; struct elements' fields are listed as `name[].field` "
        "| `array(...)` | `ARRAY<...>` |",
    ]
    return lines


def render() -> str:
    """The whole page, Markdown."""
    items = event_contract("order_placed").field("items")
    lines = [
        "# Events",
        "",
        f"<!-- Generated from streaming/contracts by `{REGENERATE}`. Do not edit. -->",
        "",
        "Every Kafka record (and every line of a landing file) is one JSON envelope. "
        "Bronze keeps each record as it arrived in `raw_value`, beside the envelope's "
        "`event_id`, `event_type`, `event_time` and `schema_version`; records that are "
        f"not valid envelopes go to `{DEAD_LETTERS_TABLE}` with the reason.",
        "",
        "## Envelope",
        "",
        "| field | type | description |",
        "|---|---|---|",
        *(f"| `{f.name}` | `{f.type}` | {f.description} |" for f in ENVELOPE),
        "",
        *_drift_lines(),
        "",
        "Every payload field of the event type and version is present; a nullable one "
        "may be JSON null. A field not listed here is not part of the contract.",
        "",
        "## Types",
        "",
        *_types_table(),
        "",
        "Read money with `decimal(12,2)`, never `double`, and never guess a field name: "
        "`json_extract_scalar` returns NULL for a path that does not exist. Arrays and "
        "structs cast from JSON in one go, e.g. the lines of an order:",
        "",
        "```sql",
        "SELECT json_extract_scalar(raw_value, '$.payload.order_id') AS order_id, item.*",
        f"FROM {TRINO_CATALOG}.{bronze_table('orders')}",
        f"CROSS JOIN UNNEST({trino_read(items)}) AS item",
        "WHERE event_type = 'order_placed'",
        "LIMIT 10;",
        "```",
        "",
        "## Streams",
        "",
        "| stream | topic | key | bronze table | event types |",
        "|---|---|---|---|---|",
        *(
            f"| {s.name} | `{s.default_topic}` | `{s.key_field}` | `{bronze_table(s.name)}` "
            f"| {', '.join(s.event_types)} |"
            for s in CONTRACTS
        ),
    ]
    for stream in CONTRACTS:
        lines += ["", *_stream_section(stream)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {DOC_PATH}")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        DOC_PATH.write_text(text)
        print(f"wrote {DOC_PATH}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
