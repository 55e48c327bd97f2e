"""``daily_refresh_schedule``: once a day, rebuild the last complete day in silver and gold.

The sensor already rebuilds each day as data arrives; this run is the day's final
build after the day has ended: the whole-table gold models and tests see the complete
day, and a day whose refresh failed gets a second run without anyone acting. The cron
and its time zone come from the settings (``daily_refresh_cron``,
``schedule_timezone``); the partition is the last UTC event day that had ended at the
scheduled time, whatever the time zone (partitions are UTC days).
"""

from __future__ import annotations

import datetime as dt

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from ecommerce_assets.defs.pipeline.refresh import refresh_days_job
from ecommerce_assets.lib.naming import STREAMS, bronze_key
from ecommerce_assets.settings import get_settings

_settings = get_settings()


def last_complete_day(scheduled: dt.datetime) -> str:
    """The UTC day before the one ``scheduled`` falls in (a time zone-aware time)."""
    return (scheduled.astimezone(dt.UTC).date() - dt.timedelta(days=1)).isoformat()


@schedule(
    job=refresh_days_job,
    cron_schedule=_settings.daily_refresh_cron,
    execution_timezone=_settings.schedule_timezone,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Rebuild the last complete UTC day in silver and gold, checks included.",
)
def daily_refresh_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    day = last_complete_day(context.scheduled_execution_time)
    if day < _settings.partitions_start_date.isoformat():
        return SkipReason(
            f"{day} is before the first partition ({_settings.partitions_start_date})"
        )
    if not any(context.instance.get_latest_materialization_event(bronze_key(s)) for s in STREAMS):
        return SkipReason("bronze has never been materialized: nothing to rebuild yet")
    return RunRequest(run_key=f"daily:{day}", partition_key=day)
