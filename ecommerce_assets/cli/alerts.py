"""``lakehouse alerts``: try the alert channels, and see what is open."""

from __future__ import annotations

import click

from ecommerce_assets.lib.alerts.channels import DeliveryError
from ecommerce_assets.lib.alerts.ledger import AlertLedger
from ecommerce_assets.lib.alerts.notices import Notice, now_iso
from ecommerce_assets.resources.alerts import AlertsResource
from ecommerce_assets.settings import get_settings

SENSOR = "lakehouse_alerts"


@click.group("alerts")
def alerts() -> None:
    """Alerts on failed asset checks and stale tables (README, "Alerts")."""


@alerts.command("test")
def send_test() -> None:
    """Send a test notice to every channel in the settings; say which took it.

    Exits 1 if a channel refused it, so a deploy can check its alert settings.
    """
    resource = AlertsResource.from_settings(get_settings())
    channels = resource.channels()
    if not channels:
        click.echo(
            "no alert channel is set: alerts go to the sensor's log only. Set "
            "LAKEHOUSE_ALERT_WEBHOOK_URL, LAKEHOUSE_ALERT_SLACK_WEBHOOK_URL or "
            "LAKEHOUSE_ALERT_EMAIL_TO (with LAKEHOUSE_ALERT_SMTP_HOST)."
        )
        return
    notice = Notice(
        kind="failed",
        asset_key="lakehouse/alert_test",
        check_name="lakehouse_alerts_test",
        partition=None,
        severity="ERROR",
        description="A test notice from `lakehouse alerts test`: nothing is wrong.",
        metadata={"sent_by": "lakehouse alerts test"},
        asset_url=resource.webserver_url,
        occurred_at=now_iso(),
    )
    failed = 0
    for channel in channels:
        try:
            channel.send(notice)
        except DeliveryError as error:
            failed += 1
            click.secho(f"{channel.name}: FAILED ({error})", fg="red")
        else:
            click.secho(f"{channel.name}: sent", fg="green")
    if failed:
        raise SystemExit(1)


@alerts.command("status")
def status() -> None:
    """Open incidents and notices still owed to a channel (the alert sensor's cursor)."""
    from dagster import DagsterInstance

    home = get_settings().dagster_home
    if not (home / "dagster.yaml").exists():
        raise click.ClickException(
            f"no Dagster instance at {home}: run `lakehouse run` or `lakehouse dev` first"
        )
    with DagsterInstance.from_config(str(home)) as instance:
        cursors = [
            state.instigator_data.cursor  # type: ignore[union-attr]
            for state in instance.all_instigator_state()
            if state.name == SENSOR and state.instigator_data is not None
        ]
    cursor = next((c for c in cursors if c), None)
    if cursor is None:
        click.echo(f"{SENSOR} has not ticked yet (it runs with the daemon: `lakehouse dev`).")
        return
    ledger = AlertLedger.from_cursor(cursor, start=0)
    click.echo(f"open incidents: {len(ledger.open)}")
    for data in sorted(ledger.open.values(), key=lambda d: d["occurred_at"]):
        notice = Notice.from_json(data)
        partition = f" [{notice.partition}]" if notice.partition else ""
        click.echo(
            f"  {notice.occurred_at}  {notice.asset_key} · {notice.check_name}{partition}"
            f"  {notice.severity}  {notice.run_url or notice.asset_url or ''}"
        )
    click.echo(f"notices waiting for a channel: {len(ledger.outbox)}")
    for pending in ledger.outbox:
        click.echo(
            f"  {pending.notice.subject} -> {', '.join(pending.channels)}"
            f" ({pending.attempts} attempts; last: {pending.last_error})"
        )
