"""``silver.customers``: every version of every customer profile.

One row per ``customer_created`` and per ``customer_updated`` (the full new profile and
what changed), so the gold SCD2 dimension can be rebuilt from event times alone.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.silver.events import EventGroup, event_table, valid
from streaming.silver.rules import Rule

_TYPES = ("customer_created", "customer_updated")
#: Deliberately loose (one @, a dot in the domain, no spaces): it catches broken
#: values, not unusual but valid addresses.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

EVENTS = EventGroup(
    "customers",
    _TYPES,
    rules=(
        Rule(
            "invalid_email",
            "email is not an address (one @, a domain with a dot, no spaces)",
            _TYPES,
            lambda: ~F.col("email").rlike(EMAIL_PATTERN),
        ),
        Rule(
            "no_changes",
            "an update names no changed field",
            ("customer_updated",),
            lambda: F.size("changed_fields") == 0,
        ),
    ),
    descriptions={
        "changed_fields": "What changed: loyalty_tier, address, email and/or "
        "marketing_opt_in; null for customer_created (the first version).",
    },
)

TABLE = event_table(
    "customers",
    "Every version of every customer profile (sign-up, then each change, with what "
    "changed), for the SCD2 dimension; partitioned by the day of the change.",
    EVENTS,
    key=("event_id",),
)


def rows(events: DataFrame) -> DataFrame:
    return TABLE.select(valid(events))
