"""Which Dagster runs the daily history pruning deletes, and the instance reads it needs.

Dagster OSS keeps every run and its event log forever. Deleting a run deletes its
events, so a run that holds the latest materialization of an asset partition (or the
latest observation, or the latest execution of a check) must stay: without it the UI
would show that partition as never materialized. Everything else older than the
retention goes: runs that materialized nothing, failed and canceled runs, and runs
whose every materialization has since been superseded.

``plan_pruning`` is the decision, on plain values; the functions below it read the
instance and delete (decision 0020).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from dagster import AssetCheckKey, AssetKey, AssetRecordsFilter, DagsterInstance
from dagster._core.event_api import EventRecordsResult
from dagster._core.events import DagsterEventType
from dagster._core.storage.dagster_run import FINISHED_STATUSES, RunsFilter
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

#: Storage ids per query: well below SQLite's bound-parameter limit.
_BATCH = 500
_RUN_PAGE = 1000


@dataclass(frozen=True)
class FinishedRun:
    run_id: str
    #: Unix time the run finished.
    ended_at: float


@dataclass(frozen=True)
class PruningPlan:
    #: Old runs holding no latest event: to delete.
    delete: tuple[str, ...]
    #: Old runs kept because they hold a latest materialization, observation or check.
    kept_latest: tuple[str, ...]
    #: Finished runs newer than the cutoff (kept whatever they hold).
    recent: int


def retention_cutoff(now: dt.datetime, retention_days: int) -> dt.datetime:
    """Runs that finished before this time are old enough to delete."""
    if retention_days < 1:
        raise ValueError(f"retention_days must be at least 1, got {retention_days}")
    return now - dt.timedelta(days=retention_days)


def plan_pruning(
    runs: Iterable[FinishedRun], latest_holders: AbstractSet[str], cutoff: dt.datetime
) -> PruningPlan:
    """Split finished runs into those to delete and those to keep."""
    delete: list[str] = []
    kept: list[str] = []
    recent = 0
    for run in runs:
        if run.ended_at >= cutoff.timestamp():
            recent += 1
        elif run.run_id in latest_holders:
            kept.append(run.run_id)
        else:
            delete.append(run.run_id)
    return PruningPlan(delete=tuple(delete), kept_latest=tuple(kept), recent=recent)


def finished_runs(instance: DagsterInstance) -> Iterator[FinishedRun]:
    """Every finished run with the time it finished (its last update if it never ran)."""
    cursor: str | None = None
    while True:
        records = instance.get_run_records(
            filters=RunsFilter(statuses=FINISHED_STATUSES), limit=_RUN_PAGE, cursor=cursor
        )
        for record in records:
            ended = record.end_time or record.update_timestamp.timestamp()
            yield FinishedRun(record.dagster_run.run_id, ended)
        if len(records) < _RUN_PAGE:
            return
        cursor = records[-1].dagster_run.run_id


def latest_event_holders(
    instance: DagsterInstance, check_keys: Sequence[AssetCheckKey]
) -> set[str]:
    """Ids of the runs that hold the latest materialization or observation of an asset
    or one of its partitions, or the latest execution of a check (per partition)."""
    storage = instance.event_log_storage
    fetchers: dict[DagsterEventType, Callable[..., EventRecordsResult]] = {
        DagsterEventType.ASSET_MATERIALIZATION: instance.fetch_materializations,
        DagsterEventType.ASSET_OBSERVATION: instance.fetch_observations,
    }
    holders: set[str] = set()
    for key in instance.get_asset_keys():
        for event_type, fetch in fetchers.items():
            # The latest event overall covers an unpartitioned asset; the per-partition
            # query only returns events that carry a partition.
            holders.update(record.run_id for record in fetch(key, limit=1).records)
            latest = storage.get_latest_storage_id_by_partition(key, event_type)
            holders.update(_run_ids_of(fetch, key, sorted(latest.values())))
    if check_keys:
        infos = storage.get_asset_check_partition_info(list(check_keys))
        holders.update(info.latest_planned_run_id for info in infos)
    holders.discard("")  # events reported without a run
    return holders


def _run_ids_of(
    fetch: Callable[..., EventRecordsResult], key: AssetKey, storage_ids: Sequence[int]
) -> Iterator[str]:
    for start in range(0, len(storage_ids), _BATCH):
        batch = list(storage_ids[start : start + _BATCH])
        result = fetch(AssetRecordsFilter(asset_key=key, storage_ids=batch), limit=len(batch))
        yield from (record.run_id for record in result.records)


def delete_run(instance: DagsterInstance, run_id: str) -> None:
    """Delete a run, its event log and its captured stdout/stderr."""
    instance.delete_run(run_id)
    instance.compute_log_manager.delete_logs(prefix=[run_id])
    storage = instance.event_log_storage
    if isinstance(storage, SqliteEventLogStorage):
        # SQLite keeps each run's events in a file of their own, emptied but not removed
        # by delete_run (~140 KB each, never reused).
        shard = storage.path_for_shard(run_id)
        for path in (shard, f"{shard}-wal", f"{shard}-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)


def prune_run_history(
    instance: DagsterInstance,
    *,
    now: dt.datetime,
    retention_days: int,
    check_keys: Sequence[AssetCheckKey],
) -> PruningPlan:
    """Delete the finished runs older than the retention that hold no latest event."""
    cutoff = retention_cutoff(now, retention_days)
    runs = list(finished_runs(instance))
    if all(run.ended_at >= cutoff.timestamp() for run in runs):
        holders: set[str] = set()  # nothing old: spare the reads of every asset's history
    else:
        holders = latest_event_holders(instance, check_keys)
    plan = plan_pruning(runs, holders, cutoff)
    for run_id in plan.delete:
        delete_run(instance, run_id)
    return plan
