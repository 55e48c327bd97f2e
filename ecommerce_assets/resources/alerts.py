"""Alert channels and rules, from the ``alert_*`` settings."""

from __future__ import annotations

import os

from dagster import ConfigurableResource, EnvVar
from pydantic import Field, SecretStr

from ecommerce_assets.lib.alerts.channels import (
    Channel,
    EmailChannel,
    SlackChannel,
    WebhookChannel,
)
from ecommerce_assets.settings import LakehouseSettings, env_name


class AlertsResource(ConfigurableResource):
    """Which channels alerts go to, which severities alert, what is silenced."""

    webserver_url: str
    webhook_url: str | None = None
    slack_webhook_url: str | None = None
    email_to: list[str] = Field(default_factory=list)
    email_from: str = "lakehouse-alerts@localhost"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    on_warn: bool = False
    silence: list[str] = Field(default_factory=list)

    def channels(self) -> list[Channel]:
        """The channels switched on, in a fixed order (the log is always on, separately)."""
        channels: list[Channel] = []
        if self.webhook_url:
            channels.append(WebhookChannel(self.webhook_url))
        if self.slack_webhook_url:
            channels.append(SlackChannel(self.slack_webhook_url))
        if self.email_to and self.smtp_host:
            channels.append(
                EmailChannel(
                    host=self.smtp_host,
                    port=self.smtp_port,
                    sender=self.email_from,
                    recipients=tuple(self.email_to),
                    starttls=self.smtp_starttls,
                    user=self.smtp_user,
                    password=self.smtp_password,
                )
            )
        return channels

    @classmethod
    def from_settings(cls, settings: LakehouseSettings) -> AlertsResource:
        password = settings.alert_smtp_password
        return cls(
            webserver_url=settings.webserver_url,
            webhook_url=settings.alert_webhook_url,
            slack_webhook_url=settings.alert_slack_webhook_url,
            email_to=settings.alert_email_to,
            email_from=settings.alert_email_from,
            smtp_host=settings.alert_smtp_host,
            smtp_port=settings.alert_smtp_port,
            smtp_starttls=settings.alert_smtp_starttls,
            smtp_user=settings.alert_smtp_user,
            smtp_password=_masked(password),
            on_warn=settings.alert_on_warn,
            silence=settings.alert_silence,
        )


def _masked(password: SecretStr | None) -> str | None:
    """The SMTP password as an ``EnvVar`` where possible: the UI then shows its name only."""
    if password is None:
        return None
    variable = env_name("alert_smtp_password")
    # Settings may come from a .env file, which Dagster's EnvVar cannot read.
    if os.environ.get(variable) == password.get_secret_value():
        return EnvVar(variable)  # type: ignore[return-value]
    return password.get_secret_value()
