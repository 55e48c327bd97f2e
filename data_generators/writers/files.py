"""Write records to day-partitioned files for historical backfill.

Layout (the day is the *delivery* day, so late records land in a later folder, as they
would in a real landing zone)::

    <root>/<topic>/date=YYYY-MM-DD/part-00000.jsonl      one envelope per line
    <root>/<topic>/date=YYYY-MM-DD/part-00000.parquet    key, value, timestamp

The Parquet columns mirror a Kafka record (key, value = the envelope JSON text,
timestamp = delivery time) so bronze ingests both sources with one parser, malformed
records included.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from data_generators.calendar import MS_PER_DAY
from data_generators.records import Serialized

FORMATS = ("jsonl", "parquet")
PARQUET_SCHEMA = pa.schema(
    [
        pa.field("key", pa.string()),
        pa.field("value", pa.string()),
        pa.field("timestamp", pa.timestamp("ms", tz="UTC")),
    ]
)


class FileWriter:
    def __init__(
        self,
        root: Path,
        topics: Mapping[str, str],
        formats: Sequence[str] = FORMATS,
        compression: str = "zstd",
    ) -> None:
        unknown = set(formats) - set(FORMATS)
        if unknown or not formats:
            raise ValueError(f"formats must be a non-empty subset of {FORMATS} (got {formats})")
        self.root = Path(root)
        self.topics = dict(topics)
        self.formats = tuple(formats)
        self.compression = compression
        self._jsonl: dict[tuple[str, int], IO[bytes]] = {}
        self._parquet: dict[tuple[str, int], pq.ParquetWriter] = {}
        self._rows: dict[Path, int] = {}

    def _folder(self, stream: str, day: int) -> Path:
        date = str(np.datetime64(day, "D"))
        folder = self.root / self.topics[stream] / f"date={date}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def write(self, batch: Serialized) -> None:
        days = batch.timestamps // MS_PER_DAY
        # Delivery order makes days non-decreasing, so each day is one contiguous run.
        bounds = np.flatnonzero(np.diff(days)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(days)], strict=True):
            self._write_day(batch, int(days[lo]), int(lo), int(hi))

    def _write_day(self, batch: Serialized, day: int, lo: int, hi: int) -> None:
        key = (batch.stream, day)
        values = batch.values.slice(lo, hi - lo)
        if "jsonl" in self.formats:
            if key not in self._jsonl:
                path = self._folder(*key) / "part-00000.jsonl"
                self._jsonl[key] = path.open("wb")
                self._rows[path] = 0
            handle = self._jsonl[key]
            # Arrow's data buffer already holds the values back to back: joining is cheap.
            handle.write("\n".join(values.to_pylist()).encode() + b"\n")
            self._rows[Path(handle.name)] += hi - lo
        if "parquet" in self.formats:
            if key not in self._parquet:
                path = self._folder(*key) / "part-00000.parquet"
                self._parquet[key] = pq.ParquetWriter(
                    path, PARQUET_SCHEMA, compression=self.compression
                )
                self._rows[path] = 0
            table = pa.table(
                [batch.keys.slice(lo, hi - lo), values,
                 pa.array(batch.timestamps[lo:hi], pa.timestamp("ms", tz="UTC"))],
                schema=PARQUET_SCHEMA,
            )  # fmt: skip
            writer = self._parquet[key]
            writer.write_table(table)
            self._rows[Path(writer.where)] += hi - lo

    def close_days_before(self, day: int) -> None:
        """Close files of days that can no longer receive records."""
        for key in [k for k in self._jsonl if k[1] < day]:
            self._jsonl.pop(key).close()
        for key in [k for k in self._parquet if k[1] < day]:
            self._parquet.pop(key).close()

    def flush(self) -> None:
        self.close_days_before(2**62)

    def describe(self) -> dict[str, Any]:
        files = []
        for path, rows in sorted(self._rows.items()):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files.append({"path": str(path.relative_to(self.root)), "rows": rows, "sha256": digest})
        return {"kind": "files", "root": str(self.root), "formats": list(self.formats),
                "files": files}  # fmt: skip
