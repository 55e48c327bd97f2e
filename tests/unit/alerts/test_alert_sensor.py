"""The alert sensor on a real (SQLite) Dagster instance, sending to real local servers:
an HTTP server for the webhook and Slack, aiosmtpd for email."""

from collections.abc import Iterator

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    SkipReason,
    StaticPartitionsDefinition,
    asset,
    asset_check,
    build_sensor_context,
    instance_for_test,
    materialize,
)

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
