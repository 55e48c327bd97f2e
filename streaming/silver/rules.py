"""Business rules: a record that breaks one goes to ``silver.quarantine``, not silver.

A rule names what is wrong and applies to some event types. Its condition is built
lazily (a Spark Column needs a running session) over the typed, flattened columns.
Beside each table's own rules, every event gets the contract's: its schema version is
known, its required fields are there (a field of the wrong type reads as null) and a
value from a closed set is in that set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyspark.sql import Column
from pyspark.sql import functions as F

from streaming.contracts import SCHEMA_VERSIONS, Field, event_contract
from streaming.silver.columns import PayloadColumn

UNKNOWN_EVENT_TYPE = "unknown_event_type"
UNKNOWN_SCHEMA_VERSION = "unknown_schema_version"


@dataclass(frozen=True)
class Rule:
    #: What is wrong, as the quarantine's ``rule`` says it, e.g. ``order_total_mismatch``.
    name: str
    description: str
    #: Event types the rule applies to.
    event_types: tuple[str, ...]
    #: True for a row that breaks the rule (null counts as kept).
    broken: Callable[[], Column]

    def failed(self) -> Column:
        applies = F.col("event_type").isin(*self.event_types)
        return F.when(applies & F.coalesce(self.broken(), F.lit(False)), F.lit(self.name))


def contract_rules(event_types: Sequence[str], columns: Sequence[PayloadColumn]) -> list[Rule]:
    """The rules the event contract implies for these event types' payload columns."""
    rules = [
        Rule(
            UNKNOWN_SCHEMA_VERSION,
            f"schema_version is not one of {SCHEMA_VERSIONS}",
            tuple(event_types),
            lambda: ~F.col("schema_version").isin(*SCHEMA_VERSIONS),
        )
    ]
    for payload_column in columns:
        name, field, path = payload_column.column.name, payload_column.field, payload_column.path
        # Event type -> the first schema version whose payloads must carry the field.
        since = {t: v for t in event_types if (v := _required_since(t, path)) is not None}
        if since:
            rules.append(
                Rule(
                    f"missing_{name}",
                    f"{name} is required (it is null, absent or not of type {field.type})",
                    tuple(since),
                    _null_from(name, since),
                )
            )
        # Event type -> the closed set of the field's values there (reasons differ by type).
        allowed = {t: v for t in event_types if (v := _values(t, path))}
        if allowed:
            rules.append(
                Rule(
                    f"invalid_{name}",
                    f"{name} is not one of its allowed values: {field.description}",
                    tuple(allowed),
                    _outside(name, allowed, is_array=field.type.startswith("array<")),
                )
            )
    return rules


def _values(event_type: str, path: tuple[str, ...]) -> tuple[str, ...]:
    fields: tuple[Field, ...] = event_contract(event_type).fields
    field = None
    for part in path:
        field = next((f for f in fields if f.name == part), None)
        if field is None:
            return ()
        fields = field.fields
    return field.values if field is not None else ()


def _required_since(event_type: str, path: tuple[str, ...]) -> int | None:
    """The version from which ``path`` is required in the event type; None if never.

    A struct member is required where it and every struct above it are.
    """
    fields, since = event_contract(event_type).fields, 0
    for part in path:
        field = next((f for f in fields if f.name == part), None)
        if field is None or field.nullable:
            return None
        fields, since = field.fields, max(since, field.since)
    return since


def _null_from(name: str, since: dict[str, int]) -> Callable[[], Column]:
    def broken() -> Column:
        due = F.lit(False)
        for event_type, version in since.items():
            due = F.when(
                F.col("event_type") == event_type, F.col("schema_version") >= version
            ).otherwise(due)
        return due & F.col(name).isNull()

    return broken


def _outside(
    name: str, allowed: dict[str, tuple[str, ...]], *, is_array: bool
) -> Callable[[], Column]:
    def broken() -> Column:
        outside = F.lit(False)
        for event_type, values in allowed.items():
            bad = F.exists(F.col(name), _not_in(values)) if is_array else ~F.col(name).isin(*values)
            outside = F.when(F.col("event_type") == event_type, bad).otherwise(outside)
        return outside

    return broken


def _not_in(values: tuple[str, ...]) -> Callable[[Column], Column]:
    # Spark passes an element index to a lambda of two parameters: no default argument.
    return lambda v: ~v.isin(*values)


def failed_rules(rules: Sequence[Rule]) -> Column:
    """The names of the rules a row breaks, in the rules' order (empty: it is valid)."""
    if not rules:
        return F.array().cast("array<string>")
    return F.filter(F.array(*[r.failed() for r in rules]), lambda name: name.isNotNull())
