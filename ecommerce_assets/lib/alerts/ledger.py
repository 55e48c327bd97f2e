"""The alert sensor's memory, kept in its cursor: what is open, what is still to send.

An *incident* opens when a check fails (or a table goes stale) and closes when the same
check passes again on the same asset and partition (or the table is fresh again). Each
transition makes one notice; a check that keeps failing while open makes none. Notices
wait in the *outbox* per channel until that channel takes them, so a channel that is
down gets them later and the others never get them twice. The cursor is stored by the
Dagster instance with every tick, so all of this survives daemon restarts.
"""

from __future__ import annotations

import fnmatch
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ecommerce_assets.lib.alerts.channels import Channel, DeliveryError
from ecommerce_assets.lib.alerts.notices import Notice

#: Runs are read by update time; ones updated this close to the cursor are read again
#: (and skipped by id) so a run finishing in the same instant as another is not lost.
OVERLAP_S = 300.0
#: The outbox never grows past this: the oldest undelivered notices are dropped.
MAX_OUTBOX = 200


@dataclass
class Pending:
    notice: Notice
    channels: list[str]
    attempts: int = 0
    last_error: str = ""


@dataclass
class AlertLedger:
    runs_after: float
    recent_runs: dict[str, float] = field(default_factory=dict)
    # incident key -> the notice that opened it (as JSON)
    open: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: list[Pending] = field(default_factory=list)

    # -- the cursor -------------------------------------------------------------------
    @staticmethod
    def from_cursor(cursor: str | None, start: float) -> AlertLedger:
        if not cursor:
            return AlertLedger(runs_after=start)
        data = json.loads(cursor)
        return AlertLedger(
            runs_after=data["runs_after"],
            recent_runs=data.get("recent_runs", {}),
            open=data.get("open", {}),
            outbox=[
                Pending(
                    notice=Notice.from_json(item["notice"]),
                    channels=item["channels"],
                    attempts=item.get("attempts", 0),
                    last_error=item.get("last_error", ""),
                )
                for item in data.get("outbox", [])
            ],
        )

    def to_cursor(self) -> str:
        return json.dumps(
            {
                "runs_after": self.runs_after,
                "recent_runs": self.recent_runs,
                "open": self.open,
                "outbox": [
                    {
                        "notice": p.notice.to_json(),
                        "channels": p.channels,
                        "attempts": p.attempts,
                        "last_error": p.last_error,
                    }
                    for p in self.outbox
                ],
            },
            sort_keys=True,
        )

    # -- runs already read --------------------------------------------------------------
    def seen(self, run_id: str) -> bool:
        return run_id in self.recent_runs

    def mark_run(self, run_id: str, updated_at: float) -> None:
        self.recent_runs[run_id] = updated_at
        self.runs_after = max(self.runs_after, updated_at)
        horizon = self.runs_after - OVERLAP_S
        self.recent_runs = {r: t for r, t in self.recent_runs.items() if t >= horizon}

    # -- transitions ---------------------------------------------------------------------
    def observe(self, key: str, problem: Notice | None, recovery: Notice | None) -> Notice | None:
        """Record the latest state of ``key``: ``problem`` if failing, else ``recovery``.

        Returns the notice to send: the problem if it opens an incident, the recovery if
        it closes one, else None.
        """
        if problem is not None:
            if key in self.open:
                return None
            self.open[key] = problem.to_json()
            return problem
        if recovery is not None and self.open.pop(key, None) is not None:
            return recovery
        return None

    def is_open(self, key: str) -> bool:
        return key in self.open

    # -- delivery ------------------------------------------------------------------------
    def enqueue(self, notice: Notice, channels: Sequence[Channel]) -> None:
        self.outbox.append(Pending(notice, [c.name for c in channels]))

    def deliver(
        self, channels: Sequence[Channel], log: Callable[[str], None], budget_s: float
    ) -> None:
        """Send every waiting notice to the channels still owed it, within ``budget_s``.

        A channel that fails keeps the notice (and is not tried again this tick, so a
        dead server costs one timeout per tick); the ones that took it are done with it.
        """
        deadline = time.monotonic() + budget_s
        by_name = {c.name: c for c in channels}
        failed_now: dict[str, str] = {}
        for pending in self.outbox:
            # A channel switched off in the settings no longer owes anything.
            pending.channels = [name for name in pending.channels if name in by_name]
            for name in list(pending.channels):
                if name in failed_now or time.monotonic() > deadline:
                    continue
                try:
                    by_name[name].send(pending.notice)
                except DeliveryError as error:
                    failed_now[name] = str(error)
                    pending.attempts += 1
                    pending.last_error = f"{name}: {error}"
                    continue
                pending.channels.remove(name)
        for name, error in failed_now.items():
            owed = sum(name in p.channels for p in self.outbox)
            log(f"alert channel {name} failed ({error}); {owed} notice(s) kept for the next tick")
        self.outbox = [p for p in self.outbox if p.channels]
        if len(self.outbox) > MAX_OUTBOX:
            dropped = self.outbox[: len(self.outbox) - MAX_OUTBOX]
            self.outbox = self.outbox[-MAX_OUTBOX:]
            log(f"dropped {len(dropped)} undelivered notice(s): the outbox holds {MAX_OUTBOX}")


def silenced(patterns: Sequence[str], asset_key: str, check_name: str) -> bool:
    """True if ``<asset key>:<check name>`` matches a silence pattern (shell-style)."""
    name = f"{asset_key}:{check_name}"
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
