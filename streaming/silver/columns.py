"""Silver columns: name, Spark type and the description every engine shows.

Payload columns come from the event contract (type and description), so a field name
and its type are written down once. A struct is flattened into ``<struct>_<member>``
columns (``shipping_address_city``); arrays stay arrays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from streaming.contracts import ENVELOPE, Field, event_contract
from streaming.contracts.sql import spark_type
from streaming.contracts.types import STRUCT


@dataclass(frozen=True)
class Column:
    name: str
    #: Spark SQL type, e.g. ``DECIMAL(12,2)`` or ``ARRAY<STRING>``.
    type: str
    description: str

    def ddl(self) -> str:
        comment = self.description.replace("\\", "\\\\").replace("'", "\\'")
        return f"`{self.name}` {self.type} COMMENT '{comment}'"


def _envelope(name: str) -> str:
    return next(f.description for f in ENVELOPE if f.name == name)


EVENT_ID = Column("event_id", "STRING", _envelope("id"))
EVENT_TYPE = Column("event_type", "STRING", "Event type (see docs/events.md).")
EVENT_TIME = Column("event_time", "TIMESTAMP", _envelope("event_time"))
EVENT_DATE = Column("event_date", "DATE", "UTC day of event_time: the table's daily partition.")
SCHEMA_VERSION = Column("schema_version", "INT", _envelope("schema_version"))
#: The envelope as every event-grain silver table starts.
ENVELOPE_COLUMNS: tuple[Column, ...] = (
    EVENT_ID,
    EVENT_TYPE,
    EVENT_TIME,
    EVENT_DATE,
    SCHEMA_VERSION,
)


@dataclass(frozen=True)
class PayloadColumn:
    """A payload field as a silver column, with where it sits in the payload."""

    column: Column
    #: Path in the payload, e.g. ``("shipping_address", "city")``.
    path: tuple[str, ...]
    field: Field


def merged_fields(event_types: Iterable[str]) -> tuple[Field, ...]:
    """The payload fields of several event types, each once, in first-seen order.

    A field is as nullable as it is anywhere (or absent somewhere); its description is
    taken from an event type that always carries it.
    """
    types = list(event_types)
    by_name: dict[str, list[Field]] = {}
    for event_type in types:
        for field in event_contract(event_type).fields:
            by_name.setdefault(field.name, []).append(field)
    merged = []
    for name, versions in by_name.items():
        kinds = {spark_type(f) for f in versions}
        if len(kinds) > 1:
            raise ValueError(f"payload field {name!r} has different types in {types}: {kinds}")
        required = [f for f in versions if not f.nullable]
        base = required[0] if required else versions[0]
        nullable = len(required) < len(types)
        merged.append(
            Field(
                base.name,
                base.type,
                base.description,
                nullable=nullable,
                since=min(f.since for f in versions),
                fields=base.fields,
                values=tuple(dict.fromkeys(v for f in versions for v in f.values)),
            )
        )
    return tuple(merged)


def payload_columns(fields: Iterable[Field]) -> tuple[PayloadColumn, ...]:
    """Silver columns of payload fields: structs flattened, everything else as is."""
    out = []
    for field in fields:
        if field.type == STRUCT:
            for member in field.fields:
                out.append(
                    PayloadColumn(
                        Column(
                            f"{field.name}_{member.name}",
                            spark_type(member),
                            f"{field.description} {member.description}",
                        ),
                        (field.name, member.name),
                        member,
                    )
                )
        else:
            out.append(
                PayloadColumn(
                    Column(field.name, spark_type(field), field.description), (field.name,), field
                )
            )
    return tuple(out)
