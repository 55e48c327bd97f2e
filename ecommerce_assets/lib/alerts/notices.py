"""What an alert says: one :class:`Notice`, rendered per channel.

A notice is plain JSON-able data, so undelivered notices can wait in the sensor's cursor
and be sent, unchanged, on a later tick.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from typing import Any, Literal
from urllib.parse import quote

from dagster import TableMetadataValue, TableSchemaMetadataValue

Kind = Literal["failed", "resolved", "stale", "fresh"]

#: What each kind is called in subjects and messages.
TITLES: dict[Kind, str] = {
    "failed": "Asset check failed",
    "resolved": "Asset check passes again",
    "stale": "Table is stale",
    "fresh": "Table is fresh again",
}

#: The check name freshness notices carry: silence them with ``*:freshness``.
FRESHNESS_CHECK = "freshness"

# Metadata values are cut so one notice stays small (the cursor holds the undelivered).
MAX_METADATA_CHARS = 1000


@dataclass(frozen=True)
class Notice:
    """One alert: a check failing or passing again, a table going stale or fresh again."""

    kind: Kind
    asset_key: str
    check_name: str
    partition: str | None
    severity: str
    description: str | None
    metadata: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None
    run_url: str | None = None
    asset_url: str | None = None
    occurred_at: str = ""

    @property
    def id(self) -> str:
        """The same notice has the same id on every tick: receivers can dedupe on it."""
        return f"{self.kind}:{self.asset_key}:{self.check_name}:{self.partition or '-'}:" + (
            self.run_id or self.occurred_at
        )

    @property
    def subject(self) -> str:
        partition = f" [{self.partition}]" if self.partition else ""
        return f"[lakehouse] {TITLES[self.kind]}: {self.asset_key} · {self.check_name}{partition}"

    @property
    def is_problem(self) -> bool:
        return self.kind in ("failed", "stale")

    def to_json(self) -> dict[str, Any]:
        return {"event": f"asset_{self.kind}", "id": self.id, "title": TITLES[self.kind]} | asdict(
            self
        )

    @staticmethod
    def from_json(data: dict[str, Any]) -> Notice:
        return Notice(**{k: v for k, v in data.items() if k not in ("event", "id", "title")})

    def text(self) -> str:
        """The plain-text body: for email and the log."""
        lines = [
            f"{TITLES[self.kind]}: {self.asset_key}",
            f"check: {self.check_name}",
            f"partition: {self.partition or '(whole table)'}",
            f"severity: {self.severity}",
        ]
        if self.description:
            lines.append(f"description: {self.description}")
        for name, value in self.metadata.items():
            lines.append(f"{name}: {_short(value)}")
        if self.run_url:
            lines.append(f"run: {self.run_url}")
        if self.asset_url:
            lines.append(f"asset: {self.asset_url}")
        lines.append(f"at: {self.occurred_at}")
        return "\n".join(lines)

    def slack_payload(self) -> dict[str, Any]:
        """A Slack incoming-webhook message: Block Kit, with ``text`` as the fallback."""
        icon = ":red_circle:" if self.is_problem else ":large_green_circle:"
        fields = [
            f"*Asset*\n`{self.asset_key}`",
            f"*Check*\n`{self.check_name}`",
            f"*Partition*\n{self.partition or 'whole table'}",
            f"*Severity*\n{self.severity}",
        ]
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": TITLES[self.kind]}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        ]
        if self.description:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": self.description}})
        if self.metadata:
            details = "\n".join(f"• *{k}*: {_short(v, 300)}" for k, v in self.metadata.items())
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": details}})
        links = [url for url in (self.run_url, self.asset_url) if url]
        if links:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": label},
                            "url": url,
                        }
                        for label, url in zip(("Open run", "Open asset"), links, strict=False)
                        if url
                    ],
                }
            )
        return {"text": f"{icon} {self.subject}", "blocks": blocks}

    def email(self, sender: str, recipients: list[str]) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = self.subject
        message["From"] = sender
        message["To"] = ", ".join(recipients)
        message["X-Lakehouse-Notice-Id"] = self.id
        message.set_content(self.text())
        return message


def run_url(webserver_url: str, run_id: str) -> str:
    return f"{webserver_url}/runs/{run_id}"


def asset_url(webserver_url: str, asset_key: str, view: str | None = None) -> str:
    path = "/".join(quote(part) for part in asset_key.split("/"))
    return f"{webserver_url}/assets/{path}" + (f"?view={view}" if view else "")


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")


def plain_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Dagster metadata values as JSON-able values, each cut to a readable length."""
    plain: dict[str, Any] = {}
    for name, value in metadata.items():
        if isinstance(value, TableMetadataValue):
            raw: Any = [record.data for record in value.records]  # e.g. failing_rows
        elif isinstance(value, TableSchemaMetadataValue):
            raw = {column.name: column.type for column in value.schema.columns}
        else:
            raw = getattr(value, "value", value)
        try:
            json.dumps(raw)
        except TypeError:
            raw = str(raw)
        # A long text is cut as text; anything else as its JSON (e.g. a long sample).
        text = raw if isinstance(raw, str) else json.dumps(raw)
        plain[name] = raw if len(text) <= MAX_METADATA_CHARS else text[:MAX_METADATA_CHARS] + "…"
    return plain


def _short(value: Any, limit: int = MAX_METADATA_CHARS) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "…"
