import subprocess
import sys

import pytest

from streaming.contracts import (
    CONTRACTS,
    DEFAULT_TOPICS,
    DRIFT_SCHEMA_VERSION,
    ENVELOPE_FIELDS,
    REQUIRED_FIELDS,
    SCHEMA_VERSION,
    STREAMS,
    Field,
    StreamContract,
    event_contract,
    stream_contract,
    stream_of_event,
)
from streaming.contracts.types import INT, MONEY, STRING, STRUCT, EventContract, array


def test_streams_topics_and_envelope() -> None:
    assert STREAMS == (
        "clickstream", "orders", "payments", "customers", "products", "inventory", "campaigns",
    )  # fmt: skip
    assert {s: f"shop.{s}" for s in STREAMS} == DEFAULT_TOPICS
    assert list(DEFAULT_TOPICS) == list(STREAMS)
    assert ENVELOPE_FIELDS == REQUIRED_FIELDS == (
        "id", "type", "event_time", "schema_version", "payload",
    )  # fmt: skip
    assert (SCHEMA_VERSION, DRIFT_SCHEMA_VERSION) == (1, 2)


def test_keys_and_lookups() -> None:
    keys = {c.name: c.key_field for c in CONTRACTS}
    assert keys == {
        "clickstream": "session_id", "orders": "customer_id", "payments": "customer_id",
        "customers": "customer_id", "products": "product_id", "inventory": "product_id",
        "campaigns": "campaign_id",
    }  # fmt: skip
    assert stream_of_event("payment_refunded").name == "payments"
    assert event_contract("order_placed").field("total").type == MONEY
    with pytest.raises(KeyError, match="known streams: clickstream"):
        stream_contract("reviews")
    with pytest.raises(KeyError, match="unknown event type 'order_shipped'"):
        event_contract("order_shipped")


def test_versions_only_add_fields() -> None:
    order = event_contract("order_placed")
    v1 = [f.name for f in order.payload(SCHEMA_VERSION)]
    v2 = [f.name for f in order.payload(DRIFT_SCHEMA_VERSION)]
    assert v2 == [*v1, "gift_wrap"]
    assert order.version_of({"total": 1}) == SCHEMA_VERSION
    assert order.version_of({"total": 1, "gift_wrap": True}) == DRIFT_SCHEMA_VERSION
    with pytest.raises(ValueError, match="unknown schema version 3"):
        order.payload(3)


def test_contract_definitions_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown logical type 'float'"):
        Field("x", "float", "")
    with pytest.raises(ValueError, match="cannot have members"):
        Field("x", INT, "", fields=(Field("y", INT, ""),))
    Field("items", array(STRUCT), "", fields=(Field("y", INT, ""),))
    event = EventContract("thing_seen", "", (Field("thing_id", INT, "", nullable=True),))
    with pytest.raises(ValueError, match="key field 'thing_id' must be a non-nullable"):
        StreamContract("things", "shop.things", "thing_id", "", (event,))
    assert Field("s", STRING, "").since == SCHEMA_VERSION


def test_importing_the_contract_pulls_in_no_engine() -> None:
    """The generator imports it on every run: no pyspark, Dagster, or numpy behind it."""
    code = (
        "import sys, streaming.contracts, streaming.contracts.naming, "
        "streaming.contracts.conformance, streaming.contracts.docs; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pyspark', 'dagster', 'numpy', 'pyarrow', 'pydantic', 'data_generators'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
