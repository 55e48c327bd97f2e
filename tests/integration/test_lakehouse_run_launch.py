"""`lakehouse run`'s launch: a run of the code location, re-executable as the UI does it.

The run is created from workspace.yaml and launched by the instance's run launcher in a
process of its own, so it carries the code location's origin (what the UI's timeline and
its re-execute button need), and a re-execution built from that origin runs too.
"""

import json
import shutil
import time
import uuid
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance, DagsterRunStatus
from dagster._core.execution.plan.resume_retry import ReexecutionStrategy
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget

from data_generators import DEFAULT_TOPICS, generate_to_kafka, make_params
from ecommerce_assets.cli.launch import LOCATION, WORKSPACE, launch_and_wait
from ecommerce_assets.settings import PROJECT_ROOT, LakehouseSettings, env_name
from tests.integration.conftest import PORT_SETTINGS


def test_lakehouse_run_launches_a_reexecutable_run_of_the_code_location(
    lakehouse_stack: LakehouseSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topics = {s: f"it.launch.{uuid.uuid4().hex[:8]}.{s}" for s in DEFAULT_TOPICS}
    # The code server and run worker are processes of their own: settings reach them
    # through the environment, as they reach `lakehouse run`'s.
    monkeypatch.setenv(env_name("data_dir"), str(lakehouse_stack.data_dir))
    monkeypatch.setenv(env_name("topics"), json.dumps(topics))
    for field in PORT_SETTINGS:
        monkeypatch.setenv(env_name(field), str(getattr(lakehouse_stack, field)))
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    params = make_params(seed=3, customers=20, products=5, days=1, events_per_day=100,
                         topics=topics, trouble={"malformed_share": 0.05})  # fmt: skip
    manifest = generate_to_kafka(params, lakehouse_stack.bootstrap_servers, partitions=1)

    with DagsterInstance.from_config(str(home)) as instance:
        run = launch_and_wait(instance, "bronze_ingest_job")
        assert run.status == DagsterRunStatus.SUCCESS
        origin = run.remote_job_origin
        assert origin is not None
        assert origin.repository_origin.code_location_origin.location_name == LOCATION
        records = instance.get_records_for_run(run.run_id, limit=1000).records
        materialized = {
            m.asset_key.to_user_string()
            for r in records
            if (m := r.event_log_entry.asset_materialization) is not None
        }
        totals = manifest["totals"]["records"]
        produced = {f"bronze/{s}" for s in topics if totals[s]["delivered"]}
        assert materialized == produced | {"bronze/dead_letters"}
        check = AssetCheckKey(AssetKey(["bronze", "clickstream"]), "reconciles_with_kafka")
        [latest] = instance.event_log_storage.get_asset_check_execution_history(check, 1)
        assert latest.run_id == run.run_id

        # What the UI's "re-execute" does: find the job by the run's origin, rebuild, launch.
        target = WorkspaceFileTarget(paths=[str(WORKSPACE)])
        with WorkspaceProcessContext(instance, target) as process:
            workspace = process.create_request_context()
            location = workspace.get_code_location(origin.location_name)
            repository = location.get_repository(origin.repository_origin.repository_name)
            again = instance.create_reexecuted_run(
                request_context=workspace,
                parent_run=run,
                code_location=location,
                remote_job=repository.get_full_job(run.job_name),
                strategy=ReexecutionStrategy.ALL_STEPS,
            )
            instance.launch_run(again.run_id, workspace)
            while not (done := instance.get_run_by_id(again.run_id)) or not done.is_finished:
                time.sleep(1)
        assert done.status == DagsterRunStatus.SUCCESS
        assert done.parent_run_id == run.run_id
