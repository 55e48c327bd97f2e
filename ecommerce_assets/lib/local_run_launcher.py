"""A run launcher whose run workers Dagster's run monitoring can check.

Dagster's DefaultRunLauncher starts each run in a local process but cannot tell the
daemon whether that process still lives, so a run worker killed by SIGKILL or the OOM
killer stays STARTED forever, and the bronze sensor (which waits for in-flight runs)
stops launching. This launcher answers run monitoring's health check from the process
table: the worker logs its pid when it starts; if no process with that pid and start
time remains, the worker is gone and monitoring marks the run failed.

Local only: the daemon must see the run workers' processes (dagster.yaml of the local
profile; compose and aws keep their own launchers).
"""

from __future__ import annotations

from dagster import DagsterEventType, DagsterInstance, DagsterRun, DefaultRunLauncher
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus

from ecommerce_assets.stack.process import process_start_time

#: A worker logs its pid after it started, so its process is never younger than that
#: event; the slack covers the clock-tick rounding of /proc's start time.
_START_SLACK_S = 2.0


def run_worker(instance: DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """(pid, time it was logged) of a run's worker, from the worker's own first engine
    event ("Started process for run"); None for a run no launcher started."""
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
        event = entry.dagster_event
        data = event.engine_event_data if event else None
        pid = data.metadata.get("pid") if data else None
        if pid is not None:
            return int(str(pid.value)), entry.timestamp
    return None


class LocalRunLauncher(DefaultRunLauncher):
    """DefaultRunLauncher plus a health check of the run worker's process."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        worker = run_worker(self._instance, run.run_id)
        if worker is None:
            # Not launched by a launcher (e.g. executed in process): nothing to check.
            return CheckRunHealthResult(WorkerStatus.RUNNING, "no run worker pid logged")
        pid, logged_at = worker
        started = process_start_time(pid)
        if started is None or started > logged_at + _START_SLACK_S:
            return CheckRunHealthResult(
                WorkerStatus.FAILED, f"run worker process {pid} is gone (killed or crashed)"
            )
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"run worker process {pid} is alive")
