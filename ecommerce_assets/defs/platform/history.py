"""``run_history_pruning_job`` and its nightly schedule: Dagster's own run retention.

Dagster OSS never deletes runs or their event logs (the instance's ``retention`` block
covers schedule and sensor ticks only), so on the local profile they pile up in SQLite
under DAGSTER_HOME. Each night this job deletes the runs that finished more than
``dagster_run_retention_days`` (settings) ago, except those holding an asset's latest
materialization or check result (lib/run_history.py, decision 0020). It needs only the
Dagster instance: no Spark, Kafka or Trino.
"""

import datetime as dt

from dagster import (
    DefaultScheduleStatus,
    MetadataValue,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    ScheduleDefinition,
    in_process_executor,
    job,
    op,
)

from ecommerce_assets.lib import run_history
from ecommerce_assets.settings import get_settings

_settings = get_settings()

#: Nightly, hours after the daily refresh and before anyone looks at the UI.
RUN_HISTORY_CRON = "30 3 * * *"


@op(
    out=Out(Nothing),
    description=(
        "Delete finished runs older than the retention that hold no asset's latest "
        "materialization or check result."
    ),
)
def prune_run_history(context: OpExecutionContext) -> Output[None]:
    # Imported here: the code location's definitions include this module. A check whose
    # asset has left the code location is not shown anywhere, so its runs need no shelter.
    from ecommerce_assets.definitions import defs

    days = _settings.dagster_run_retention_days
    plan = run_history.prune_run_history(
        context.instance,
        now=dt.datetime.now(dt.UTC),
        retention_days=days,
        check_keys=list(defs.resolve_asset_graph().asset_check_keys),
    )
    context.log.info(
        f"deleted {len(plan.delete)} runs finished more than {days} days ago; kept "
        f"{len(plan.kept_latest)} older runs holding a latest materialization or check "
        f"result and {plan.recent} newer runs"
    )
    return Output(
        None,
        metadata={
            "deleted_runs": MetadataValue.int(len(plan.delete)),
            "kept_holding_latest": MetadataValue.int(len(plan.kept_latest)),
            "kept_recent": MetadataValue.int(plan.recent),
            "retention_days": MetadataValue.int(days),
        },
    )


@job(
    description="Delete Dagster runs past their retention, keeping every asset's latest.",
    # One short step: a subprocess would only add start-up time.
    executor_def=in_process_executor,
)
def run_history_pruning_job() -> None:
    prune_run_history()


run_history_pruning_schedule = ScheduleDefinition(
    name="run_history_pruning_schedule",
    job=run_history_pruning_job,
    cron_schedule=RUN_HISTORY_CRON,
    execution_timezone=_settings.schedule_timezone,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Nightly deletion of Dagster runs past dagster_run_retention_days.",
)
