"""Same seed and parameters -> the same bytes, whatever writer or batching."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from data_generators import generate_to_files, iter_records, make_params
from tests.unit.data_generators.conftest import SMALL, TROUBLE

PARAMS = {**SMALL, "days": 2, "seed": 3, "trouble": TROUBLE}


def digest_tree(root: Path, pattern: str) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob(pattern))
    }


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    a = generate_to_files(make_params(**PARAMS), tmp_path / "a")
    b = generate_to_files(make_params(**PARAMS), tmp_path / "b")
    files_a = digest_tree(tmp_path / "a", "part-*")
    assert len(files_a) > 10
    assert files_a == digest_tree(tmp_path / "b", "part-*")
    assert a["output"]["files"] == b["output"]["files"]
    assert a["days"] == b["days"]


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate_to_files(make_params(**PARAMS), tmp_path / "a")
    generate_to_files(make_params(**{**PARAMS, "seed": 4}), tmp_path / "b")
    a, b = digest_tree(tmp_path / "a", "*.jsonl"), digest_tree(tmp_path / "b", "*.jsonl")
    assert set(a.values()).isdisjoint(b.values())


def test_files_hold_exactly_the_stream_in_both_formats(tmp_path: Path) -> None:
    params = make_params(**PARAMS)
    expected: dict[str, list[str]] = {}
    for out in iter_records(params):
        for batch in out.batches:
            expected.setdefault(batch.stream, []).extend(batch.values.to_pylist())
    generate_to_files(params, tmp_path, formats=["jsonl", "parquet"])
    for stream, topic in params.topics.streams().items():
        jsonl, parquet = [], []
        for folder in sorted((tmp_path / topic).glob("date=*")):
            jsonl += (folder / "part-00000.jsonl").read_text().splitlines()
            parquet += pq.read_table(folder / "part-00000.parquet")["value"].to_pylist()
        assert jsonl == expected[stream]
        assert parquet == expected[stream]
