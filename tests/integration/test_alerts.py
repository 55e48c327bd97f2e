"""Alerts end to end: a real ``dagster-daemon`` runs the alert sensor (and Dagster's
freshness daemon) over a real instance, and notices reach a real HTTP server (webhook and
Slack) and a real SMTP server (aiosmtpd).

One story, in order: a check fails -> one notice per channel; more ticks and a daemon
restart -> nothing more; the check passes -> one resolved notice per channel; the
webhook server is down while the check fails again -> Slack and email get it once, the
webhook once it is back; a table stops updating -> one freshness alert.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize

from ecommerce_assets.settings import PROJECT_ROOT
from tests.alert_receivers import HttpReceiver, SmtpReceiver
from tests.integration import alert_location

pytestmark = pytest.mark.integration

INTERVAL_S = 2
STALE_AFTER_S = 60


class Daemon:
    """``dagster-daemon run`` over the test location; its output goes to a log file."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home, self.env = home, env
        self.log = home / "daemon.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        workspace = self.home / "workspace.yaml"
        workspace.write_text(
            "load_from:\n  - python_module:\n"
            "      module_name: tests.integration.alert_location\n"
            f"      working_directory: {PROJECT_ROOT}\n"
        )
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", str(workspace)],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture
def story(tmp_path: Path) -> Iterator[dict]:
    hook, slack, smtp = HttpReceiver().start(), HttpReceiver().start(), SmtpReceiver().start()
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    state = tmp_path / "probe.json"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        alert_location.STATE_FILE: str(state),
        # The instance is <data dir>/dagster_home, as `lakehouse alerts status` expects.
        "LAKEHOUSE_DATA_DIR": str(tmp_path),
        "LAKEHOUSE_WEBSERVER_URL": "http://dagster.shop.example:3000",
        "LAKEHOUSE_ALERT_WEBHOOK_URL": hook.url("/lakehouse"),
        "LAKEHOUSE_ALERT_SLACK_WEBHOOK_URL": slack.url("/services/T0/B0/x"),
        "LAKEHOUSE_ALERT_EMAIL_TO": '["data-team@shop.example"]',
        "LAKEHOUSE_ALERT_SMTP_HOST": "127.0.0.1",
        "LAKEHOUSE_ALERT_SMTP_PORT": str(smtp.port),
        "LAKEHOUSE_ALERT_INTERVAL_S": str(INTERVAL_S),
        "LAKEHOUSE_FRESHNESS_OVERRIDES": json.dumps({"bronze/stale_probe": f"{STALE_AFTER_S}s"}),
        "FRESHNESS_DAEMON_INTERVAL_SECONDS": "2",
    }
    daemon = Daemon(home, env)
    instance = DagsterInstance.from_config(str(home))
    yield {
        "hook": hook, "slack": slack, "smtp": smtp, "daemon": daemon, "instance": instance,
        "state": state, "env": env,
    }  # fmt: skip
    daemon.stop()
    instance.dispose()
    for receiver in (hook, slack, smtp):
        receiver.stop()


def run_probe(story: dict, rows: dict[str, int]) -> str:
    """One real run of the probe and its check, recorded in the daemon's instance."""
    story["state"].write_text(json.dumps(rows))
    saved = os.environ.get(alert_location.STATE_FILE)
    os.environ[alert_location.STATE_FILE] = str(story["state"])
    try:
        result = materialize(
            [alert_location.alert_probe, alert_location.probe_has_rows],
            instance=story["instance"],
        )
    finally:
        if saved is None:
            os.environ.pop(alert_location.STATE_FILE)
        else:
            os.environ[alert_location.STATE_FILE] = saved
    assert result.success
    return result.run_id


def sensor_ticks(instance: DagsterInstance) -> int:
    """Ticks the alert sensor has completed so far (skips included)."""
    states = [s for s in instance.all_instigator_state() if s.name == "lakehouse_alerts"]
    return sum(
        len(instance.get_ticks(s.instigator_origin_id, s.selector_id, limit=10_000)) for s in states
    )


def wait_for(
    what: str, condition: Callable[[], bool], daemon: Daemon, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; daemon log:\n{daemon.tail()}")
        time.sleep(0.5)


def more_ticks(story: dict, count: int = 2) -> None:
    """Let the sensor tick ``count`` more times (to show it sends nothing more)."""
    start = sensor_ticks(story["instance"])
    wait_for(
        f"{count} more alert sensor ticks",
        lambda: sensor_ticks(story["instance"]) >= start + count,
        story["daemon"],
    )


def events(receiver: HttpReceiver, event: str, asset: str = "silver/alert_probe") -> list[dict]:
    return [
        body for post in receiver.posts
        if (body := post.body).get("event", "") == event and body.get("asset_key") == asset
    ]  # fmt: skip


def slack_texts(receiver: HttpReceiver, title: str, asset: str = "silver/alert_probe") -> list:
    return [p.body for p in receiver.posts if title in p.body["text"] and asset in p.body["text"]]


def mails(smtp: SmtpReceiver, title: str, asset: str = "silver/alert_probe") -> list:
    return [m for m in smtp.messages if title in m["Subject"] and asset in m["Subject"]]


def test_alerts_are_sent_once_resolved_once_and_survive_a_down_channel_and_restarts(
    story: dict,
) -> None:
    hook, slack, smtp, daemon = story["hook"], story["slack"], story["smtp"], story["daemon"]
    failing_run = run_probe(story, {"2024-11-25": 0, "2024-11-26": 12})
    materialize([alert_location.stale_probe], instance=story["instance"])
    daemon.start()

    # 1. The failed check: exactly one notice per channel, with what failed and a link.
    wait_for(
        "the failure notice on every channel",
        lambda: (
            events(hook, "asset_failed")
            and slack_texts(slack, "Asset check failed")
            and mails(smtp, "Asset check failed")
        ),
        daemon,
    )
    more_ticks(story)
    [notice] = events(hook, "asset_failed")
    assert notice["check_name"] == "probe_has_rows"
    assert notice["severity"] == "ERROR"
    assert notice["description"] == "Every day of the probe has at least one row."
    assert notice["metadata"]["empty_days"] == ["2024-11-25"]
    assert notice["run_url"] == f"http://dagster.shop.example:3000/runs/{failing_run}"
    assert len(slack_texts(slack, "Asset check failed")) == 1
    [mail] = mails(smtp, "Asset check failed")
    assert mail["To"] == "data-team@shop.example"
    assert notice["run_url"] in mail.get_payload(decode=True).decode()

    # 2. A daemon restart sends nothing more: the sensor's cursor is in the instance.
    daemon.stop()
    daemon.start()
    more_ticks(story, 3)
    assert len(events(hook, "asset_failed")) == 1
    assert len(slack_texts(slack, "Asset check failed")) == 1
    assert len(mails(smtp, "Asset check failed")) == 1

    # 3. The check passes again: one resolved notice per channel.
    run_probe(story, {"2024-11-25": 7, "2024-11-26": 12})
    wait_for("the resolved notice", lambda: events(hook, "asset_resolved"), daemon)
    more_ticks(story)
    assert len(events(hook, "asset_resolved")) == 1
    assert len(slack_texts(slack, "Asset check passes again")) == 1
    assert len(mails(smtp, "Asset check passes again")) == 1

    # 4. The webhook is down while the check fails again: Slack and email get it once...
    hook.stop()
    run_probe(story, {"2024-11-25": 0, "2024-11-26": 12})
    wait_for(
        "the second failure on Slack and email",
        lambda: (
            len(slack_texts(slack, "Asset check failed")) == 2
            and len(mails(smtp, "Asset check failed")) == 2
        ),
        daemon,
    )
    more_ticks(story)
    assert len(events(hook, "asset_failed")) == 1
    assert "webhook failed" in daemon.tail()
    # ... and the webhook gets it once when it is back; nobody gets it twice.
    hook.start()
    wait_for("the webhook's late notice", lambda: len(events(hook, "asset_failed")) == 2, daemon)
    more_ticks(story)
    assert len(events(hook, "asset_failed")) == 2
    assert len(slack_texts(slack, "Asset check failed")) == 2
    assert len(mails(smtp, "Asset check failed")) == 2

    # 5. The table that stopped updating: one freshness alert per channel.
    wait_for(
        "the freshness alert",
        lambda: events(hook, "asset_stale", "bronze/stale_probe"),
        daemon,
        timeout=STALE_AFTER_S + 90,
    )
    more_ticks(story)
    [stale] = events(hook, "asset_stale", "bronze/stale_probe")
    assert stale["check_name"] == "freshness"
    assert stale["severity"] == "FAIL"
    assert stale["asset_url"] == "http://dagster.shop.example:3000/assets/bronze/stale_probe"
    assert len(slack_texts(slack, "Table is stale", "bronze/stale_probe")) == 1
    assert len(mails(smtp, "Table is stale", "bronze/stale_probe")) == 1

    # 6. What `lakehouse alerts status` reads from the sensor's cursor.
    status = subprocess.run(
        [str(Path(sys.executable).parent / "lakehouse"), "alerts", "status"],
        env=story["env"], capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    lines = status.stdout.splitlines()
    assert lines[0] == "open incidents: 2"
    assert any("silver/alert_probe · probe_has_rows" in line for line in lines[1:3])
    assert any("bronze/stale_probe · freshness" in line for line in lines[1:3])
    assert lines[3] == "notices waiting for a channel: 0"
