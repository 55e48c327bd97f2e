"""The alert sensor on a real (SQLite) Dagster instance, sending to real local servers:
an HTTP server for the webhook and Slack, aiosmtpd for email."""

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    DagsterInstance,
    Definitions,
    FreshnessPolicy,
    MaterializeResult,
    SkipReason,
    StaticPartitionsDefinition,
    apply_freshness_policy,
    asset,
    asset_check,
    build_sensor_context,
    instance_for_test,
    materialize,
)
from dagster._core.definitions.freshness import FreshnessState, FreshnessStateChange

from ecommerce_assets.defs.alerts.sensor import lakehouse_alerts
from ecommerce_assets.resources.alerts import AlertsResource
from tests.alert_receivers import HttpReceiver, SmtpReceiver

DAYS = StaticPartitionsDefinition(["2024-11-25", "2024-11-26"])
#: What the probe check sees: rows per day (0 fails), and its severity.
STATE: dict[str, object] = {"rows": {}, "severity": AssetCheckSeverity.ERROR}


@asset(key=AssetKey(["silver", "alert_probe"]), partitions_def=DAYS)
def alert_probe(context: AssetExecutionContext) -> MaterializeResult:
    return MaterializeResult(metadata={"rows": STATE["rows"].get(context.partition_key, 0)})  # type: ignore[attr-defined]


@asset_check(asset=alert_probe, description="Every day has at least one row.")
def probe_has_rows() -> AssetCheckResult:
    rows = STATE["rows"]
    empty = sorted(day for day, count in rows.items() if count == 0)  # type: ignore[attr-defined]
    return AssetCheckResult(
        passed=not empty,
        severity=STATE["severity"],  # type: ignore[arg-type]
        metadata={"empty_days": empty, "rows_by_day": dict(rows)},  # type: ignore[call-overload]
    )


WINDOW = FreshnessPolicy.time_window(
    fail_window=dt.timedelta(hours=2), warn_window=dt.timedelta(hours=1)
)
DEFS = Definitions(assets=[alert_probe], asset_checks=[probe_has_rows])


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as instance:
        yield instance


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def alerts(http: HttpReceiver, smtp: SmtpReceiver) -> AlertsResource:
    return AlertsResource(
        webserver_url="http://ui.example:3000",
        webhook_url=http.url("/hook"),
        slack_webhook_url=http.url("/slack"),
        email_to=["data@shop.example"],
        email_from="lakehouse@shop.example",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
    )


def run_probe(instance: DagsterInstance, rows: dict[str, int], **state: object) -> str:
    STATE.update(rows=rows, severity=state.get("severity", AssetCheckSeverity.ERROR))
    result = materialize(
        [alert_probe, probe_has_rows],
        instance=instance,
        partition_key="2024-11-25",
        raise_on_error=False,
    )
    return result.run_id


def tick(instance: DagsterInstance, alerts: AlertsResource, cursor: str | None) -> str:
    context = build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"alerts": alerts},
        repository_def=DEFS.get_repository_def(),
    )
    result = lakehouse_alerts(context)
    assert isinstance(result, SkipReason)
    assert context.cursor is not None
    return context.cursor


def test_a_failed_check_is_told_once_per_channel_then_resolved_once(
    instance: DagsterInstance, alerts: AlertsResource, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    run_id = run_probe(instance, {"2024-11-25": 0})
    cursor = tick(instance, alerts, None)

    [hook] = http.bodies("/hook")
    assert hook["event"] == "asset_failed"
    assert hook["asset_key"] == "silver/alert_probe"
    assert hook["check_name"] == "probe_has_rows"
    assert hook["severity"] == "ERROR"
    assert hook["description"] == "Every day has at least one row."
    assert hook["metadata"]["empty_days"] == ["2024-11-25"]
    assert hook["run_id"] == run_id
    assert hook["run_url"] == f"http://ui.example:3000/runs/{run_id}"
    assert hook["asset_url"] == "http://ui.example:3000/assets/silver/alert_probe?view=checks"
    [slack] = http.bodies("/slack")
    assert "Asset check failed" in slack["text"]
    assert slack["blocks"][0]["type"] == "header"
    buttons = next(b for b in slack["blocks"] if b["type"] == "actions")["elements"]
    assert buttons[0]["url"] == hook["run_url"]
    [mail] = smtp.messages
    assert mail["To"] == "data@shop.example"
    assert "silver/alert_probe" in mail["Subject"]
    assert hook["run_url"] in mail.get_payload(decode=True).decode()

    # Another tick, and another failing run of the same check: nothing more is sent.
    cursor = tick(instance, alerts, cursor)
    run_probe(instance, {"2024-11-25": 0})
    cursor = tick(instance, alerts, cursor)
    assert len(http.posts) == 2 and len(smtp.messages) == 1
    assert hook["partition"] == "2024-11-25"

    run_probe(instance, {"2024-11-25": 5})
    cursor = tick(instance, alerts, cursor)
    cursor = tick(instance, alerts, cursor)
    resolved = [b for b in http.bodies("/hook") if b["event"] == "asset_resolved"]
    assert len(resolved) == 1 and resolved[0]["check_name"] == "probe_has_rows"
    assert len(http.bodies("/slack")) == 2
    assert len(smtp.messages) == 2
    assert "passes again" in smtp.messages[1]["Subject"]


def test_a_channel_that_is_down_gets_its_notice_later_and_the_others_once(
    instance: DagsterInstance, alerts: AlertsResource, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    smtp.stop()
    run_probe(instance, {"2024-11-25": 0})
    cursor = tick(instance, alerts, None)
    cursor = tick(instance, alerts, cursor)
    assert len(http.bodies("/hook")) == 1 and len(http.bodies("/slack")) == 1
    assert smtp.messages == []

    smtp.start()
    cursor = tick(instance, alerts, cursor)
    cursor = tick(instance, alerts, cursor)
    assert len(smtp.messages) == 1
    assert len(http.posts) == 2


def test_warnings_alert_only_with_alert_on_warn_and_silenced_checks_never(
    instance: DagsterInstance, alerts: AlertsResource, http: HttpReceiver
) -> None:
    run_probe(instance, {"2024-11-25": 0}, severity=AssetCheckSeverity.WARN)
    cursor = tick(instance, alerts, None)
    assert http.posts == []

    warn_alerts = AlertsResource(**{**alerts.model_dump(), "on_warn": True})
    run_probe(instance, {"2024-11-25": 0}, severity=AssetCheckSeverity.WARN)
    cursor = tick(instance, warn_alerts, cursor)
    [hook] = http.bodies("/hook")
    assert hook["severity"] == "WARN"

    with instance_for_test() as other:
        silent = AlertsResource(
            **{**alerts.model_dump(), "silence": ["silver/alert_probe:probe_*"]}
        )
        run_probe(other, {"2024-11-25": 0})
        tick(other, silent, None)
    assert len(http.bodies("/hook")) == 1


def test_a_stale_table_alerts_once_and_once_more_when_fresh(
    instance: DagsterInstance, alerts: AlertsResource, http: HttpReceiver
) -> None:
    # What Dagster's freshness daemon records (the integration test runs the daemon).
    defs = Definitions(
        assets=[alert_probe.map_asset_specs(lambda s: apply_freshness_policy(s, WINDOW))]
    )

    def state(new: FreshnessState) -> None:
        instance._report_runless_asset_event(
            FreshnessStateChange(
                key=alert_probe.key,
                previous_state=FreshnessState.UNKNOWN,
                new_state=new,
                state_change_timestamp=time.time(),
            )
        )

    def tick_defs(cursor: str | None) -> str:
        context = build_sensor_context(
            instance=instance, cursor=cursor, resources={"alerts": alerts},
            repository_def=defs.get_repository_def(),
        )  # fmt: skip
        lakehouse_alerts(context)
        assert context.cursor is not None
        return context.cursor

    state(FreshnessState.PASS)
    cursor = tick_defs(None)
    state(FreshnessState.WARN)
    cursor = tick_defs(cursor)
    assert http.posts == []
    state(FreshnessState.FAIL)
    cursor = tick_defs(cursor)
    cursor = tick_defs(cursor)
    [stale] = [b for b in http.bodies("/hook") if b["event"] == "asset_stale"]
    assert stale["check_name"] == "freshness"
    assert (
        stale["description"]
        == "Freshness policy: materialized within 2:00:00 (warn after 1:00:00)."
    )
    assert stale["asset_url"] == "http://ui.example:3000/assets/silver/alert_probe"
    state(FreshnessState.PASS)
    cursor = tick_defs(cursor)
    tick_defs(cursor)
    assert [b["event"] for b in http.bodies("/hook")] == ["asset_stale", "asset_fresh"]
