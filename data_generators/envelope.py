"""Cheap, deterministic serialization of the shared event envelope.

Every record on every topic is one JSON object with keys in this order (the contract,
:mod:`streaming.contracts`, owns the fields; this module only writes them)::

    {"id": <uuid>, "type": <event type>, "event_time": "YYYY-MM-DDTHH:MM:SS.mmmZ",
     "schema_version": <int>, "payload": {...}}

High-volume streams (clickstream) are serialized column-wise: each field is turned into
an Arrow array of JSON literals and the objects are stitched together by Arrow's string
kernels, so no Python object is created per event. Low-volume streams use orjson on
dicts. Both paths yield byte-identical JSON for the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from streaming.contracts import ENVELOPE_FIELDS

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_QUOTE = ord('"')


def _fixed_width_strings(matrix: np.ndarray) -> pa.StringArray:
    """Turn an (n, width) uint8 matrix of ASCII into an Arrow string array."""
    n, width = matrix.shape
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    data = np.ascontiguousarray(matrix).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))


def uuid_strings(rng: np.random.Generator, n: int, *, quoted: bool) -> pa.StringArray:
    """``n`` random version-4 UUIDs drawn from ``rng`` (so they are reproducible)."""
    raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    nibbles = np.empty((n, 32), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 0x0F
    chars = _HEX[nibbles]
    q = 1 if quoted else 0
    out = np.full((n, 36 + 2 * q), ord("-"), dtype=np.uint8)
    if quoted:
        out[:, 0] = out[:, -1] = _QUOTE
    for src, dst in ((0, 0), (8, 9), (12, 14), (16, 19), (20, 24)):
        length = {0: 8, 8: 4, 12: 4, 16: 4, 20: 12}[src]
        out[:, q + dst : q + dst + length] = chars[:, src : src + length]
    return _fixed_width_strings(out)


def _put_digits(out: np.ndarray, col: int, values: np.ndarray, width: int) -> None:
    for i in range(width - 1, -1, -1):
        out[:, col + i] = _DIGITS[values % 10]
        values = values // 10


def iso_strings(ms: np.ndarray, *, quoted: bool) -> pa.StringArray:
    """UTC ``YYYY-MM-DDTHH:MM:SS.mmmZ`` for epoch milliseconds (years 1970-9999)."""
    ms = np.asarray(ms, dtype=np.int64)
    days, rem = np.divmod(ms, 86_400_000)
    # Civil-from-days (H. Hinnant), vectorised; numpy's datetime_as_string is ~10x slower.
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    q = 1 if quoted else 0
    out = np.empty((len(ms), 24 + 2 * q), dtype=np.uint8)
    if quoted:
        out[:, 0] = out[:, -1] = _QUOTE
    template = np.frombuffer(b"0000-00-00T00:00:00.000Z", dtype=np.uint8)
    out[:, q : q + 24] = template
    _put_digits(out, q + 0, year, 4)
    _put_digits(out, q + 5, month, 2)
    _put_digits(out, q + 8, day, 2)
    _put_digits(out, q + 11, rem // 3_600_000, 2)
    _put_digits(out, q + 14, (rem // 60_000) % 60, 2)
    _put_digits(out, q + 17, (rem // 1000) % 60, 2)
    _put_digits(out, q + 20, rem % 1000, 3)
    return _fixed_width_strings(out)


def int_literals(values: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
    """JSON integer literals; positions in ``null_mask`` become JSON null."""
    return pc.cast(pa.array(values, mask=null_mask), pa.string())


def money(cents: int) -> float:
    """An amount in cents as a JSON number.

    ``cents / 100`` is the double nearest the decimal, and orjson prints the shortest
    text that reads back as that double, i.e. the decimal itself ("12.34", "5.0").
    Readers parsing it as DECIMAL(p, 2) get the exact amount.
    """
    return int(cents) / 100


def cents(amount: float) -> int:
    return round(amount * 100)


class Literal:
    """A pool of values pre-encoded as JSON literals, sampled by index."""

    def __init__(self, values: Sequence[Any]) -> None:
        self.values = list(values)
        self.encoded = pa.array([orjson.dumps(v).decode() for v in self.values], pa.string())

    def take(self, index: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
        return self.encoded.take(pa.array(index, mask=null_mask))


def json_objects(fields: Sequence[tuple[str, pa.Array | str]]) -> pa.Array:
    """Stitch ``{"k1":v1,"k2":v2,...}`` from per-field arrays of JSON literals.

    A plain ``str`` is a constant literal for every row; a null array entry is ``null``.
    """
    parts: list[pa.Array | str] = []
    for i, (name, value) in enumerate(fields):
        parts.append(("{" if i == 0 else ",") + orjson.dumps(name).decode() + ":")
        parts.append(value)
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "", null_handling="replace", null_replacement="null")


def envelopes(
    ids: pa.Array,
    event_type: pa.Array | str,
    times: pa.Array,
    version: pa.Array | str,
    payload: pa.Array,
) -> pa.Array:
    """Envelope JSON for columns that are already JSON literals."""
    return json_objects(
        list(zip(ENVELOPE_FIELDS, (ids, event_type, times, version, payload), strict=True))
    )


def encode_rows(
    ids: pa.StringArray,
    types: Sequence[str],
    event_ms: np.ndarray,
    versions: Sequence[int],
    payloads: Sequence[dict[str, Any]],
) -> list[bytes]:
    """Envelope JSON for low-volume streams, one orjson call per record."""
    id_list = ids.to_pylist()
    time_list = iso_strings(event_ms, quoted=False).to_pylist()
    return [
        orjson.dumps({"id": i, "type": t, "event_time": ts, "schema_version": v, "payload": p})
        for i, t, ts, v, p in zip(id_list, types, time_list, versions, payloads, strict=True)
    ]
