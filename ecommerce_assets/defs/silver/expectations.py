"""Great Expectations suites of the silver tables, next to the asset they guard.

Most expectations follow from what the tables already declare, so they cannot drift
from the code: the envelope and key columns are never null, the key is unique, a
column with a closed set of values (from the event contract) stays in it, money is
never negative, and every row lies in the days the run built. ``EXTRA`` adds what a
table knows beyond that (formats, ranges, derived columns).

``great_expectations`` is imported only when a suite runs: importing it takes seconds,
and the code location loads without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from ecommerce_assets.lib.expectations import Validation, validate
from streaming.silver import customers, order_items, orders, quarantine, sessions
from streaming.silver.columns import ENVELOPE_COLUMNS
from streaming.silver.days import DayRange
from streaming.silver.layer import EVENT_TABLES
from streaming.silver.table import SilverTable

_EVENT_GROUPS = {m.TABLE.identifier: m.EVENTS for ms in EVENT_TABLES.values() for m in ms}
_ENVELOPE = tuple(c.name for c in ENVELOPE_COLUMNS)


def _extra(gxe: Any) -> dict[str, Callable[[], list[Any]]]:
    return {
        orders.TABLE.identifier: lambda: [
            gxe.ExpectColumnValuesToBeBetween(column="line_count", min_value=1),
            gxe.ExpectColumnValuesToBeBetween(column="unit_count", min_value=1),
            gxe.ExpectColumnValuesToMatchRegex(column="currency", regex=r"^[A-Z]{3}$"),
            gxe.ExpectColumnValuesToMatchRegex(
                column="shipping_address_country", regex=r"^[A-Z]{2}$"
            ),
        ],
        order_items.TABLE.identifier: lambda: (
            [
                gxe.ExpectColumnValuesToNotBeNull(column=c)
                for c in ("order_id", "line_number", "product_id", "quantity", "unit_price")
            ]
            + [
                gxe.ExpectColumnValuesToBeBetween(column="quantity", min_value=1),
                gxe.ExpectColumnValuesToBeBetween(column="line_number", min_value=1),
            ]
        ),
        customers.TABLE.identifier: lambda: [
            gxe.ExpectColumnValuesToMatchRegex(column="email", regex=customers.EMAIL_PATTERN),
            gxe.ExpectColumnValuesToMatchRegex(column="address_country", regex=r"^[A-Z]{2}$"),
        ],
        sessions.TABLE.identifier: lambda: (
            [
                gxe.ExpectColumnValuesToNotBeNull(column=c)
                for c in ("session_id", "session_start", "session_end", "channel", "device")
            ]
            + [
                gxe.ExpectColumnValuesToBeBetween(column="duration_s", min_value=0),
                gxe.ExpectColumnValuesToBeBetween(column="event_count", min_value=1),
            ]
        ),
        quarantine.TABLE.identifier: lambda: [
            gxe.ExpectColumnValuesToNotBeNull(column=c)
            for c in ("source_table", "event_id", "rule", "raw_value")
        ],
    }


def expectations(table: SilverTable, days: DayRange) -> list[Any]:
    """The suite of ``table`` for the rows of ``days``."""
    import great_expectations.expectations as gxe

    names = set(table.column_names)
    suite: list[Any] = []
    group = _EVENT_GROUPS.get(table.identifier)
    required = [c for c in _ENVELOPE if c in names]
    if group is not None:
        # Required in every event type of the table since the first schema version.
        required += [
            p.column.name
            for p in group.payload
            if not p.field.nullable and p.field.since == 1 and p.column.name in names
        ]
    for column in dict.fromkeys([*table.key, *required]):
        suite.append(gxe.ExpectColumnValuesToNotBeNull(column=column))
    if len(table.key) == 1:
        suite.append(gxe.ExpectColumnValuesToBeUnique(column=table.key[0]))
    else:
        suite.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(table.key)))
    if group is not None:
        for p in group.payload:
            if p.field.values and p.field.type == "string" and p.column.name in names:
                suite.append(
                    gxe.ExpectColumnValuesToBeInSet(
                        column=p.column.name, value_set=list(p.field.values)
                    )
                )
        suite.append(
            gxe.ExpectColumnValuesToBeInSet(column="event_type", value_set=list(group.event_types))
        )
    for column in table.columns:
        if column.type.upper() == "DECIMAL(12,2)":
            suite.append(gxe.ExpectColumnValuesToBeBetween(column=column.name, min_value=0))
    last = days.end - dt.timedelta(days=1)
    suite.append(
        gxe.ExpectColumnValuesToBeBetween(
            column="event_date", min_value=days.start.isoformat(), max_value=last.isoformat()
        )
    )
    suite += _extra(gxe).get(table.identifier, list)()
    return suite


def validate_table(spark: SparkSession, table: SilverTable, days: DayRange) -> Validation:
    rows = spark.table(table.identifier).where(days.contains(F.col("event_date"))).cache()
    try:
        return validate(rows, f"silver_{table.name}", expectations(table, days))
    finally:
        rows.unpersist()
