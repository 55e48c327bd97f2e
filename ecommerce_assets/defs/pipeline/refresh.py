"""``refresh_days_job`` and ``refresh_touched_days_sensor``: new and late data flow on.

Bronze is one unpartitioned streaming table per stream; each bronze run reports the
event days it appended to (``touched_event_days``). Every 30 s the sensor reads the
bronze materializations it has not seen, and for each day some bronze run touched after
that day's last rebuild, launches ``refresh_days_job``: silver (one Spark job) then
gold (dbt) for exactly those days, as one run per run of consecutive days. Untouched
history is never rebuilt; the non-partitioned models (dimensions, marts) are rebuilt
after the facts in the same run.

Days already rebuilt after the touch (by ``lakehouse run``, a backfill, the schedule)
are skipped, so the sensor can start late or from no cursor without redoing work. A
bronze run still in progress holds back its touches until it ends.
"""

from __future__ import annotations

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterEventType,
    DagsterInstance,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    in_process_executor,
    sensor,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from ecommerce_assets.defs.gold.assets import gold_by_day
from ecommerce_assets.defs.gold.job import gold_job
from ecommerce_assets.defs.silver.job import silver_job
from ecommerce_assets.defs.silver.layer import silver_layer
from ecommerce_assets.lib.naming import STREAMS, bronze_key
from ecommerce_assets.lib.partitions import DAILY_PARTITIONS
from ecommerce_assets.lib.touched_days import (
    DayRange,
    Touch,
    consecutive_ranges,
    last_touch_by_day,
    pending_days,
    settled,
)

TOUCHED_DAYS = "touched_event_days"

refresh_days_job = define_asset_job(
    "refresh_days_job",
    selection=silver_job.selection | gold_job.selection,
    description="Rebuild the selected days in silver (Spark) and gold (dbt on Trino), "
    "every check included; the non-partitioned gold models are rebuilt after the facts.",
    # One process: silver's Spark session and dbt's steps one after the other.
    executor_def=in_process_executor,
)

#: The partitioned tables a day's rebuild writes: a day is done when all of them have it.
REBUILT_KEYS: tuple[AssetKey, ...] = tuple(
    sorted({*silver_layer.keys, *gold_by_day.keys}, key=lambda k: k.to_user_string())
)


def bronze_touches(instance: DagsterInstance, after_storage_id: int | None) -> list[Touch]:
    """Every bronze materialization after ``after_storage_id``, with the days it touched."""
    touches = []
    for stream in STREAMS:
        cursor = None
        while True:
            page = instance.fetch_materializations(
                AssetRecordsFilter(asset_key=bronze_key(stream), after_storage_id=after_storage_id),
                limit=500,
                cursor=cursor,
                ascending=True,
            )
            for record in page.records:
                materialization = record.asset_materialization
                assert materialization is not None
                days = materialization.metadata.get(TOUCHED_DAYS)
                touches.append(
                    Touch(
                        storage_id=record.storage_id,
                        run_id=record.run_id,
                        days=tuple(days.value) if days is not None else (),  # type: ignore[arg-type]
                    )
                )
            if not page.has_more:
                break
            cursor = page.cursor
    return touches


def rebuilt_days(instance: DagsterInstance, days: set[str]) -> list[dict[str, int]]:
    """Per rebuilt table: each of ``days``' latest materialization (its storage id)."""
    return [
        dict(
            instance.get_latest_storage_id_by_partition(
                key, DagsterEventType.ASSET_MATERIALIZATION, partitions=days
            )
        )
        for key in REBUILT_KEYS
    ]


def run_request(days: DayRange, batch: str) -> RunRequest:
    """One run for consecutive days: a partition, or a range (one Spark and dbt run)."""
    run_key = f"refresh:{batch}:{days}"
    if days.start == days.end:
        return RunRequest(run_key=run_key, partition_key=days.start)
    return RunRequest(
        run_key=run_key,
        tags={ASSET_PARTITION_RANGE_START_TAG: days.start, ASSET_PARTITION_RANGE_END_TAG: days.end},
    )


@sensor(
    job=refresh_days_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Rebuilds in silver and gold exactly the event days bronze runs touched "
    "(late data included), one run per run of consecutive days.",
)
def refresh_touched_days_sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    instance = context.instance
    after = int(context.cursor) if context.cursor else None
    touches = bronze_touches(instance, after)
    if not touches:
        return SkipReason("no bronze materialization since the last tick")
    # A materialization reported without a run (e.g. `report_runless_asset_event`) is
    # settled as soon as it is recorded.
    finished = {
        run_id: not run_id or bool((run := instance.get_run_by_id(run_id)) and run.is_finished)
        for run_id in {t.run_id for t in touches}
    }
    ready = settled(touches, finished)
    if not ready:
        return SkipReason(f"waiting for bronze run {touches[0].run_id} to finish")
    cursor = str(ready[-1].storage_id)
    valid = set(DAILY_PARTITIONS.get_partition_keys())
    touched = last_touch_by_day(ready, valid)
    outside = sorted({d for t in ready for d in t.days} - valid)
    if outside:
        context.log.warning(f"touched days outside the daily partitions, not rebuilt: {outside}")
    pending = pending_days(touched, rebuilt_days(instance, set(touched)))
    if not pending:
        return SensorResult(
            skip_reason=f"the {len(touched)} touched days are already rebuilt", cursor=cursor
        )
    ranges = consecutive_ranges(pending)
    context.log.info(f"rebuilding {', '.join(map(str, ranges))} in silver and gold")
    batch = f"{ready[0].storage_id}-{ready[-1].storage_id}"
    return SensorResult(run_requests=[run_request(r, batch) for r in ranges], cursor=cursor)
