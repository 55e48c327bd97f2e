"""``run_history_pruning_job`` and its schedule, from the real code location.

The job runs in process on a SQLite instance made from the local profile's dagster.yaml;
older runs are dated with Dagster's own ``freeze_time``. lib/run_history.py's tests
cover the selection in detail; these show the job wires it to the settings and to the
code location's checks.
"""

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetKey,
    AssetSelection,
    DagsterInstance,
    DefaultScheduleStatus,
    MaterializeResult,
    asset,
    asset_check,
    job,
    materialize,
    op,
)
from dagster._core.test_utils import freeze_time

from ecommerce_assets.definitions import defs
from ecommerce_assets.settings import PROJECT_ROOT, SettingsError, load_settings

#: A code location check: its latest result must keep its run.
ROUND_TRIP = AssetKey(["platform", "round_trip"])


@asset(key=ROUND_TRIP)
def round_trip_stand_in() -> MaterializeResult:
    return MaterializeResult()


@asset_check(asset=ROUND_TRIP, name="trino_sees_both_writers")
def check_stand_in() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


@op
def idle() -> None:
    pass


@job
def idle_job() -> None:
    idle()


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


def days_ago(days: int) -> object:
    return freeze_time(dt.datetime.now(dt.UTC) - dt.timedelta(days=days))


def test_the_schedule_runs_the_job_nightly_in_the_settings_time_zone() -> None:
    schedule = defs.resolve_schedule_def("run_history_pruning_schedule")
    assert schedule.job_name == "run_history_pruning_job"
    assert schedule.cron_schedule == "30 3 * * *"
    assert schedule.execution_timezone == load_settings().schedule_timezone
    assert schedule.default_status == DefaultScheduleStatus.RUNNING


def test_the_job_deletes_old_runs_but_not_the_latest_check_result(
    instance: DagsterInstance,
) -> None:
    assert load_settings().dagster_run_retention_days == 30
    with days_ago(40):
        idle_old = idle_job.execute_in_process(instance=instance).run_id
        checked = materialize([round_trip_stand_in, check_stand_in], instance=instance).run_id
    with days_ago(35):
        rebuilt = materialize(
            [round_trip_stand_in, check_stand_in],
            selection=AssetSelection.assets(ROUND_TRIP).without_checks(),
            instance=instance,
        ).run_id
    with days_ago(29):
        idle_recent = idle_job.execute_in_process(instance=instance).run_id

    result = defs.get_job_def("run_history_pruning_job").execute_in_process(instance=instance)

    assert result.success
    output = next(e for e in result.all_events if e.event_type_value == "STEP_OUTPUT")
    assert output.step_key == "prune_run_history"
    counts = {k: v.value for k, v in output.step_output_data.metadata.items()}
    assert counts == {
        "deleted_runs": 1,
        "kept_holding_latest": 2,
        "kept_recent": 1,
        "retention_days": 30,
    }
    remaining = {record.dagster_run.run_id for record in instance.get_run_records()}
    assert remaining == {checked, rebuilt, idle_recent, result.run_id}
    assert idle_old not in remaining


def test_a_retention_below_one_day_is_refused_naming_the_setting() -> None:
    with pytest.raises(SettingsError, match="LAKEHOUSE_DAGSTER_RUN_RETENTION_DAYS"):
        load_settings(dagster_run_retention_days=0)
    assert load_settings(dagster_run_retention_days=1).dagster_run_retention_days == 1
