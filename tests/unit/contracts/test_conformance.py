"""Generated records keep the contract, and the check catches a field that does not."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from data_generators import iter_records, make_params
from data_generators.entities import Universe
from streaming.contracts import CONTRACTS, DRIFT_SCHEMA_VERSION, SCHEMA_VERSION
from streaming.contracts.conformance import Violation, check_record
from tests.unit.contracts.conftest import Checked, check_run


def _summary(violations: list[Violation], limit: int = 15) -> str:
    distinct = sorted({str(v) for v in violations})
    more = f"\n... and {len(distinct) - limit} more" if len(distinct) > limit else ""
    return "\n".join(distinct[:limit]) + more


def test_every_generated_payload_matches_the_contract(checked_run: Checked) -> None:
    assert not checked_run.payload_violations, (
        "generated payloads differ from streaming.contracts (change both together, then "
        "regenerate docs/events.md):\n" + _summary(checked_run.payload_violations)
    )


def test_only_the_injected_malformed_records_break_the_envelope(checked_run: Checked) -> None:
    totals = checked_run.manifest["totals"]["records"]
    injected = {stream: sum(t["malformed"].values()) for stream, t in totals.items()}
    assert sum(injected.values()) > 50
    assert {s: n for s, n in injected.items() if n} == dict(checked_run.not_events)


def test_every_event_type_and_version_was_checked(checked_run: Checked) -> None:
    """Guards the test itself: an event type never generated was never checked."""
    wanted = {(t, SCHEMA_VERSION) for c in CONTRACTS for t in c.event_types}
    # Drift reaches every clickstream event and order_placed.
    wanted |= {(t, DRIFT_SCHEMA_VERSION) for t in CONTRACTS[0].event_types}
    wanted.add(("order_placed", DRIFT_SCHEMA_VERSION))
    missing = wanted - set(checked_run.conforming)
    assert not missing, f"never generated, so never checked: {sorted(missing)}"


def _first(stream: str, event_type: str) -> tuple[dict[str, Any], str]:
    params = make_params(seed=3, customers=200, products=50, days=1, events_per_day=3_000,
                         trouble={"schema_drift_from_day": 0})  # fmt: skip
    for out in iter_records(params):
        for batch in out.batches:
            if batch.stream != stream:
                continue
            for key, value in zip(batch.keys.to_pylist(), batch.values.to_pylist(), strict=True):
                record = orjson.loads(value)
                if record["type"] == event_type:
                    return record, key
    raise AssertionError(f"no {event_type} generated")


@pytest.fixture(scope="module")
def order() -> tuple[dict[str, Any], str]:
    return _first("orders", "order_placed")


def _problems(record: dict[str, Any], key: str | None = None) -> set[tuple[str, str]]:
    return {(v.field, v.problem) for v in check_record(record, "orders", key)}


def test_a_generated_order_conforms(order: tuple[dict[str, Any], str]) -> None:
    record, key = order
    assert record["schema_version"] == DRIFT_SCHEMA_VERSION
    assert check_record(record, "orders", key) == []


def test_a_renamed_field_is_one_missing_and_one_extra(order: tuple[dict[str, Any], str]) -> None:
    record = copy.deepcopy(order[0])
    record["payload"]["total_amount"] = record["payload"].pop("total")
    violations = check_record(record, "orders")
    assert {(v.stream, v.event_type, v.field) for v in violations} == {
        ("orders", "order_placed", "payload.total"),
        ("orders", "order_placed", "payload.total_amount"),
    }
    assert "orders/order_placed: payload.total: is missing" in {
        str(v).split(" (")[0] for v in violations
    }


def test_types_nesting_nulls_versions_and_keys_are_checked(
    order: tuple[dict[str, Any], str],
) -> None:
    record, key = copy.deepcopy(order[0]), order[1]
    payload = record["payload"]
    payload["subtotal"] = str(payload["subtotal"])  # money as text
    payload["items"][0]["unit_price"] = 1.005  # three decimals
    payload["shipping_address"]["zip"] = payload["shipping_address"].pop("postcode")
    payload["session_id"] = None  # not nullable
    payload["campaign_id"] = None  # nullable: fine
    problems = _problems(record, key)
    assert problems == {
        ("payload.subtotal", "is not a JSON number"),
        ("payload.items[0].unit_price", "has more than 2 decimals (1.005)"),
        ("payload.shipping_address.postcode", "is missing (string, since v1)"),
        ("payload.shipping_address.zip", "is not in the contract (extra field)"),
        ("payload.session_id", "is null but not nullable"),
    }
    # A version-1 order must not carry the version-2 field.
    v1 = copy.deepcopy(order[0])
    v1["schema_version"] = SCHEMA_VERSION
    assert _problems(v1) == {("payload.gift_wrap", "is not in the contract (extra field)")}
    # The record key is the payload's key field.
    assert ("payload.customer_id", f"is {payload['customer_id']!r} but the record key is 'x'") in (
        _problems(order[0], "x")
    )


def test_envelope_problems_are_named(order: tuple[dict[str, Any], str]) -> None:
    record = copy.deepcopy(order[0])
    record["event_time"] = 1_700_000_000_000
    record["schema_version"] = 7
    record["type"] = "order_shipped"
    record["extra"] = 1
    problems = {(v.field, v.problem.split(" (")[0]) for v in check_record(record, "orders")}
    assert problems == {
        ("event_time", "is not an ISO-8601 timestamp with a zone"),
        ("schema_version", "7 is not one of"),
        ("type", "'order_shipped' is not a orders event"),
        ("extra", "is not an envelope field"),
    }
    assert check_record([1], "orders") == [
        Violation("orders", None, "record", "is not a JSON object")
    ]


def test_a_generator_field_renamed_without_the_contract_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The end-to-end proof: change what the generator emits, and the check says where."""
    original = Universe.product_payload

    def renamed(self: Universe, j: int) -> dict[str, Any]:
        payload = original(self, j)
        payload["price"] = payload.pop("list_price")
        return payload

    monkeypatch.setattr(Universe, "product_payload", renamed)
    checked = check_run(make_params(seed=1, customers=50, products=20, days=1,
                                    events_per_day=500))  # fmt: skip
    assert {str(v) for v in checked.payload_violations} == {
        "products/product_created: payload.list_price: is missing (decimal(12,2), since v1)",
        "products/product_created: payload.price: is not in the contract (extra field)",
    }


def test_values_outside_a_fields_closed_set_are_named(order: tuple[dict[str, Any], str]) -> None:
    record = copy.deepcopy(order[0])
    record["payload"]["device"] = "tablet"
    record["payload"]["currency"] = "eur"
    record["payload"]["shipping_address"]["country"] = "XX"
    assert _problems(record) == {
        ("payload.device", "'tablet' is not one of desktop_web, mobile_web, ios_app, android_app"),
        ("payload.currency", "'eur' is not one of EUR"),
        ("payload.shipping_address.country", "'XX' is not one of US, GB, DE, FR, NL"),
    }
