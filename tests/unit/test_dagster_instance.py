"""The Dagster instances of the local (dagster.yaml) and compose (docker/dagster.yaml) profiles.

The local file is loaded into a real SQLite instance; the compose file is validated by
Dagster's own instance config loader, which checks the schema without connecting to
PostgreSQL (no server runs here).
"""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import DagsterInstance, DagsterRunStatus, asset, materialize
from dagster._config import process_config
from dagster._core.definitions.run_request import InstigatorType
from dagster._core.instance.config import (
    PoolGranularity,
    dagster_instance_config,
    dagster_instance_config_schema,
)
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.scheduler.instigation import TickStatus
from dagster._core.storage.tags import WILL_RETRY_TAG
from dagster._core.test_utils import create_run_for_test

from ecommerce_assets.lib.local_run_launcher import LocalRunLauncher
from ecommerce_assets.settings import PROJECT_ROOT

LOCAL = PROJECT_ROOT / "dagster.yaml"
COMPOSE = PROJECT_ROOT / "docker" / "dagster.yaml"
COMPOSE_FILE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
#: What both profiles must agree on; storage and launcher are what compose overrides.
SHARED_BLOCKS = ("concurrency", "run_monitoring", "run_retries", "retention", "telemetry")
LAYER_POOLS = ("lakehouse_bronze", "lakehouse_silver", "lakehouse_gold")


@pytest.fixture
def local_instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    shutil.copyfile(LOCAL, tmp_path / "dagster.yaml")
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


@pytest.fixture
def compose_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for name, value in COMPOSE_FILE["x-lakehouse-env"].items():
        if name.startswith("DAGSTER_POSTGRES_"):
            monkeypatch.setenv(name, str(value))
    shutil.copyfile(COMPOSE, tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    return dict(config)


def test_local_runs_queue_two_at_a_time_and_one_bronze_ingest(
    local_instance: DagsterInstance,
) -> None:
    assert isinstance(local_instance.run_coordinator, QueuedRunCoordinator)
    queue = local_instance.get_concurrency_config().run_queue_config
    assert queue is not None
    assert queue.max_concurrent_runs == 2
    assert queue.tag_concurrency_limits == [
        {"key": "lakehouse/ingest", "value": "bronze", "limit": 1}
    ]


def test_local_layer_pools_admit_one_step_at_a_time(local_instance: DagsterInstance) -> None:
    pools = local_instance.get_concurrency_config().pool_config
    assert pools.pool_granularity == PoolGranularity.OP
    assert pools.default_pool_limit == 1
    storage = local_instance.event_log_storage
    assert storage.supports_global_concurrency_limits
    for pool in LAYER_POOLS:
        storage.initialize_concurrency_limit_to_default(pool)
        assert storage.get_concurrency_info(pool).slot_count == 1


def test_local_run_monitoring_uses_the_health_checking_launcher(
    local_instance: DagsterInstance,
) -> None:
    assert isinstance(local_instance.run_launcher, LocalRunLauncher)
    assert local_instance.run_monitoring_enabled
    assert local_instance.run_monitoring_max_resume_run_attempts == 0
    # A dead worker's pool slot must come back, or its layer stalls (one slot per pool).
    assert local_instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0


def test_a_dead_worker_is_retried_but_a_failed_step_is_not(
    local_instance: DagsterInstance,
) -> None:
    assert local_instance.run_retries_enabled
    assert local_instance.run_retries_max_retries == 2

    @asset
    def bad_data() -> None:
        raise ValueError("an order that does not add up")

    step_failed = materialize([bad_data], instance=local_instance, raise_on_error=False)
    # As run monitoring reports a run whose worker vanished.
    crashed = create_run_for_test(local_instance, job_name="x", status=DagsterRunStatus.STARTED)
    local_instance.report_run_failed(crashed, "run worker process 123 is gone")

    def will_retry(run_id: str) -> str | None:
        run = local_instance.get_run_by_id(run_id)
        assert run is not None and run.status == DagsterRunStatus.FAILURE
        return run.tags.get(WILL_RETRY_TAG)

    assert will_retry(step_failed.run_id) == "false"
    assert will_retry(crashed.run_id) == "true"


def test_local_tick_retention(local_instance: DagsterInstance) -> None:
    for instigator in (
        InstigatorType.SCHEDULE,
        InstigatorType.SENSOR,
        InstigatorType.AUTO_MATERIALIZE,
    ):
        days = local_instance.get_tick_retention_settings(instigator)
        assert days[TickStatus.SKIPPED] == 7
        assert days[TickStatus.FAILURE] == 30
        assert days[TickStatus.SUCCESS] == 90


def test_compose_keeps_its_postgres_storage_and_the_default_launcher(
    compose_config: dict[str, Any],
) -> None:
    database = compose_config["storage"]["postgres"]["postgres_db"]
    assert database["hostname"] == {"env": "DAGSTER_POSTGRES_HOST"}
    assert database["db_name"] == {"env": "DAGSTER_POSTGRES_DB"}
    # The local launcher reads /proc; the daemon cannot see the code location's processes.
    assert "run_launcher" not in compose_config
    assert "run_coordinator" not in compose_config


def test_compose_has_the_local_limits_retries_and_retention(
    compose_config: dict[str, Any], local_instance: DagsterInstance
) -> None:
    local, _ = dagster_instance_config(str(Path(local_instance.root_directory)))
    for block in SHARED_BLOCKS:
        assert compose_config[block] == local[block], f"{block} differs between the profiles"
    assert compose_config["concurrency"]["pools"] == {"default_limit": 1, "granularity": "op"}
    assert compose_config["run_retries"]["retry_on_asset_or_op_failure"] is False


def test_compose_storage_resolves_to_the_compose_postgres_service(
    compose_config: dict[str, Any],
) -> None:
    resolved = process_config(dagster_instance_config_schema(), compose_config)
    assert resolved.success, resolved.errors
    database = resolved.value["storage"]["postgres"]["postgres_db"]
    assert database["hostname"] in COMPOSE_FILE["services"]
    assert (database["username"], database["db_name"]) == ("dagster", "dagster")


def test_the_compose_dagster_services_get_every_variable_the_instance_reads() -> None:
    database = yaml.safe_load(COMPOSE.read_text())["storage"]["postgres"]["postgres_db"]
    names = {value["env"] for value in database.values() if isinstance(value, dict)}
    assert len(names) == 4
    for service in ("dagster-webserver", "dagster-daemon", "code-location"):
        assert names <= set(COMPOSE_FILE["services"][service]["environment"]), service
