"""The contract's vocabulary: logical types, payload fields, event and stream contracts.

Logical types are plain strings, close to SQL so they read the same in Spark, Trino and
the docs:

* ``string``, ``int``, ``boolean``
* ``decimal(12,2)`` - money: a JSON number with at most two decimals (never a string)
* ``date`` - ``YYYY-MM-DD`` text; ``timestamp`` - ISO-8601 UTC text, ``...T...Z``
* ``struct`` - a JSON object whose members are the field's ``fields``
* ``array<T>`` - a JSON array of T; ``array<struct>`` elements are objects of ``fields``
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from functools import cached_property

from streaming.contracts.versions import SCHEMA_VERSION, SCHEMA_VERSIONS

STRING = "string"
INT = "int"
BOOLEAN = "boolean"
MONEY = "decimal(12,2)"
DATE = "date"
TIMESTAMP = "timestamp"
STRUCT = "struct"

SCALAR_TYPES = (STRING, INT, BOOLEAN, MONEY, DATE, TIMESTAMP)


def array(element: str) -> str:
    """The logical type of a JSON array of ``element``."""
    return f"array<{element}>"


def element_type(logical_type: str) -> str | None:
    """``T`` for ``array<T>``; ``None`` when the type is not an array."""
    if logical_type.startswith("array<") and logical_type.endswith(">"):
        return logical_type[len("array<") : -1]
    return None


def is_struct_like(logical_type: str) -> bool:
    """Whether the type has member fields: a struct, or an array of structs."""
    return logical_type == STRUCT or element_type(logical_type) == STRUCT


@dataclass(frozen=True)
class Field:
    """One field of a payload (or of a struct inside it)."""

    name: str
    type: str
    description: str
    nullable: bool = False
    #: The first schema version whose payloads carry the field.
    since: int = SCHEMA_VERSION
    #: Members of a ``struct`` or of the elements of an ``array<struct>``; none for the
    #: envelope's payload, whose members depend on the event type.
    fields: tuple[Field, ...] = ()
    #: The closed set of a ``string`` field's values (or of an ``array<string>``'s
    #: elements), e.g. an enum or ISO codes; empty when any text goes.
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        element = element_type(self.type)
        if self.type not in (*SCALAR_TYPES, STRUCT) and element not in (*SCALAR_TYPES, STRUCT):
            raise ValueError(f"field {self.name!r} has an unknown logical type {self.type!r}")
        if self.fields and not is_struct_like(self.type):
            raise ValueError(f"field {self.name!r} of type {self.type!r} cannot have members")
        if self.values and STRING not in (self.type, element):
            raise ValueError(f"field {self.name!r} of type {self.type!r} cannot have values")


@dataclass(frozen=True)
class EventContract:
    """The payload of one event type, across schema versions."""

    event_type: str
    description: str
    fields: tuple[Field, ...]

    def payload(self, version: int) -> tuple[Field, ...]:
        """The fields a payload of schema ``version`` carries, in emission order."""
        if version not in SCHEMA_VERSIONS:
            raise ValueError(f"unknown schema version {version!r}; known: {SCHEMA_VERSIONS}")
        return tuple(f for f in self.fields if f.since <= version)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.event_type} has no payload field {name!r}")

    def version_of(self, payload_keys: Container[str]) -> int:
        """The schema version a payload is written in: the newest its fields need.

        ``payload_keys`` is a payload dict or a set of field names.
        """
        return max(
            (f.since for f in self._added_later if f.name in payload_keys), default=SCHEMA_VERSION
        )

    @cached_property
    def _added_later(self) -> tuple[Field, ...]:
        # version_of runs per generated record; most fields need not be looked at.
        return tuple(f for f in self.fields if f.since > SCHEMA_VERSION)


@dataclass(frozen=True)
class StreamContract:
    """One logical stream: its Kafka topic, record key and event types."""

    name: str
    default_topic: str
    #: The payload field whose value (as text) is the Kafka record key, so one
    #: session's / customer's / product's events stay in order on one partition.
    key_field: str
    description: str
    events: tuple[EventContract, ...]

    def __post_init__(self) -> None:
        for event in self.events:
            key = next((f for f in event.fields if f.name == self.key_field), None)
            if key is None or key.nullable:
                raise ValueError(
                    f"stream {self.name!r}: its key field {self.key_field!r} must be a "
                    f"non-nullable payload field of every event type ({event.event_type})"
                )

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(e.event_type for e in self.events)

    def event(self, event_type: str) -> EventContract:
        for e in self.events:
            if e.event_type == event_type:
                return e
        raise KeyError(
            f"stream {self.name!r} has no event type {event_type!r} "
            f"(known: {', '.join(self.event_types)})"
        )
