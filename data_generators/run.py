"""Run the generator into a sink: the functions callers use.

* :func:`generate_to_files` - backfill into JSON lines / Parquet, one folder per day.
* :func:`generate_to_kafka` - backfill or live into Kafka topics.
* :func:`iter_records` - the writer-agnostic stream, for tests and custom sinks.

Each returns/creates the ground-truth manifest (see :mod:`data_generators.manifest`).

Live mode starts the simulated clock at the current time and delivers every record when
the wall clock reaches its timestamp (in 100 ms windows), so timestamps are current.
Sessions last a couple of minutes, so the event rate ramps up to the target over about
that long. A live run stops at a whole one-second slice; delayed (late) records not yet
due at that point are not delivered, and the manifest's ``delivered`` counts say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from data_generators.calendar import MS_PER_DAY
from data_generators.engine import Engine, SliceOutput
from data_generators.manifest import write_manifest
from data_generators.params import GeneratorParams
from data_generators.records import Serialized
from data_generators.writers.files import FORMATS, FileWriter
from data_generators.writers.kafka import KafkaWriter

MANIFEST_FILE = "_manifest.json"
#: Live mode delivers in windows this long, sleeping until each window's time.
LIVE_WINDOW_MS = 100


@dataclass
class Progress:
    """Passed to the progress callback after every slice."""

    day_index: int
    days: int
    slices_done: int
    slices_total: int
    records: int
    elapsed_s: float = 0.0

    @property
    def records_per_s(self) -> float:
        return self.records / self.elapsed_s if self.elapsed_s else 0.0


ProgressCallback = Callable[[Progress], None]


class Sink(Protocol):
    def write(self, batch: Serialized) -> None: ...
    def flush(self) -> None: ...
    def describe(self) -> dict[str, Any]: ...


def iter_records(params: GeneratorParams) -> Iterator[SliceOutput]:
    """The records of a run in delivery order, slice by slice (no pacing)."""
    yield from Engine(params).run()


def _live_windows(out: SliceOutput) -> Iterator[tuple[int, list[Serialized]]]:
    """Split a slice into short windows across streams, in time order."""
    if not out.batches:
        return
    lo = min(int(b.timestamps[0]) for b in out.batches)
    hi = max(int(b.timestamps[-1]) for b in out.batches)
    edges = np.arange(lo + LIVE_WINDOW_MS, hi + LIVE_WINDOW_MS + 1, LIVE_WINDOW_MS)
    cuts = [np.searchsorted(b.timestamps, edges, side="left") for b in out.batches]
    start = [0] * len(out.batches)
    for w, edge in enumerate(edges.tolist()):
        parts = []
        for i, b in enumerate(out.batches):
            end = int(cuts[i][w])
            if end > start[i]:
                parts.append(b.take(np.arange(start[i], end)))
                start[i] = end
        if parts:
            yield edge - LIVE_WINDOW_MS, parts


def _drive(
    params: GeneratorParams,
    sink: Sink,
    progress: ProgressCallback | None,
    on_slice: Callable[[SliceOutput], None] | None = None,
) -> tuple[Engine, float]:
    engine = Engine(params)
    started = time.perf_counter()
    wall_start = time.time()
    total = params.days * engine.n_slices
    records = 0
    done = 0
    for out in engine.run():
        # Snapshot chunks (slice_index -1) precede the first slice; they are not slices.
        done += out.slice_index >= 0
        if engine.live:
            for window_ms, parts in _live_windows(out):
                delay = window_ms / 1000 - time.time()
                if delay > 0:
                    time.sleep(delay)
                for part in parts:
                    sink.write(part)
        else:
            for batch in out.batches:
                sink.write(batch)
        for batch in out.batches:
            records += len(batch)
        if on_slice is not None:
            on_slice(out)
        if progress is not None:
            progress(
                Progress(min(out.day_index, params.days - 1), params.days, min(done, total), total,
                         records, time.perf_counter() - started)
            )  # fmt: skip
        if params.duration_s is not None and time.time() - wall_start >= params.duration_s:
            break
    sink.flush()
    return engine, time.perf_counter() - started


def generate_to_files(
    params: GeneratorParams,
    root: Path | str,
    *,
    formats: Sequence[str] = FORMATS,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Write a run to ``root`` (see :mod:`data_generators.writers.files`).

    Returns the manifest, also written to ``root/_manifest.json``.
    """
    root = Path(root)
    writer = FileWriter(root, params.topics.streams(), formats)

    def close_old(out: SliceOutput) -> None:
        writer.close_days_before((out.end_ms - 1) // MS_PER_DAY)

    engine, elapsed = _drive(params, writer, progress, close_old)
    manifest = engine.manifest.build(writer.describe(), elapsed)
    write_manifest(manifest, root / MANIFEST_FILE)
    return manifest


def generate_to_kafka(
    params: GeneratorParams,
    bootstrap_servers: str,
    *,
    partitions: int = 3,
    replication_factor: int = 1,
    producer_config: Mapping[str, Any] | None = None,
    create_topics: bool = True,
    timeout_s: float = 30.0,
    manifest_path: Path | str | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Produce a run to Kafka, creating missing topics with ``partitions`` partitions.

    Returns the manifest (and writes it to ``manifest_path`` if given). Raises
    :class:`~data_generators.writers.kafka.KafkaWriteError` if any record is not
    acknowledged by the broker.
    """
    writer = KafkaWriter(
        bootstrap_servers,
        params.topics.streams(),
        partitions=partitions,
        replication_factor=replication_factor,
        producer_config=producer_config,
        create_topics=create_topics,
        timeout_s=timeout_s,
    )
    engine, elapsed = _drive(params, writer, progress)
    manifest = engine.manifest.build(
        {**writer.describe(), "bootstrap_servers": bootstrap_servers, "partitions": partitions},
        elapsed,
    )
    if manifest_path is not None:
        write_manifest(manifest, Path(manifest_path))
    return manifest
