"""``lakehouse alerts test`` sends one test notice per channel and says which took it;
``lakehouse alerts status`` shows what the alert sensor's cursor holds."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from dagster import DagsterInstance
from dagster._core.remote_origin import (
    RegisteredCodeLocationOrigin,
    RemoteInstigatorOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.scheduler.instigation import (
    InstigatorState,
    InstigatorStatus,
    InstigatorType,
    SensorInstigatorData,
)

from ecommerce_assets.cli.main import cli
from ecommerce_assets.lib.alerts.ledger import AlertLedger
from ecommerce_assets.lib.alerts.notices import Notice
from ecommerce_assets.settings import get_settings
from tests.alert_receivers import HttpReceiver, SmtpReceiver


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


def test_a_test_notice_reaches_every_channel(
    monkeypatch: pytest.MonkeyPatch, http: HttpReceiver
) -> None:
    smtp = SmtpReceiver().start()
    monkeypatch.setenv("LAKEHOUSE_ALERT_WEBHOOK_URL", http.url("/hook"))
    monkeypatch.setenv("LAKEHOUSE_ALERT_SLACK_WEBHOOK_URL", http.url("/slack"))
    monkeypatch.setenv("LAKEHOUSE_ALERT_EMAIL_TO", '["data@shop.example"]')
    monkeypatch.setenv("LAKEHOUSE_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LAKEHOUSE_ALERT_SMTP_PORT", str(smtp.port))
    try:
        result = CliRunner().invoke(cli, ["alerts", "test"])
    finally:
        smtp.stop()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["webhook: sent", "slack: sent", "email: sent"]
    [hook] = http.bodies("/hook")
    assert hook["check_name"] == "lakehouse_alerts_test"
    assert len(http.bodies("/slack")) == 1
    [mail] = smtp.messages
    assert "lakehouse_alerts_test" in mail["Subject"]


def test_a_refused_channel_is_named_and_the_command_fails(
    monkeypatch: pytest.MonkeyPatch, http: HttpReceiver
) -> None:
    port = http.port
    http.stop()
    monkeypatch.setenv("LAKEHOUSE_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    result = CliRunner().invoke(cli, ["alerts", "test"])
    assert result.exit_code == 1
    assert result.output.startswith(f"webhook: FAILED (cannot reach http://127.0.0.1:{port}/hook")


def test_without_channels_it_says_how_to_set_one() -> None:
    result = CliRunner().invoke(cli, ["alerts", "test"])
    assert result.exit_code == 0
    assert "LAKEHOUSE_ALERT_WEBHOOK_URL" in result.output


def test_status_lists_open_incidents_and_owed_notices() -> None:
    result = CliRunner().invoke(cli, ["alerts", "status"])
    assert result.exit_code == 1 and "no Dagster instance at" in result.output

    home: Path = get_settings().dagster_home
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    notice = Notice(
        kind="failed", asset_key="gold/fct_orders", check_name="order_total_positive",
        partition="2024-11-25", severity="ERROR", description=None,
        run_url="http://ui/runs/r1", occurred_at="2026-12-01T10:00:00+00:00",
    )  # fmt: skip
    ledger = AlertLedger(runs_after=0)
    ledger.observe("k", problem=notice, recovery=None)
    ledger.enqueue(notice, [])
    ledger.outbox[0].channels = ["email"]
    origin = RemoteInstigatorOrigin(
        RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("ecommerce_assets"), "__repository__"),
        "lakehouse_alerts",
    )
    with DagsterInstance.from_config(str(home)) as instance:
        instance.add_instigator_state(
            InstigatorState(
                origin, InstigatorType.SENSOR, InstigatorStatus.RUNNING,
                SensorInstigatorData(cursor=ledger.to_cursor()),
            )
        )  # fmt: skip
    result = CliRunner().invoke(cli, ["alerts", "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "open incidents: 1"
    assert (
        "gold/fct_orders · order_total_positive [2024-11-25]  ERROR  http://ui/runs/r1" in lines[1]
    )
    assert lines[2] == "notices waiting for a channel: 1"
    assert lines[3].endswith("-> email (0 attempts; last: )")
