"""The streaming engine: walks the simulated timeline slice by slice.

For each day it applies the nightly entity changes, then for each slice of the day it
simulates the sessions, settles their purchases, releases scheduled cancellations and
returns that fall into the slice, serializes every stream, injects trouble and yields
what is due for delivery. Nothing but O(customers + products) state and the records of
future slices (scheduled business events, delayed deliveries) is kept between slices,
so memory does not grow with the number of days or events.

Every random draw comes from a generator seeded by (seed, purpose, day, slice[,
stream]), so the output depends only on the parameters.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from data_generators.calendar import (
    MS_PER_DAY,
    day_factor,
    day_start_ms,
    slice_weights,
    slices_per_day,
)
from data_generators.clickstream import (
    EVENT_TYPES,
    MEAN_EVENTS_PER_SESSION,
    PURCHASE,
    ClickstreamModel,
    SliceClicks,
)
from data_generators.commerce import Scheduled, settle
from data_generators.entities import Universe
from data_generators.envelope import encode_rows, uuid_strings
from data_generators.manifest import ManifestBuilder
from data_generators.params import GeneratorParams
from data_generators.records import Rows, Serialized
from data_generators.seeding import rng_for
from data_generators.trouble import inject
from streaming.contracts import DRIFT_SCHEMA_VERSION, STREAMS, event_contract

# Seeds are derived from the stream's position, so a reordered STREAMS changes the data.
_STREAM_ID = {s: i for i, s in enumerate(STREAMS)}
#: Streams built as rows; the clickstream is simulated and serialized column-wise.
_ROW_STREAMS = tuple(s for s in STREAMS if s != "clickstream")


@dataclass
class SliceOutput:
    """Records due for delivery after one slice, per stream, in delivery order."""

    day_index: int
    slice_index: int
    end_ms: int
    batches: list[Serialized]


class Engine:
    def __init__(self, params: GeneratorParams, start_ms: int | None = None) -> None:
        self.params = params
        self.live = params.mode == "live"
        if start_ms is None:
            start_ms = int(time.time() * 1000) if self.live else day_start_ms(params.start_date)
        self.start_ms = start_ms
        # Live mode paces the simulated clock 1:1 with the wall clock, so the rate is
        # the simulated traffic; a flat profile keeps it near the target all day.
        self.events_per_day = int(params.rate * 86_400) if self.live else params.events_per_day
        if self.live:
            today = dt.date(1970, 1, 1) + dt.timedelta(days=start_ms // MS_PER_DAY)
            params = params.model_copy(
                update={"start_date": today, "events_per_day": self.events_per_day}
            )
        self.universe = Universe(params, start_ms=start_ms)
        self.model = ClickstreamModel(self.universe)
        # Live slices last one second so a run can stop promptly at its duration.
        self.n_slices = 86_400 if self.live else slices_per_day(self.events_per_day)
        self.slice_ms = MS_PER_DAY // self.n_slices
        trouble = params.trouble
        self.drift_ms = (
            None
            if trouble.schema_drift_from_day is None
            else start_ms + trouble.schema_drift_from_day * MS_PER_DAY
        )
        self.manifest = ManifestBuilder(params.model_dump(mode="json"), params.topics.streams())
        self._scheduled: dict[int, list[Scheduled]] = defaultdict(list)
        self._delayed: dict[int, dict[str, list[Serialized]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def _slice_of(self, ms: int | np.ndarray) -> int | np.ndarray:
        return (ms - self.start_ms) // self.slice_ms

    def run(self) -> Iterator[SliceOutput]:
        p = self.params
        last_slice = p.days * self.n_slices
        for day in range(p.days):
            day_t0 = self.start_ms + day * MS_PER_DAY
            date = dt.date(1970, 1, 1) + dt.timedelta(days=day_t0 // MS_PER_DAY)
            if day == 0:
                for chunk, rows_by_stream in enumerate(self.universe.snapshot()):
                    batches = self._deliver(0, ("snapshot", chunk), rows_by_stream, None)
                    yield SliceOutput(0, -1, self.start_ms, batches)
            entity_rows = self.universe.begin_day(day)
            by_slice: dict[int, dict[str, Rows]] = defaultdict(lambda: defaultdict(Rows))
            for stream, rows in entity_rows.items():
                slots = (np.array(rows.event_ms, dtype=np.int64) - day_t0) // self.slice_ms
                for slot in np.unique(slots).tolist():
                    by_slice[slot][stream].extend(rows.take(np.flatnonzero(slots == slot)))
            plan = rng_for(p.seed, "plan", day)
            factor = 1.0 if self.live else day_factor(date)
            weights = (
                np.full(self.n_slices, 1 / self.n_slices)
                if self.live
                else slice_weights(self.n_slices)
            )
            n_sessions = plan.poisson(self.events_per_day * factor / MEAN_EVENTS_PER_SESSION)
            per_slice = plan.multinomial(n_sessions, weights)
            self.manifest.count_sessions(day_t0 // MS_PER_DAY, int(n_sessions))
            active = self.universe.active_campaigns(date)
            for s in range(self.n_slices):
                yield self._slice(day, s, by_slice.get(s, {}), int(per_slice[s]), active)
        for gs in sorted(k for k in self._delayed if k >= last_slice):
            batches = [
                self._order(Serialized.concat(stream, parts))
                for stream, parts in sorted(self._delayed.pop(gs).items())
            ]
            for b in batches:
                self.manifest.count_delivered(b.stream, b.timestamps)
            yield SliceOutput(p.days, gs, self.start_ms + (gs + 1) * self.slice_ms, batches)

    @staticmethod
    def _order(batch: Serialized) -> Serialized:
        order = np.argsort(batch.timestamps, kind="stable")
        return batch.take(order)

    def _slice(
        self, day: int, s: int, entity_rows: dict[str, Rows], n_sessions: int,
        active: dict[str, list[str]],
    ) -> SliceOutput:  # fmt: skip
        p = self.params
        gs = day * self.n_slices + s
        t0 = self.start_ms + gs * self.slice_ms
        t1 = t0 + self.slice_ms
        rows: dict[str, Rows] = defaultdict(Rows)
        for stream, r in entity_rows.items():
            rows[stream].extend(r)
        due = self._scheduled.pop(gs, [])

        clicks = self.model.simulate(
            rng_for(p.seed, "clicks", day, s), t0, t1, n_sessions, active, self.drift_ms
        )
        commerce = settle(
            self.universe, rng_for(p.seed, "commerce", day, s), clicks.purchases,
            clicks.abandoned, self.drift_ms,
        )  # fmt: skip
        rows["orders"].extend(commerce.orders)
        rows["payments"].extend(commerce.payments)
        horizon = p.days * self.n_slices
        for item in commerce.scheduled:
            slot = int(self._slice_of(item.ms))
            if slot == gs:
                due.append(item)
            elif slot < horizon:
                self._scheduled[slot].append(item)
            # Events after the last day never happen within this run.
        for item in due:
            rows[item.stream].add(item.ms, item.event_type, item.key, item.payload)
            for product, qty in item.restock:
                self.universe.move_stock(product, returned=qty)
            if item.spend is not None:
                self.universe.add_spend(*item.spend)
        if s == self.n_slices - 1:
            rows["inventory"].extend(self.universe.end_day(day))

        batches = self._deliver(gs, ("slice", day, s), rows, clicks)
        return SliceOutput(day, s, t1, batches)

    def _deliver(
        self,
        gs: int,
        coords: tuple[str, int] | tuple[str, int, int],
        rows: Mapping[str, Rows],
        clicks: SliceClicks | None,
    ) -> list[Serialized]:
        """Serialize, count, inject trouble and return what is due in slice ``gs``.

        ``coords`` name the unit of work for seeding (a slice, or a snapshot chunk).
        """
        p = self.params
        tag, *where = coords
        serialized: dict[str, tuple[Serialized, np.ndarray]] = {}
        if clicks is not None:
            self.manifest.count_valid(
                "clickstream", clicks.event_ms, clicks.event_type, EVENT_TYPES,
                None if self.drift_ms is None else clicks.event_ms >= self.drift_ms,
            )  # fmt: skip
            self.manifest.count_purchase_events(clicks.event_ms[clicks.event_type == PURCHASE])
            serialized["clickstream"] = (
                Serialized("clickstream", clicks.keys, clicks.values, clicks.event_ms),
                clicks.event_ms,
            )
        for stream in _ROW_STREAMS:
            r = rows.get(stream)
            if not r:
                continue
            r = r.take(np.argsort(np.array(r.event_ms, dtype=np.int64), kind="stable"))
            self.manifest.account(r)
            # Drift shows in the payload (a field of a newer version), so its version does.
            versions = [
                event_contract(t).version_of(pl) for t, pl in zip(r.types, r.payloads, strict=True)
            ]
            ms = np.array(r.event_ms, dtype=np.int64)
            self.manifest.count_valid(
                stream, ms, r.types, drifted=np.array(versions) == DRIFT_SCHEMA_VERSION
            )
            id_rng = rng_for(p.seed, f"ids-{tag}", *where, _STREAM_ID[stream])
            ids = uuid_strings(id_rng, len(r), quoted=False)
            values = encode_rows(ids, r.types, ms, versions, r.payloads)
            keys = pa.array(r.keys, pa.string())
            serialized[stream] = (Serialized(stream, keys, pa.array(values, pa.string()), ms), ms)

        batches = []
        delayed_now = self._delayed.pop(gs, {}) if tag == "slice" else {}
        for stream in STREAMS:
            parts: list[Serialized] = list(delayed_now.get(stream, []))
            if stream in serialized:
                batch, ms = serialized[stream]
                trouble_rng = rng_for(p.seed, f"trouble-{tag}", *where, _STREAM_ID[stream])
                out, injected = inject(batch, ms, trouble_rng, p.trouble)
                self.manifest.count_trouble(stream, injected)
                # Anything due after this slice (delayed records, but also the tails of
                # sessions running past the slice end) is delivered with a later slice,
                # so deliveries are in time order across slices, not only within one.
                slots = self._slice_of(out.timestamps)
                later = slots > gs
                parts.append(out.take(np.flatnonzero(~later)))
                if later.any():
                    idx = np.flatnonzero(later)
                    for slot in np.unique(slots[idx]).tolist():
                        self._delayed[slot][stream].append(out.take(idx[slots[idx] == slot]))
            if parts:
                merged = self._order(Serialized.concat(stream, parts))
                if len(merged):
                    self.manifest.count_delivered(stream, merged.timestamps)
                    batches.append(merged)
        return batches
