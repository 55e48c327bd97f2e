"""One generated universe, checked against the contract record by record."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from data_generators import GeneratorParams, make_params
from data_generators.engine import Engine
from streaming.contracts.conformance import Violation, check_record

#: Long enough (28 days) for returns and restocks to happen, small enough to take seconds;
#: drift from day 2 covers schema versions 1 and 2; every kind of trouble is injected.
PARAMS: dict[str, Any] = {
    "seed": 21,
    "customers": 300,
    "products": 40,
    "days": 28,
    "events_per_day": 1_200,
    "trouble": {
        "schema_drift_from_day": 2,
        "duplicate_share": 0.01,
        "late_share": 0.02,
        "out_of_order_share": 0.01,
        "malformed_share": 0.01,
    },
}


@dataclass
class Checked:
    """What the conformance check found in every record a run delivered."""

    manifest: dict[str, Any]
    #: (event type, schema version) -> records that kept the contract
    conforming: Counter[tuple[str, int]] = field(default_factory=Counter)
    #: stream -> records that are not events: not JSON, or a broken envelope
    not_events: Counter[str] = field(default_factory=Counter)
    #: violations inside payloads (of records whose envelope is fine)
    payload_violations: list[Violation] = field(default_factory=list)


def check_run(params: GeneratorParams) -> Checked:
    engine = Engine(params)
    records = [
        (batch.stream, key, value)
        for out in engine.run()
        for batch in out.batches
        for key, value in zip(batch.keys.to_pylist(), batch.values.to_pylist(), strict=True)
    ]
    checked = Checked(engine.manifest.build({}, 0.0))
    for stream, key, value in records:
        try:
            record = orjson.loads(value)
        except orjson.JSONDecodeError:
            checked.not_events[stream] += 1
            continue
        violations = check_record(record, stream, key)
        in_payload = [v for v in violations if v.field.startswith("payload.")]
        if in_payload:
            checked.payload_violations += in_payload
        elif violations:
            checked.not_events[stream] += 1
        else:
            checked.conforming[(record["type"], record["schema_version"])] += 1
    return checked


@pytest.fixture(scope="session")
def checked_run() -> Checked:
    return check_run(make_params(**PARAMS))
