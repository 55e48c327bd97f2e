"""Live mode: events at the target rate, stamped with the current time."""

from __future__ import annotations

import time
from pathlib import Path

import orjson

from data_generators import generate_to_files, make_params
from tests.unit.data_generators.test_trouble import parse_ms


def test_live_mode_paces_events_at_the_rate_with_current_timestamps(tmp_path: Path) -> None:
    params = make_params(mode="live", rate=2_000, duration_s=2.0, customers=300, products=50)
    began = int(time.time() * 1000)
    manifest = generate_to_files(params, tmp_path, formats=["jsonl"])
    ended = int(time.time() * 1000)
    assert ended - began >= 1_900, "live mode waits for the wall clock"
    lines = [
        orjson.loads(line)
        for p in (tmp_path / "shop.clickstream").rglob("*.jsonl")
        for line in p.read_text().splitlines()
    ]
    times = [parse_ms(r["event_time"]) for r in lines]
    assert min(times) >= began - 1_000
    # Events may run up to one slice ahead (a session's tail); never far into the future.
    assert max(times) <= ended + 120_000
    # Sessions last minutes, so the first seconds see mostly session starts: the rate
    # ramps up to the target as sessions overlap (about two minutes).
    assert 500 < len(lines) < 6_000
    assert manifest["totals"]["records"]["clickstream"]["delivered"] == len(lines)
