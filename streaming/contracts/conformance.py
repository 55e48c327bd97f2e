"""Does a parsed record keep the contract? Every difference, named precisely.

Strict on purpose: the envelope and each payload (and each struct inside it) must have
exactly the contract's fields for the event type and schema version, every field
present (a nullable one as JSON null), each value of its logical type. A generator
field renamed without the contract shows up here as one missing and one extra field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from streaming.contracts.envelope import ENVELOPE, ENVELOPE_FIELDS
from streaming.contracts.registry import stream_contract
from streaming.contracts.types import (
    BOOLEAN,
    DATE,
    INT,
    MONEY,
    STRING,
    STRUCT,
    TIMESTAMP,
    Field,
    element_type,
)
from streaming.contracts.versions import SCHEMA_VERSIONS

_INT_RANGE = (-(2**31), 2**31 - 1)
_MONEY_LIMIT = Decimal(10) ** 10  # decimal(12,2): ten digits before the point
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class Violation:
    """One way a record breaks the contract."""

    stream: str
    #: None when the record has no usable event type.
    event_type: str | None
    #: Dotted path: ``payload.items[0].unit_price``, or an envelope field.
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.stream}/{self.event_type or '?'}: {self.field}: {self.problem}"


def _scalar_problem(logical_type: str, value: Any) -> str | None:
    if logical_type == STRING:
        return None if isinstance(value, str) else "is not a string"
    if logical_type == BOOLEAN:
        return None if isinstance(value, bool) else "is not a boolean"
    if logical_type == INT:
        if isinstance(value, bool) or not isinstance(value, int):
            return "is not an integer"
        return None if _INT_RANGE[0] <= value <= _INT_RANGE[1] else "is out of int range"
    if logical_type == MONEY:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return "is not a JSON number"
        # repr is the shortest text that reads back as the double, i.e. what the JSON said.
        amount = Decimal(repr(value))
        exponent = amount.as_tuple().exponent
        if not isinstance(exponent, int) or exponent < -2:
            return f"has more than 2 decimals ({value!r})"
        return None if abs(amount) < _MONEY_LIMIT else f"does not fit decimal(12,2) ({value!r})"
    if logical_type == DATE:
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            return f"is not a YYYY-MM-DD date ({value!r})"
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"is not a valid date ({value!r})"
        return None
    if logical_type == TIMESTAMP:
        if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
            return f"is not an ISO-8601 timestamp with a zone ({value!r})"
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            return f"is not a valid timestamp ({value!r})"
        return None
    raise ValueError(f"no check for logical type {logical_type!r}")


def _value_problems(field: Field, value: Any, path: str) -> list[tuple[str, str]]:
    """(path, problem) for one non-null value of ``field``."""
    element = element_type(field.type)
    if element is not None:
        if not isinstance(value, list):
            return [(path, f"is not an array (expected {field.type})")]
        out: list[tuple[str, str]] = []
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if item is None:
                out.append((where, "is null (array elements are never null)"))
            elif element == STRUCT:
                out += _object_problems(field.fields, item, where)
            elif problem := _scalar_problem(element, item) or _outside_values(field, item):
                out.append((where, problem))
        return out
    if field.type == STRUCT:
        return _object_problems(field.fields, value, path)
    problem = _scalar_problem(field.type, value) or _outside_values(field, value)
    return [] if problem is None else [(path, problem)]


def _outside_values(field: Field, value: Any) -> str | None:
    if not field.values or value in field.values:
        return None
    return f"{value!r} is not one of {', '.join(field.values)}"


def _object_problems(fields: tuple[Field, ...], value: Any, path: str) -> list[tuple[str, str]]:
    if not isinstance(value, Mapping):
        return [(path, "is not a JSON object")]
    out: list[tuple[str, str]] = []
    expected = {f.name: f for f in fields}
    for name in value:
        if name not in expected:
            out.append((f"{path}.{name}", "is not in the contract (extra field)"))
    for name, field in expected.items():
        where = f"{path}.{name}"
        if name not in value:
            out.append((where, f"is missing ({field.type}, since v{field.since})"))
        elif value[name] is None:
            if not field.nullable:
                out.append((where, "is null but not nullable"))
        else:
            out += _value_problems(field, value[name], where)
    return out


def _envelope_problems(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = [(name, "is not an envelope field") for name in record if name not in ENVELOPE_FIELDS]
    for field in ENVELOPE:
        if field.name not in record:
            out.append((field.name, "is missing"))
        elif record[field.name] is None:
            out.append((field.name, "is null"))
        elif field.type == STRUCT:
            # The payload's members depend on the event type; checked on their own.
            if not isinstance(record[field.name], Mapping):
                out.append((field.name, "is not a JSON object"))
        elif (problem := _scalar_problem(field.type, record[field.name])) is not None:
            out.append((field.name, problem))
    return out


def check_record(record: Any, stream: str, key: str | None = None) -> list[Violation]:
    """Every way a parsed record of ``stream`` breaks the contract (empty: it conforms).

    ``key``, when given, is the record's Kafka key; it must be the payload's key field.
    """
    contract = stream_contract(stream)
    if not isinstance(record, Mapping):
        return [Violation(stream, None, "record", "is not a JSON object")]
    problems = _envelope_problems(record)
    event_type, version = record.get("type"), record.get("schema_version")
    payload = record.get("payload")
    known = event_type in contract.event_types
    if isinstance(event_type, str) and not known:
        known_types = ", ".join(contract.event_types)
        problems.append(("type", f"{event_type!r} is not a {stream} event ({known_types})"))
    if isinstance(version, int) and version not in SCHEMA_VERSIONS:
        problems.append(("schema_version", f"{version} is not one of {SCHEMA_VERSIONS}"))
    elif known and isinstance(version, int) and isinstance(payload, Mapping):
        event = contract.event(event_type)
        problems += _object_problems(event.payload(version), payload, "payload")
        value = payload.get(contract.key_field)
        if key is not None and value is not None and str(value) != key:
            where = f"payload.{contract.key_field}"
            problems.append((where, f"is {value!r} but the record key is {key!r}"))
    reported_type = event_type if known else None
    return [Violation(stream, reported_type, where, what) for where, what in problems]
