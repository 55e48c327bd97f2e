"""Launch a job of the code location through the Dagster instance, and follow it.

The run is created from the workspace (workspace.yaml), as the UI and the daemon create
theirs, so it belongs to the code location: the UI can re-execute it and shows it in the
timeline. It is launched at once (not queued: no daemon needs to be running), in a run
worker process of its own, whose log (INFO and up) reaches this terminal.
"""

from __future__ import annotations

import time

from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, RunsFilter
from dagster._cli.workspace.cli_target import (
    get_code_location_from_workspace,
    get_remote_job_from_remote_repo,
    get_remote_repository_from_code_location,
)
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from rich.console import Console

from ecommerce_assets.settings import PROJECT_ROOT

WORKSPACE = PROJECT_ROOT / "workspace.yaml"
LOCATION = "ecommerce_assets"
#: INFO, not Dagster's default DEBUG: the step events would drown the summary.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def wait_for_runs_of(instance: DagsterInstance, job_name: str, console: Console) -> None:
    """Wait while another run of ``job_name`` (e.g. the sensor's) is running.

    Not while one is queued: without the daemon (e.g. `lakehouse dev` stopped) a queued
    run stays queued, and this would wait forever.
    """
    announced = False
    while runs := instance.get_runs(
        RunsFilter(job_name=job_name, statuses=IN_PROGRESS_RUN_STATUSES), limit=1
    ):
        if not announced:
            console.print(f"  waiting for run {runs[0].run_id} of {job_name} to finish")
            announced = True
        time.sleep(2)


def launch_and_wait(
    instance: DagsterInstance, job_name: str, tags: dict[str, str] | None = None
) -> DagsterRun:
    """Create ``job_name``'s run from the workspace, launch it and wait until it ends.

    ``tags`` are added to the job's, e.g. a partition range for a partitioned job.
    """
    with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(WORKSPACE)])) as process:
        workspace = process.create_request_context()
        location = get_code_location_from_workspace(workspace, LOCATION)
        repository = get_remote_repository_from_code_location(location, None)
        remote_job = get_remote_job_from_remote_repo(repository, job_name)
        plan = location.get_execution_plan(
            remote_job, RUN_CONFIG, step_keys_to_execute=None, known_state=None, instance=instance
        )
        run = instance.create_run(
            job_name=job_name,
            run_id=None,
            run_config=RUN_CONFIG,
            resolved_op_selection=None,
            step_keys_to_execute=plan.execution_plan_snapshot.step_keys_to_execute,
            op_selection=None,
            status=None,
            root_run_id=None,
            parent_run_id=None,
            tags={**remote_job.tags, **(tags or {})},
            job_snapshot=remote_job.job_snapshot,
            execution_plan_snapshot=plan.execution_plan_snapshot,
            parent_job_snapshot=remote_job.parent_job_snapshot,
            remote_job_origin=remote_job.get_remote_origin(),
            job_code_origin=remote_job.get_python_origin(),
            asset_selection=None,
            asset_check_selection=None,
            asset_graph=repository.asset_graph,
        )
        instance.launch_run(run.run_id, workspace)
        while not (current := instance.get_run_by_id(run.run_id)) or not current.is_finished:
            time.sleep(1)
        return current


def failure_causes(instance: DagsterInstance, run: DagsterRun) -> list[str]:
    """The innermost error message of each failed step (Dagster wraps the user's error)."""
    causes = []
    for record in instance.get_records_for_run(run.run_id, limit=10_000).records:
        event = record.event_log_entry.dagster_event
        if event is None or not event.is_step_failure:
            continue
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        if error is not None:
            causes.append(error.message.strip())
    if not causes and run.status == DagsterRunStatus.FAILURE:
        causes.append("the run failed before its steps; see the run's log in the UI")
    return causes
