"""committed_offsets reads Spark's checkpoint layout without Spark."""

from __future__ import annotations

from pathlib import Path

import pytest

from streaming.bronze.checkpoint import (
    committed_offsets,
    initial_offsets,
    parse_offsets_file,
    planned_offsets,
    planned_start,
)

METADATA = '{"batchWatermarkMs":0,"batchTimestampMs":1700000000000,"conf":{}}'


def _offsets(root: Path, batch: int, partitions: dict[int, int], topic: str = "shop.orders"):
    (root / "offsets").mkdir(parents=True, exist_ok=True)
    body = ",".join(f'"{p}":{o}' for p, o in partitions.items())
    (root / "offsets" / str(batch)).write_text(f'v1\n{METADATA}\n{{"{topic}":{{{body}}}}}')


def _commit(root: Path, batch: int) -> None:
    (root / "commits").mkdir(parents=True, exist_ok=True)
    (root / "commits" / str(batch)).write_text('v1\n{"nextBatchWatermarkMs":0}')


def test_no_checkpoint_means_nothing_committed(tmp_path: Path) -> None:
    assert committed_offsets(None, str(tmp_path / "missing")) == {}
    _offsets(tmp_path, 0, {0: 10})  # planned, never committed
    assert committed_offsets(None, tmp_path.as_uri()) == {}


def test_latest_committed_batch_wins_over_a_planned_one(tmp_path: Path) -> None:
    _offsets(tmp_path, 0, {0: 10, 1: 5})
    _commit(tmp_path, 0)
    _offsets(tmp_path, 1, {0: 20, 1: 9, 2: 3})
    _commit(tmp_path, 1)
    _offsets(tmp_path, 2, {0: 99, 1: 99, 2: 99})  # crashed before its commit
    # Spark's temporary and checksum files are not batches.
    (tmp_path / "commits" / ".2.crc").write_text("")
    (tmp_path / "commits" / "2.tmp").write_text("")
    expected = {"shop.orders": {0: 20, 1: 9, 2: 3}}
    assert committed_offsets(None, tmp_path.as_uri()) == expected
    assert committed_offsets(None, str(tmp_path)) == expected


def test_offsets_file_with_several_sources() -> None:
    text = f'v1\n{METADATA}\n{{"a":{{"0":1}}}}\n-\n{{"b":{{"0":2,"1":3}}}}'
    assert parse_offsets_file(text) == {"a": {0: 1}, "b": {0: 2, 1: 3}}
    with pytest.raises(ValueError, match="not a Spark offsets file"):
        parse_offsets_file("garbage")


def test_remote_checkpoint_needs_spark() -> None:
    with pytest.raises(ValueError, match="needs a Spark session"):
        committed_offsets(None, "s3a://bucket/checkpoints/bronze/shop.orders")


def test_planned_and_initial_offsets(tmp_path: Path) -> None:
    assert initial_offsets(None, str(tmp_path)) == {}  # no first batch yet
    _offsets(tmp_path, 3, {0: 40, 1: 7})  # planned, not committed: still what batch 3 ends at
    assert planned_offsets(None, str(tmp_path), 3) == {"shop.orders": {0: 40, 1: 7}}
    # Spark's source log: a NUL byte, the version, the offsets the query started from.
    (tmp_path / "sources" / "0").mkdir(parents=True)
    (tmp_path / "sources" / "0" / "0").write_bytes(b'\x00v1\n{"shop.orders":{"0":12,"1":0}}')
    assert initial_offsets(None, tmp_path.as_uri()) == {"shop.orders": {0: 12, 1: 0}}
    (tmp_path / "sources" / "0" / "0").write_text("garbage")
    with pytest.raises(ValueError, match="not a Spark source offsets file"):
        initial_offsets(None, str(tmp_path))


def test_a_batch_starts_where_the_one_before_it_ends(tmp_path: Path) -> None:
    (tmp_path / "sources" / "0").mkdir(parents=True)
    (tmp_path / "sources" / "0" / "0").write_bytes(b'\x00v1\n{"shop.orders":{"0":5,"1":0}}')
    _offsets(tmp_path, 0, {0: 40, 1: 7})
    _offsets(tmp_path, 1, {0: 90, 1: 7})
    assert planned_start(None, str(tmp_path), 0) == {"shop.orders": {0: 5, 1: 0}}
    assert planned_start(None, str(tmp_path), 1) == {"shop.orders": {0: 40, 1: 7}}
