"""Where notices go: a JSON webhook, a Slack incoming webhook, email over SMTP.

Each channel sends one notice or raises :class:`DeliveryError`; the sensor keeps a notice
for exactly the channels that raised and tries them again on its next tick. The log is
not a channel here: the sensor always logs every notice itself.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from ecommerce_assets.lib.alerts.notices import Notice

# A tick must end well inside the daemon's sensor timeout (60 s), however many channels
# hang; a slow channel just waits for the next tick.
TIMEOUT_S = 5.0


class DeliveryError(RuntimeError):
    """A channel could not take a notice; the message says what the channel answered."""


class Channel(Protocol):
    name: str

    def send(self, notice: Notice) -> None: ...


def _post_json(url: str, payload: dict[str, Any], headers: dict[str, str]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} from {url}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"cannot reach {url}: {reason}") from None


@dataclass(frozen=True)
class WebhookChannel:
    """The notice as JSON (``Notice.to_json``); ``Idempotency-Key`` is the notice id."""

    url: str
    name: str = "webhook"

    def send(self, notice: Notice) -> None:
        _post_json(self.url, notice.to_json(), {"Idempotency-Key": notice.id})


@dataclass(frozen=True)
class SlackChannel:
    """A Slack-compatible incoming webhook: Block Kit blocks and a text fallback."""

    url: str
    name: str = "slack"

    def send(self, notice: Notice) -> None:
        _post_json(self.url, notice.slack_payload(), {})


@dataclass(frozen=True)
class EmailChannel:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    name: str = "email"

    def send(self, notice: Notice) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user is not None and self.password is not None:
                    smtp.login(self.user, self.password)
                smtp.send_message(notice.email(self.sender, list(self.recipients)))
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {error}") from None
