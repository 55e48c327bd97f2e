"""One small generated sample shared by the generator tests (generation is the slow part)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from data_generators import GeneratorParams, generate_to_files, make_params

SMALL = {"customers": 1_500, "products": 300, "days": 4, "events_per_day": 15_000}
TROUBLE = {
    "duplicate_share": 0.02,
    "late_share": 0.03,
    "out_of_order_share": 0.02,
    "malformed_share": 0.01,
    "late_max_hours": 60.0,
    "schema_drift_from_day": 2,
}


@dataclass
class Run:
    params: GeneratorParams
    root: Path
    manifest: dict[str, Any]
    #: stream -> list of (raw line, delivery date) in delivery order
    lines: dict[str, list[tuple[str, str]]]

    def valid(self, stream: str) -> list[dict[str, Any]]:
        """Each well-formed record once (first delivery), parsed."""
        seen: set[str] = set()
        out = []
        for line, _ in self.lines[stream]:
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(record, dict) or not well_formed(record):
                continue
            if record["id"] in seen:
                continue
            seen.add(record["id"])
            out.append(record)
        return out


def well_formed(record: dict[str, Any]) -> bool:
    return (
        set(record) == {"id", "type", "event_time", "schema_version", "payload"}
        and isinstance(record["event_time"], str)
        and isinstance(record["schema_version"], int)
        and isinstance(record["payload"], dict)
    )


def read_run(params: GeneratorParams, root: Path, manifest: dict[str, Any]) -> Run:
    lines: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for stream, topic in params.topics.streams().items():
        for folder in sorted((root / topic).glob("date=*")):
            text = (folder / "part-00000.jsonl").read_text()
            date = folder.name.removeprefix("date=")
            lines[stream] += [(line, date) for line in text.splitlines()]
    return Run(params, root, manifest, lines)


def run_files(tmp: Path, **values: Any) -> Run:
    params = make_params(**values)
    manifest = generate_to_files(params, tmp)
    return read_run(params, tmp, manifest)


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_files(tmp_path_factory.mktemp("clean"), seed=11, **SMALL)


@pytest.fixture(scope="session")
def troubled_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_files(tmp_path_factory.mktemp("trouble"), seed=12, trouble=TROUBLE, **SMALL)
