"""Containers passed between the simulation, serialization, trouble and writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa


@dataclass
class Rows:
    """Low-volume events of one stream, before serialization."""

    event_ms: list[int] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)

    def add(self, event_ms: int, event_type: str, key: object, payload: dict[str, Any]) -> None:
        self.event_ms.append(int(event_ms))
        self.types.append(event_type)
        self.keys.append(str(key))
        self.payloads.append(payload)

    def extend(self, other: Rows) -> None:
        self.event_ms += other.event_ms
        self.types += other.types
        self.keys += other.keys
        self.payloads += other.payloads

    def __len__(self) -> int:
        return len(self.event_ms)

    def take(self, index: np.ndarray) -> Rows:
        return Rows(
            [self.event_ms[i] for i in index],
            [self.types[i] for i in index],
            [self.keys[i] for i in index],
            [self.payloads[i] for i in index],
        )


@dataclass
class Serialized:
    """Serialized records of one stream: what a writer receives.

    ``timestamps`` is the delivery (arrival) time in epoch ms, used as the Kafka
    record timestamp and to choose the day folder of the file writer. Records are in
    delivery order.
    """

    stream: str
    keys: pa.Array
    values: pa.Array
    timestamps: np.ndarray

    def __len__(self) -> int:
        return len(self.values)

    def take(self, index: np.ndarray) -> Serialized:
        idx = pa.array(index, pa.int64())
        return Serialized(
            self.stream, self.keys.take(idx), self.values.take(idx), self.timestamps[index]
        )

    @staticmethod
    def concat(stream: str, parts: list[Serialized]) -> Serialized:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Serialized.empty(stream)
        if len(parts) == 1:
            return parts[0]
        return Serialized(
            stream,
            pa.concat_arrays([p.keys for p in parts]),
            pa.concat_arrays([p.values for p in parts]),
            np.concatenate([p.timestamps for p in parts]),
        )

    @staticmethod
    def empty(stream: str) -> Serialized:
        return Serialized(
            stream, pa.array([], pa.string()), pa.array([], pa.string()), np.empty(0, np.int64)
        )
