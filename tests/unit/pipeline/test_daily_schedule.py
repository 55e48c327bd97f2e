import datetime as dt
from zoneinfo import ZoneInfo

from dagster import (
    AssetMaterialization,
    DagsterInstance,
    RunRequest,
    SkipReason,
    build_schedule_context,
    instance_for_test,
)

from ecommerce_assets.defs.pipeline.daily_schedule import (
    daily_refresh_schedule,
    last_complete_day,
)
from ecommerce_assets.lib.naming import bronze_key
from ecommerce_assets.settings import get_settings


def test_the_schedule_takes_its_cron_and_time_zone_from_the_settings() -> None:
    settings = get_settings()
    assert daily_refresh_schedule.cron_schedule == settings.daily_refresh_cron == "30 0 * * *"
    assert daily_refresh_schedule.execution_timezone == settings.schedule_timezone == "UTC"
    assert daily_refresh_schedule.job_name == "refresh_days_job"


def test_the_partition_is_the_last_utc_day_that_had_ended() -> None:
    assert last_complete_day(dt.datetime(2026, 12, 2, 0, 30, tzinfo=dt.UTC)) == "2026-12-01"
    # 00:30 in Berlin is still 23:30 UTC on the previous day: that UTC day has not ended.
    berlin = dt.datetime(2026, 12, 2, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert last_complete_day(berlin) == "2026-11-30"
    # 20:00 in New York is already the next UTC day.
    new_york = dt.datetime(2026, 12, 1, 20, 0, tzinfo=ZoneInfo("America/New_York"))
    assert last_complete_day(new_york) == "2026-12-01"


def _tick(instance: DagsterInstance, scheduled: dt.datetime) -> RunRequest | SkipReason:
    context = build_schedule_context(instance=instance, scheduled_execution_time=scheduled)
    result = daily_refresh_schedule(context)
    assert isinstance(result, RunRequest | SkipReason)
    return result


def test_the_schedule_requests_the_previous_day_once_bronze_holds_data() -> None:
    scheduled = dt.datetime(2025, 9, 4, 0, 30, tzinfo=dt.UTC)
    with instance_for_test() as instance:
        empty = _tick(instance, scheduled)
        assert isinstance(empty, SkipReason)
        assert "never been materialized" in (empty.skip_message or "")

        instance.report_runless_asset_event(AssetMaterialization(bronze_key("orders")))
        request = _tick(instance, scheduled)
    assert isinstance(request, RunRequest)
    assert request.partition_key == "2025-09-03"
    assert request.run_key == "daily:2025-09-03"


def test_days_before_the_first_partition_are_skipped() -> None:
    scheduled = dt.datetime(2024, 1, 1, 0, 30, tzinfo=dt.UTC)
    with instance_for_test() as instance:
        result = _tick(instance, scheduled)
    assert isinstance(result, SkipReason)
    assert "before the first partition" in (result.skip_message or "")
