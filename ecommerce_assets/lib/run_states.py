"""Which Dagster run statuses count as "a run is already on it"."""

from dagster import DagsterRunStatus
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES

#: Queued counts: a run waiting in the queue (behind a limit, or the daemon's retry of a
#: crashed run) will do the work, so another would only queue behind it. Not
#: NOT_STARTED: a run created and never launched would block forever.
IN_FLIGHT: list[DagsterRunStatus] = [DagsterRunStatus.QUEUED, *IN_PROGRESS_RUN_STATUSES]
