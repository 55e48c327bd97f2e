"""The ledger: incidents open once and close once; a failing channel keeps exactly its
notices; all of it survives a round trip through the cursor."""

from dataclasses import dataclass, field

import pytest

from ecommerce_assets.lib.alerts.channels import DeliveryError
from ecommerce_assets.lib.alerts.ledger import MAX_OUTBOX, OVERLAP_S, AlertLedger, silenced
from ecommerce_assets.lib.alerts.notices import Notice


@dataclass
class Recorder:
    name: str
    down: bool = False
    sent: list[str] = field(default_factory=list)

    def send(self, notice: Notice) -> None:
        if self.down:
            raise DeliveryError("connection refused")
        self.sent.append(notice.id)


def notice(kind: str = "failed", run_id: str = "r1", partition: str | None = None) -> Notice:
    return Notice(
        kind=kind,  # type: ignore[arg-type]
        asset_key="gold/fct_orders",
        check_name="order_total_positive",
        partition=partition,
        severity="ERROR",
        description="Totals are positive.",
        metadata={"bad_rows": 3},
        run_id=run_id,
        occurred_at="2026-12-01T00:00:00+00:00",
    )


def test_an_incident_opens_once_and_closes_once() -> None:
    ledger = AlertLedger(runs_after=0)
    key = "gold/fct_orders|order_total_positive|"
    assert ledger.observe(key, problem=notice(), recovery=None) == notice()
    assert ledger.observe(key, problem=notice(run_id="r2"), recovery=None) is None
    assert ledger.is_open(key)
    assert ledger.observe(key, problem=None, recovery=notice("resolved", "r3")) is not None
    assert ledger.observe(key, problem=None, recovery=notice("resolved", "r4")) is None
    assert not ledger.is_open(key)


def test_a_pass_without_an_open_incident_sends_nothing() -> None:
    ledger = AlertLedger(runs_after=0)
    assert ledger.observe("k", problem=None, recovery=notice("resolved")) is None


def test_a_down_channel_keeps_its_notices_and_the_others_get_them_once() -> None:
    up, down = Recorder("slack"), Recorder("webhook", down=True)
    logs: list[str] = []
    ledger = AlertLedger(runs_after=0)
    ledger.enqueue(notice(run_id="r1"), [up, down])
    ledger.enqueue(notice(run_id="r2"), [up, down])
    ledger.deliver([up, down], logs.append, budget_s=10)
    assert len(up.sent) == 2 and down.sent == []
    assert [p.channels for p in ledger.outbox] == [["webhook"], ["webhook"]]
    assert logs == [
        "alert channel webhook failed (connection refused); 2 notice(s) kept for the next tick"
    ]

    restored = AlertLedger.from_cursor(ledger.to_cursor(), start=0)
    down.down = False
    restored.deliver([up, down], logs.append, budget_s=10)
    assert len(up.sent) == 2
    assert down.sent == [notice(run_id="r1").id, notice(run_id="r2").id]
    assert restored.outbox == []


def test_a_down_channel_is_tried_once_per_tick() -> None:
    down = Recorder("email", down=True)
    ledger = AlertLedger(runs_after=0)
    for run in range(5):
        ledger.enqueue(notice(run_id=f"r{run}"), [down])
    ledger.deliver([down], lambda _: None, budget_s=10)
    assert [p.attempts for p in ledger.outbox] == [1, 0, 0, 0, 0]


def test_a_channel_switched_off_owes_nothing_and_the_outbox_is_bounded() -> None:
    off = Recorder("webhook")
    ledger = AlertLedger(runs_after=0)
    ledger.enqueue(notice(), [off])
    ledger.deliver([], lambda _: None, budget_s=10)
    assert ledger.outbox == []

    down = Recorder("email", down=True)
    logs: list[str] = []
    for run in range(MAX_OUTBOX + 5):
        ledger.enqueue(notice(run_id=f"r{run}"), [down])
    ledger.deliver([down], logs.append, budget_s=10)
    assert len(ledger.outbox) == MAX_OUTBOX
    assert ledger.outbox[0].notice.run_id == "r5"
    assert logs[-1] == f"dropped 5 undelivered notice(s): the outbox holds {MAX_OUTBOX}"


def test_runs_read_are_remembered_within_the_overlap_only() -> None:
    ledger = AlertLedger(runs_after=0)
    ledger.mark_run("a", 1000.0)
    ledger.mark_run("b", 1000.0 + OVERLAP_S + 1)
    assert ledger.runs_after == 1000.0 + OVERLAP_S + 1
    assert not ledger.seen("a") and ledger.seen("b")


def test_the_cursor_round_trips_everything() -> None:
    ledger = AlertLedger(runs_after=12.5, recent_runs={"r": 12.5})
    ledger.observe("k", problem=notice(partition="2024-11-25"), recovery=None)
    ledger.enqueue(notice(partition="2024-11-25"), [Recorder("slack")])
    restored = AlertLedger.from_cursor(ledger.to_cursor(), start=0)
    assert restored == ledger
    assert AlertLedger.from_cursor(None, start=99.0).runs_after == 99.0


@pytest.mark.parametrize(
    ("patterns", "asset", "check", "expected"),
    [
        (["gold/fct_orders:*"], "gold/fct_orders", "order_total_positive", True),
        (["gold/fct_orders:*"], "gold/fct_order_items", "x", False),
        (["*:freshness"], "bronze/orders", "freshness", True),
        (["silver/*:not_null_*"], "silver/orders", "not_null_order_id", True),
        ([], "silver/orders", "x", False),
    ],
)
def test_silence_patterns(patterns: list[str], asset: str, check: str, expected: bool) -> None:
    assert silenced(patterns, asset, check) is expected
