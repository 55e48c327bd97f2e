"""``silver.payments``: every payment attempt: captured, declined or refunded."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.silver.columns import Column
from streaming.silver.events import EventGroup, event_table, valid
from streaming.silver.rules import Rule

_TYPES = ("payment_captured", "payment_declined", "payment_refunded")
#: Event type -> status, in the words an analyst filters by.
STATUSES = {"payment_captured": "captured", "payment_declined": "declined",
            "payment_refunded": "refunded"}  # fmt: skip

EVENTS = EventGroup(
    "payments",
    _TYPES,
    rules=(
        Rule(
            "nonpositive_amount",
            "a captured, attempted or refunded amount is 0 or less",
            _TYPES,
            lambda: F.col("amount") <= 0,
        ),
    ),
    descriptions={
        "order_id": "The order (a UUID); null for a declined attempt at an abandoned checkout.",
        "amount": "Amount charged, attempted or refunded, EUR; null for a declined attempt "
        "at an abandoned checkout.",
        "decline_reason": "Why a declined attempt failed; null otherwise.",
        "refund_reason": "cancellation or return, for a refund; null otherwise.",
    },
)

TABLE = event_table(
    "payments",
    "Payment attempts: captures (one per order), declines (with reason) and refunds (with "
    "reason); partitioned by day.",
    EVENTS,
    key=("event_id",),
    derived=(Column("status", "STRING", "captured, declined or refunded."),),
)


def rows(events: DataFrame) -> DataFrame:
    status = F.lit(None).cast("string")
    for event_type, name in STATUSES.items():
        status = F.when(F.col("event_type") == event_type, F.lit(name)).otherwise(status)
    return TABLE.select(valid(events).withColumn("status", status))
