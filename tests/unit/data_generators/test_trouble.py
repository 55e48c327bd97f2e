"""Injected trouble: what is in the data equals the parameters' effect and the manifest."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from tests.unit.data_generators.conftest import TROUBLE, Run, well_formed


def parse_ms(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def classify(line: str) -> str:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "invalid_json"
    if set(record) != {"id", "type", "event_time", "schema_version", "payload"}:
        return "missing_field"
    return "valid" if well_formed(record) else "wrong_type"


def test_clean_run_has_no_trouble(clean_run: Run) -> None:
    for stream, lines in clean_run.lines.items():
        ids = [orjson.loads(line)["id"] for line, _ in lines]
        assert len(ids) == len(set(ids)), stream
        assert all(classify(line) == "valid" for line, _ in lines)
        assert {orjson.loads(line)["schema_version"] for line, _ in lines} == {1}
    totals = clean_run.manifest["totals"]["records"]["clickstream"]
    assert totals["duplicates"] == totals["late"] == totals["drifted"] == 0


def test_trouble_counts_equal_shares_and_manifest(troubled_run: Run) -> None:
    m = troubled_run.manifest["totals"]["records"]
    slices = 4 * 24  # rounding happens once per slice
    for stream, lines in troubled_run.lines.items():
        kinds = Counter(classify(line) for line, _ in lines)
        valid_lines = [line for line, _ in lines if classify(line) == "valid"]
        ids = Counter(orjson.loads(line)["id"] for line in valid_lines)
        duplicates = sum(n - 1 for n in ids.values())
        t = m[stream]
        assert t["valid"] == len(ids)
        assert t["duplicates"] == duplicates
        assert {k: kinds[k] for k in t["malformed"]} == t["malformed"]
        assert (
            t["delivered"] == len(lines) == t["valid"] + duplicates + sum(t["malformed"].values())
        )
        if stream == "clickstream":
            n = t["valid"]
            for key, share in (("duplicates", "duplicate_share"), ("late", "late_share"),
                               ("out_of_order", "out_of_order_share")):  # fmt: skip
                assert abs(t[key] - TROUBLE[share] * n) <= slices, key
            assert abs(sum(t["malformed"].values()) - TROUBLE["malformed_share"] * n) <= slices
            assert min(t["malformed"].values()) > 0


def test_late_records_arrive_minutes_to_days_late(troubled_run: Run) -> None:
    # Delivery time is the Parquet timestamp; compare with the event time per record.
    topic = troubled_run.params.topics.clickstream
    files = sorted((troubled_run.root / topic).glob("date=*/*.parquet"))
    table = pa.concat_tables(pq.read_table(f) for f in files)
    seen: set[str] = set()
    delays = []
    for value, ts in zip(table["value"].to_pylist(), table["timestamp"].to_pylist(), strict=True):
        if classify(value) != "valid":
            continue
        record = orjson.loads(value)
        if record["id"] in seen:
            continue
        seen.add(record["id"])
        delays.append(int(ts.timestamp() * 1000) - parse_ms(record["event_time"]))
    t = troubled_run.manifest["totals"]["records"]["clickstream"]
    delayed = [d for d in delays if d > 0]
    assert len(delayed) == t["late"] + t["out_of_order"]
    assert max(delays) > 48 * 3_600_000
    assert max(delays) <= TROUBLE["late_max_hours"] * 3_600_000
    late_folders = sum(
        1 for line, date in troubled_run.lines["clickstream"]
        if classify(line) == "valid" and orjson.loads(line)["event_time"][:10] < date
    )  # fmt: skip
    assert late_folders > 0, "some late records land in a later day's folder"


def test_out_of_order_breaks_time_order_within_a_session(troubled_run: Run) -> None:
    last: dict[str, str] = {}
    inversions = 0
    for line, _ in troubled_run.lines["clickstream"]:
        if classify(line) != "valid":
            continue
        record = orjson.loads(line)
        session = record["payload"]["session_id"]
        if session in last and record["event_time"] < last[session]:
            inversions += 1
        last[session] = max(last.get(session, ""), record["event_time"])
    assert inversions > 0


def test_schema_drift_adds_an_optional_field_from_the_given_day(troubled_run: Run) -> None:
    drift_day = (troubled_run.params.start_date + dt.timedelta(days=2)).isoformat()
    drifted = 0
    for record in troubled_run.valid("clickstream"):
        has_field = "consent_marketing" in record["payload"]
        assert has_field == (record["event_time"] >= drift_day)
        assert record["schema_version"] == (2 if has_field else 1)
        drifted += has_field
    for record in troubled_run.valid("orders"):
        if record["type"] == "order_placed":
            assert ("gift_wrap" in record["payload"]) == (record["event_time"] >= drift_day)
    assert drifted == troubled_run.manifest["totals"]["records"]["clickstream"]["drifted"] > 0
