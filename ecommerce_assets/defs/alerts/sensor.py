"""``lakehouse_alerts``: failed asset checks and stale tables, told once, then resolved.

Every ``alert_interval_s`` (30 s) the sensor reads the check evaluations of the runs
that finished since its cursor, and the freshness state Dagster's freshness daemon keeps
per table. A check that fails (severity ERROR; WARN too with ``alert_on_warn``) or a
table that goes stale opens an incident and sends one notice to every channel in the
settings (webhook, Slack, email) and the log; the same check passing again on the same
asset and partition, or the table being fresh again, sends one "resolved" notice. What
is open and what a channel still owes is kept in the cursor (``lib/alerts/ledger.py``)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckSeverity,
    DagsterEventType,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from ecommerce_assets.lib.alerts.ledger import OVERLAP_S, AlertLedger, silenced
from ecommerce_assets.lib.alerts.notices import (
    FRESHNESS_CHECK,
    Notice,
    asset_url,
    iso,
    now_iso,
    plain_metadata,
    run_url,
)
from ecommerce_assets.resources.alerts import AlertsResource
from ecommerce_assets.settings import get_settings

FINISHED = [DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED]
#: A sensor with no cursor yet (new instance, or turned on late) reads the last day.
LOOKBACK_S = 24 * 3600.0
RUNS_PER_TICK = 200
#: Sending stops after this long; the rest waits for the next tick.
DELIVERY_BUDGET_S = 30.0


@sensor(
    name="lakehouse_alerts",
    minimum_interval_seconds=get_settings().alert_interval_s,
    default_status=DefaultSensorStatus.RUNNING,
    description="Sends one notice per failed asset check or stale table (webhook, Slack, "
    "email, log) and one when it recovers; channels and silences are in the settings.",
)
def lakehouse_alerts(context: SensorEvaluationContext, alerts: AlertsResource) -> SkipReason:
    ledger = AlertLedger.from_cursor(context.cursor, start=time.time() - LOOKBACK_S)
    channels = alerts.channels()
    notices = check_notices(context, ledger, alerts) + freshness_notices(context, ledger, alerts)
    for notice in notices:
        log = context.log.warning if notice.is_problem else context.log.info
        log(f"{notice.subject}\n{notice.text()}")
        if channels:
            ledger.enqueue(notice, channels)
    ledger.deliver(channels, context.log.error, DELIVERY_BUDGET_S)
    context.update_cursor(ledger.to_cursor())
    owed = sum(len(p.channels) for p in ledger.outbox)
    return SkipReason(
        f"{len(notices)} new notice(s); {len(ledger.open)} open; "
        f"{owed} delivery(ies) waiting for a channel"
    )


def check_notices(
    context: SensorEvaluationContext, ledger: AlertLedger, alerts: AlertsResource
) -> list[Notice]:
    """Notices from the check evaluations of runs that finished since the cursor."""
    instance = context.instance
    since = dt.datetime.fromtimestamp(ledger.runs_after - OVERLAP_S, dt.UTC)
    records = instance.get_run_records(
        filters=RunsFilter(statuses=FINISHED, updated_after=since),
        order_by="update_timestamp",
        ascending=True,
        limit=RUNS_PER_TICK,
    )
    notices = []
    for record in records:
        run_id = record.dagster_run.run_id
        if ledger.seen(run_id):
            continue
        for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
            assert entry.dagster_event is not None
            evaluation = entry.dagster_event.asset_check_evaluation_data
            notice = _check_transition(
                context,
                ledger,
                alerts,
                evaluation,
                run_id,
                entry.timestamp,
                evaluation.partition or run_partitions(record.dagster_run.tags),
            )
            if notice is not None:
                notices.append(notice)
        ledger.mark_run(run_id, record.update_timestamp.timestamp())
    return notices


def _check_transition(
    context: SensorEvaluationContext,
    ledger: AlertLedger,
    alerts: AlertsResource,
    evaluation: AssetCheckEvaluation,
    run_id: str,
    timestamp: float,
    partition: str | None,
) -> Notice | None:
    asset = evaluation.asset_key.to_user_string()
    if silenced(alerts.silence, asset, evaluation.check_name):
        return None
    alerting = not evaluation.passed and (
        evaluation.severity == AssetCheckSeverity.ERROR or alerts.on_warn
    )
    if not evaluation.passed and not alerting:
        return None  # a WARN without alert_on_warn neither opens nor closes anything
    notice = Notice(
        kind="failed" if alerting else "resolved",
        asset_key=asset,
        check_name=evaluation.check_name,
        partition=partition,
        severity=evaluation.severity.value,
        description=evaluation.description or _check_description(context, evaluation),
        metadata=plain_metadata(dict(evaluation.metadata)),
        run_id=run_id,
        run_url=run_url(alerts.webserver_url, run_id),
        asset_url=asset_url(alerts.webserver_url, asset, view="checks"),
        occurred_at=iso(timestamp),
    )
    # Our checks judge the days their run built, but Dagster records their result for
    # the asset (no partition): like the UI, an incident follows the latest result.
    key = f"{asset}|{evaluation.check_name}|{evaluation.partition or ''}"
    if alerting:
        return ledger.observe(key, problem=notice, recovery=None)
    return ledger.observe(key, problem=None, recovery=notice)


def run_partitions(tags: Mapping[str, str]) -> str | None:
    """The partition or partition range a run built, as ``day`` or ``first...last``."""
    if PARTITION_NAME_TAG in tags:
        return tags[PARTITION_NAME_TAG]
    start = tags.get(ASSET_PARTITION_RANGE_START_TAG)
    end = tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if start and end:
        return start if start == end else f"{start}...{end}"
    return None


def _check_description(
    context: SensorEvaluationContext, evaluation: AssetCheckEvaluation
) -> str | None:
    key = AssetCheckKey(evaluation.asset_key, evaluation.check_name)
    graph = context.repository_def.asset_graph if context.repository_def else None
    if graph is None or key not in graph.asset_check_keys:
        return None
    return graph.get_check_spec(key).description


def freshness_notices(
    context: SensorEvaluationContext, ledger: AlertLedger, alerts: AlertsResource
) -> list[Notice]:
    """Notices from the freshness daemon's state of every table with a policy."""
    graph = context.repository_def.asset_graph if context.repository_def else None
    if graph is None:
        return []
    keys = [key for key in graph.get_all_asset_keys() if graph.get(key).freshness_policy]
    alerting = {FreshnessState.FAIL} | ({FreshnessState.WARN} if alerts.on_warn else set())
    notices = []
    for key, record in sorted(
        context.instance.get_freshness_state_records(keys).items(),
        key=lambda item: item[0].to_user_string(),
    ):
        asset = key.to_user_string()
        if silenced(alerts.silence, asset, FRESHNESS_CHECK):
            continue
        state = record.freshness_state
        if state not in alerting and state != FreshnessState.PASS:
            continue  # UNKNOWN (never materialized) or WARN without alert_on_warn
        policy = graph.get(key).freshness_policy
        notice = Notice(
            kind="stale" if state in alerting else "fresh",
            asset_key=asset,
            check_name=FRESHNESS_CHECK,
            partition=None,
            severity=state.value,
            description=f"Freshness policy: {_describe(policy)}.",
            metadata={"state_since": record.updated_at.isoformat(timespec="seconds")},
            asset_url=asset_url(alerts.webserver_url, asset),
            occurred_at=now_iso(),
        )
        incident = f"{asset}|{FRESHNESS_CHECK}|"
        if state in alerting:
            sent = ledger.observe(incident, problem=notice, recovery=None)
        else:
            sent = ledger.observe(incident, problem=None, recovery=notice)
        if sent is not None:
            notices.append(sent)
    return notices


def _describe(policy: object) -> str:
    fail = getattr(policy, "fail_window", None)
    warn = getattr(policy, "warn_window", None)
    if fail is None:
        return str(policy)
    text = f"materialized within {fail.to_timedelta()}"
    return text + (f" (warn after {warn.to_timedelta()})" if warn else "")
