"""Run history pruning on a real SQLite Dagster instance (the local profile's dagster.yaml).

Runs are made by materializing small in-test assets under Dagster's own ``freeze_time``,
which dates the runs and their events; pruning is then asked about a fixed "now".
"""

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetKey,
    AssetSelection,
    BackfillPolicy,
    DagsterEventType,
    DagsterInstance,
    DagsterRunStatus,
    DailyPartitionsDefinition,
    MaterializeResult,
    asset,
    asset_check,
    job,
    materialize,
    op,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)
from dagster._core.test_utils import freeze_time

from ecommerce_assets.lib.run_history import (
    FinishedRun,
    plan_pruning,
    prune_run_history,
    retention_cutoff,
)
from ecommerce_assets.settings import PROJECT_ROOT

NOW = dt.datetime(2026, 6, 1, 3, 30, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
PARTITIONS = DailyPartitionsDefinition(start_date="2026-01-01")
DAY_1, DAY_2 = "2026-01-01", "2026-01-02"


@asset(partitions_def=PARTITIONS, backfill_policy=BackfillPolicy.single_run())
def daily_table() -> MaterializeResult:
    return MaterializeResult()


@asset
def whole_table() -> MaterializeResult:
    return MaterializeResult()


@asset
def side_table() -> MaterializeResult:
    return MaterializeResult()


@asset_check(asset=whole_table)
def whole_table_ok() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


@asset(deps=[side_table])
def broken_table() -> None:
    raise ValueError("bad data")


@op
def look_around() -> None:
    """A run with nothing to do (like a bronze run that found no records)."""


@job
def nothing_to_do() -> None:
    look_around()


WHOLE_CHECK = AssetCheckKey(AssetKey("whole_table"), "whole_table_ok")


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


def at(days_ago: float) -> object:
    return freeze_time(NOW - days_ago * DAY)


def materialize_at(instance: DagsterInstance, days_ago: float, **kwargs: object) -> str:
    with at(days_ago):
        result = materialize(
            [daily_table, whole_table, whole_table_ok, side_table, broken_table],
            instance=instance,
            raise_on_error=False,
            **kwargs,  # type: ignore[arg-type]
        )
    return result.run_id


def test_cutoff_is_retention_days_before_now() -> None:
    assert retention_cutoff(NOW, 30) == NOW - 30 * DAY
    with pytest.raises(ValueError, match="at least 1"):
        retention_cutoff(NOW, 0)


def test_plan_keeps_recent_runs_and_old_holders_of_latest_events() -> None:
    cutoff = NOW - 30 * DAY
    runs = [
        FinishedRun("old-empty", (NOW - 40 * DAY).timestamp()),
        FinishedRun("old-holder", (NOW - 40 * DAY).timestamp()),
        FinishedRun("recent-empty", (NOW - 29 * DAY).timestamp()),
        FinishedRun("at-cutoff", cutoff.timestamp()),
    ]
    plan = plan_pruning(runs, {"old-holder", "recent-empty"}, cutoff)
    assert plan.delete == ("old-empty",)
    assert plan.kept_latest == ("old-holder",)
    assert plan.recent == 2


def test_pruning_deletes_exactly_the_old_runs_holding_no_latest_event(
    instance: DagsterInstance,
) -> None:
    two_days = materialize_at(
        instance,
        50,
        selection=[daily_table],
        tags={
            ASSET_PARTITION_RANGE_START_TAG: "2026-01-01",
            ASSET_PARTITION_RANGE_END_TAG: "2026-01-02",
        },
    )  # its 2026-01-02 stays the latest
    first_day_again = materialize_at(instance, 45, selection=[daily_table], partition_key=DAY_1)
    first_day_latest = materialize_at(instance, 39, selection=[daily_table], partition_key=DAY_1)
    whole_superseded = materialize_at(instance, 44, selection=[whole_table])  # and its check
    check_only = materialize_at(instance, 42, selection=AssetSelection.checks(whole_table_ok))
    whole_latest = materialize_at(
        instance, 40, selection=AssetSelection.assets(whole_table).without_checks()
    )
    failed = materialize_at(instance, 40, selection=[broken_table])
    failed_after_side = materialize_at(instance, 38, selection=[side_table, broken_table])
    with at(40):
        idle_old = nothing_to_do.execute_in_process(instance=instance).run_id
    with at(29):
        idle_recent = nothing_to_do.execute_in_process(instance=instance).run_id
    statuses = {r.dagster_run.run_id: r.dagster_run.status for r in instance.get_run_records()}
    assert statuses[failed] == statuses[failed_after_side] == DagsterRunStatus.FAILURE

    plan = prune_run_history(instance, now=NOW, retention_days=30, check_keys=[WHOLE_CHECK])

    deleted = {first_day_again, whole_superseded, failed, idle_old}
    holders = {two_days, first_day_latest, check_only, whole_latest, failed_after_side}
    assert set(plan.delete) == deleted
    assert set(plan.kept_latest) == holders
    assert plan.recent == 1
    remaining = {record.dagster_run.run_id for record in instance.get_run_records()}
    assert remaining == holders | {idle_recent}
    # The deleted runs' events are gone from the index too: nothing points at them.
    indexed = {
        record.run_id
        for key in (daily_table.key, whole_table.key, side_table.key)
        for record in instance.fetch_materializations(key, limit=100).records
    }
    assert indexed == holders - {check_only}

    # What the UI shows is unchanged: every partition materialized, the latest
    # materialization and check result where they were.
    assert instance.get_materialized_partitions(AssetKey("daily_table")) == {DAY_1, DAY_2}
    by_partition = instance.event_log_storage.get_latest_storage_id_by_partition(
        AssetKey("daily_table"), DagsterEventType.ASSET_MATERIALIZATION
    )
    assert set(by_partition) == {DAY_1, DAY_2}
    latest_whole = instance.get_latest_materialization_event(AssetKey("whole_table"))
    assert latest_whole is not None
    assert latest_whole.run_id == whole_latest
    checks = instance.event_log_storage.get_latest_asset_check_execution_by_key([WHOLE_CHECK])
    assert checks[WHOLE_CHECK].run_id == check_only


def test_a_deleted_run_leaves_no_files_behind(instance: DagsterInstance) -> None:
    with at(40):
        old = nothing_to_do.execute_in_process(instance=instance).run_id
    storage = instance.event_log_storage
    assert isinstance(storage, SqliteEventLogStorage)
    shard = Path(storage.path_for_shard(old))
    logs = Path(instance.compute_log_manager._base_dir) / old  # type: ignore[attr-defined]
    assert shard.exists()
    assert logs.exists()

    plan = prune_run_history(instance, now=NOW, retention_days=30, check_keys=[])

    assert plan.delete == (old,)
    assert not shard.exists()
    assert not logs.exists()
    assert not [name for name in os.listdir(shard.parent) if name.startswith(old)]


def test_pruning_again_deletes_nothing_more(instance: DagsterInstance) -> None:
    materialize_at(instance, 45, selection=[whole_table])
    latest = materialize_at(instance, 40, selection=[whole_table])

    first = prune_run_history(instance, now=NOW, retention_days=30, check_keys=[WHOLE_CHECK])
    second = prune_run_history(instance, now=NOW, retention_days=30, check_keys=[WHOLE_CHECK])

    assert len(first.delete) == 1
    assert second.delete == ()
    assert second.kept_latest == (latest,)


def test_a_longer_retention_keeps_the_same_runs(instance: DagsterInstance) -> None:
    with at(40):
        nothing_to_do.execute_in_process(instance=instance)

    plan = prune_run_history(instance, now=NOW, retention_days=41, check_keys=[])

    assert plan.delete == ()
    assert plan.recent == 1
