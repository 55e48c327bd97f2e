"""The refresh sensor on a real (SQLite) Dagster instance: what bronze reported decides
which days are rebuilt, and days rebuilt since are not asked for again."""

from collections.abc import Iterator

import pytest
from dagster import (
    AssetKey,
    AssetMaterialization,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    EventLogEntry,
    RunRequest,
    SensorResult,
    SkipReason,
    build_sensor_context,
    instance_for_test,
)
from dagster._core.events import StepMaterializationData
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)
from dagster._core.test_utils import create_run_for_test

from ecommerce_assets.defs.pipeline.refresh import REBUILT_KEYS, refresh_touched_days_sensor
from ecommerce_assets.lib.naming import bronze_key


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as instance:
        yield instance


def touch(instance: DagsterInstance, stream: str, days: list[str]) -> None:
    instance.report_runless_asset_event(
        AssetMaterialization(bronze_key(stream), metadata={"touched_event_days": days})
    )


def rebuild(instance: DagsterInstance, day: str, keys: tuple[AssetKey, ...] = REBUILT_KEYS) -> None:
    for key in keys:
        instance.report_runless_asset_event(AssetMaterialization(key, partition=day))


def tick(instance: DagsterInstance, cursor: str | None) -> SensorResult | SkipReason:
    result = refresh_touched_days_sensor(build_sensor_context(instance=instance, cursor=cursor))
    assert isinstance(result, SensorResult | SkipReason)
    return result


def requested(result: SensorResult | SkipReason) -> list[str]:
    """Each run request as its day or range of days."""
    assert isinstance(result, SensorResult)
    shown = []
    for request in result.run_requests or []:
        assert isinstance(request, RunRequest)
        if request.partition_key:
            shown.append(request.partition_key)
        else:
            start = request.tags[ASSET_PARTITION_RANGE_START_TAG]
            shown.append(f"{start}..{request.tags[ASSET_PARTITION_RANGE_END_TAG]}")
    return shown


def test_rebuilt_tables_are_every_silver_table_and_the_gold_facts() -> None:
    names = {k.to_user_string() for k in REBUILT_KEYS}
    assert {"silver/orders", "silver/sessions", "silver/quarantine"} <= names
    assert {"gold/fct_orders", "gold/fct_order_items", "gold/fct_payments"} <= names
    assert {"gold/fct_sessions"} <= names
    assert not any(n.startswith(("bronze/", "staging/")) or "daily_sales" in n for n in names)


def test_touched_days_become_one_run_per_run_of_consecutive_days(
    instance: DagsterInstance,
) -> None:
    touch(instance, "orders", ["2025-09-02", "2025-09-03"])
    touch(instance, "clickstream", ["2025-09-03", "2025-09-04", "2025-09-07"])
    result = tick(instance, None)
    assert requested(result) == ["2025-09-02..2025-09-04", "2025-09-07"]
    assert isinstance(result, SensorResult) and result.cursor

    # Nothing new: nothing asked again.
    again = tick(instance, result.cursor)
    assert isinstance(again, SkipReason)


def test_late_records_rebuild_exactly_their_day(instance: DagsterInstance) -> None:
    touch(instance, "orders", ["2025-09-01", "2025-09-02", "2025-09-03"])
    first = tick(instance, None)
    assert isinstance(first, SensorResult)
    for day in ("2025-09-01", "2025-09-02", "2025-09-03"):
        rebuild(instance, day)

    # Late orders of 09-01 arrive: only that day is rebuilt, not 09-02 or 09-03.
    touch(instance, "orders", ["2025-09-01"])
    late = tick(instance, first.cursor)
    assert requested(late) == ["2025-09-01"]


def test_days_already_rebuilt_after_the_touch_are_skipped(instance: DagsterInstance) -> None:
    touch(instance, "orders", ["2025-09-01", "2025-09-02"])
    # e.g. `lakehouse run` rebuilt both days before the sensor first ticked; 09-02 only
    # in silver so far.
    rebuild(instance, "2025-09-01")
    rebuild(instance, "2025-09-02", tuple(k for k in REBUILT_KEYS if k.path[0] == "silver"))
    assert requested(tick(instance, None)) == ["2025-09-02"]


def test_days_outside_the_partitions_are_not_requested(instance: DagsterInstance) -> None:
    touch(instance, "orders", ["1999-12-31", "2025-09-01", "2999-01-01"])
    assert requested(tick(instance, None)) == ["2025-09-01"]


def test_a_bronze_run_in_progress_holds_its_touches_back(instance: DagsterInstance) -> None:
    touch(instance, "orders", ["2025-09-01"])
    running = create_run_for_test(instance, job_name="bronze_ingest_job")
    instance.event_log_storage.store_event(_materialization_in(running.run_id, ["2025-09-05"]))
    result = tick(instance, None)
    # Only the settled touch: the running one's day waits, and the cursor stops before it.
    assert requested(result) == ["2025-09-01"]
    assert isinstance(result, SensorResult) and result.cursor
    waiting = tick(instance, result.cursor)
    assert isinstance(waiting, SkipReason)
    assert running.run_id in (waiting.skip_message or "")


def _materialization_in(run_id: str, days: list[str]) -> EventLogEntry:
    """A bronze materialization as a running run's step records it."""
    materialization = AssetMaterialization(
        bronze_key("orders"), metadata={"touched_event_days": days}
    )
    return EventLogEntry(
        error_info=None,
        level="debug",
        user_message="",
        run_id=run_id,
        timestamp=0.0,
        dagster_event=DagsterEvent(
            DagsterEventType.ASSET_MATERIALIZATION.value,
            "bronze_ingest_job",
            event_specific_data=StepMaterializationData(materialization),
        ),
    )
