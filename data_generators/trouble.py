"""Deliberate data-quality trouble, injected after serialization.

For ``n`` valid records of a stream in a slice, exactly ``round(share * n)`` records are
picked per kind (so counts are exact, not just expected):

* out of order - delivered 1 s to 10 min after their event time, i.e. after newer events
  (including newer events of the same key);
* late - delivered ``late_min_minutes`` to ``late_max_hours`` after their event time
  (log-uniform, so most are minutes and some are days late); late and out-of-order
  picks are disjoint;
* duplicates - an exact second copy (same id, same bytes) delivered up to a minute later;
* malformed - an *extra* corrupted copy of a valid record: invalid JSON (truncated),
  a missing required envelope field, or a wrong type. The valid original is still
  delivered, so valid counts and business totals are unaffected.

Schema drift is not injected here: it is part of the event shape (see
:mod:`data_generators.engine`, and ``schema_version`` in :mod:`streaming.contracts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import orjson
import pyarrow as pa

from data_generators.params import TroubleParams
from data_generators.records import Serialized
from streaming.contracts import REQUIRED_FIELDS

MALFORMED_KINDS = ("invalid_json", "missing_field", "wrong_type")


@dataclass
class Injected:
    """What was injected, as the event times of the affected valid records."""

    duplicates: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    late: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    out_of_order: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    malformed: dict[str, np.ndarray] = field(default_factory=dict)


def _pick(rng: np.random.Generator, pool: np.ndarray, share: float, n: int) -> np.ndarray:
    k = min(len(pool), round(share * n))
    if k == 0:
        return np.empty(0, np.int64)
    return np.sort(rng.choice(pool, size=k, replace=False))


def corrupt(value: str, kind: str, rng: np.random.Generator) -> str:
    if kind == "invalid_json":
        # Any proper prefix of a JSON object is invalid JSON.
        return value[: int(rng.integers(1, len(value)))]
    record = orjson.loads(value)
    if kind == "missing_field":
        del record[REQUIRED_FIELDS[int(rng.integers(len(REQUIRED_FIELDS)))]]
    else:
        victim = int(rng.integers(3))
        if victim == 0:
            record["event_time"] = 1_700_000_000_000  # epoch ms instead of ISO text
        elif victim == 1:
            record["schema_version"] = f"v{record['schema_version']}"
        else:
            record["payload"] = orjson.dumps(record["payload"]).decode()
    return orjson.dumps(record).decode()


def inject(
    batch: Serialized,
    event_ms: np.ndarray,
    rng: np.random.Generator,
    trouble: TroubleParams,
) -> tuple[Serialized, Injected]:
    """Return all records to deliver and what was injected.

    The returned batch holds the valid records first, then duplicates, then malformed
    copies; its timestamps are delivery times. The caller orders by delivery time.
    """
    n = len(batch)
    arrival = event_ms.copy()
    injected = Injected()
    everyone = np.arange(n)
    ooo = _pick(rng, everyone, trouble.out_of_order_share, n)
    arrival[ooo] += rng.integers(1_000, 600_000, size=len(ooo))
    late = _pick(rng, np.setdiff1d(everyone, ooo), trouble.late_share, n)
    lo, hi = np.log(trouble.late_min_minutes * 60_000), np.log(trouble.late_max_hours * 3.6e6)
    arrival[late] += np.exp(rng.uniform(lo, hi, size=len(late))).astype(np.int64)
    injected.out_of_order, injected.late = event_ms[ooo], event_ms[late]

    parts = [Serialized(batch.stream, batch.keys, batch.values, arrival)]
    dups = _pick(rng, everyone, trouble.duplicate_share, n)
    if len(dups):
        copy = batch.take(dups)
        copy.timestamps = arrival[dups] + rng.integers(0, 60_000, size=len(dups))
        parts.append(copy)
        injected.duplicates = event_ms[dups]
    bad = _pick(rng, everyone, trouble.malformed_share, n)
    if len(bad):
        kinds = rng.integers(0, len(MALFORMED_KINDS), size=len(bad))
        originals = batch.values.take(pa.array(bad)).to_pylist()
        values = [
            corrupt(v, MALFORMED_KINDS[k], rng) for v, k in zip(originals, kinds, strict=True)
        ]
        parts.append(
            Serialized(
                batch.stream,
                batch.keys.take(pa.array(bad)),
                pa.array(values, pa.string()),
                arrival[bad] + rng.integers(0, 60_000, size=len(bad)),
            )
        )
        injected.malformed = {
            kind: event_ms[bad[kinds == i]] for i, kind in enumerate(MALFORMED_KINDS)
        }
    return Serialized.concat(batch.stream, parts), injected
