"""Configuration checks and how landing files are found and cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from streaming.bronze import BronzeConfig
from streaming.bronze.files_job import discover, jsonl_lines


def test_config_rejects_unknown_fail_points_and_topics() -> None:
    with pytest.raises(ValueError, match="fail_point"):
        BronzeConfig("k:9092", {}, "bronze.dead_letters", "file:///c", fail_point="later")
    config = BronzeConfig("k:9092", {"shop.orders": "bronze.orders"}, "bronze.dl", "file:///c/")
    assert config.checkpoint_for("shop.orders") == "file:///c/bronze/shop.orders"
    with pytest.raises(ValueError, match=r"shop\.nope"):
        config.table_for("shop.nope")


def test_jsonl_lines_are_exact_bytes_without_newlines() -> None:
    data = b'{"a":1}\n\n{"b":"\xc3\xa9"}\r\nlast-no-newline'
    assert jsonl_lines(data).to_pylist() == [
        b'{"a":1}',
        b"",
        b'{"b":"\xc3\xa9"}\r',
        b"last-no-newline",
    ]
    assert jsonl_lines(b"x\n").to_pylist() == [b"x"]
    assert jsonl_lines(b"").to_pylist() == []


def test_discover_prefers_parquet_and_reads_the_topic_from_the_layout(tmp_path: Path) -> None:
    day = tmp_path / "shop.orders" / "date=2024-01-01"
    day.mkdir(parents=True)
    (day / "part-00000.parquet").write_bytes(b"p")
    (day / "part-00000.jsonl").write_bytes(b"j")
    other = tmp_path / "shop.customers" / "date=2024-01-02"
    other.mkdir(parents=True)
    (other / "part-00000.jsonl").write_bytes(b"only jsonl")
    found = {(f.path.name, f.topic) for f in discover([str(tmp_path)])}
    assert found == {("part-00000.parquet", "shop.orders"), ("part-00000.jsonl", "shop.customers")}
    # Named explicitly, a JSONL file is taken even next to its Parquet twin.
    explicit = discover([(day / "part-00000.jsonl").as_uri().replace("%3D", "=")])
    assert [f.path.name for f in explicit] == ["part-00000.jsonl"]
    assert explicit[0].size == 1 and len(explicit[0].sha256) == 64
    with pytest.raises(FileNotFoundError):
        discover([str(tmp_path / "nope")])
