"""The one daily partitions definition silver (and gold) share: UTC event days."""

from __future__ import annotations

import datetime as dt

from dagster import DailyPartitionsDefinition, PartitionKeyRange

from ecommerce_assets.settings import get_settings
from streaming.silver.days import DayRange

#: ``end_offset=1``: today is a partition too, so streaming data of today can be built
#: (by default the last partition is yesterday's).
DAILY_PARTITIONS = DailyPartitionsDefinition(
    start_date=get_settings().partitions_start_date.isoformat(), end_offset=1, timezone="UTC"
)


def day_range(keys: PartitionKeyRange) -> DayRange:
    """The UTC days of a run's partition key range (one day or a backfill's range)."""
    return DayRange.inclusive(dt.date.fromisoformat(keys.start), dt.date.fromisoformat(keys.end))
