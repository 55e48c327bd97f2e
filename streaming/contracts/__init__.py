"""The event contract: what producers write and consumers read, owned by neither.

Streams, their default Kafka topics and record keys, the envelope, and every event
type's payload fields (logical type, nullability, the schema version that added them);
plus table naming for every layer (:mod:`streaming.contracts.naming`). Pure Python, no
pyspark or Dagster, so the generator imports it cheaply. ``docs/events.md`` is rendered
from it (``uv run python -m streaming.contracts.docs --write``).

Module map:

* ``versions`` - schema versions; ``envelope`` - the envelope's fields
* ``types`` - logical types, Field / EventContract / StreamContract
* ``clickstream``, ``commerce``, ``entities`` - the streams' payloads
* ``registry`` - all streams, default topics, lookups by stream and event type
* ``conformance`` - check a parsed record against the contract
* ``sql`` - logical types as Spark DDL and Trino read expressions
* ``naming`` - ``<layer>.<table>`` identifiers; ``docs`` - renders docs/events.md
"""

from streaming.contracts.envelope import ENVELOPE, ENVELOPE_FIELDS, REQUIRED_FIELDS
from streaming.contracts.registry import (
    CONTRACTS,
    DEFAULT_TOPICS,
    STREAMS,
    event_contract,
    stream_contract,
    stream_of_event,
)
from streaming.contracts.types import EventContract, Field, StreamContract
from streaming.contracts.versions import DRIFT_SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSIONS

__all__ = [
    "CONTRACTS",
    "DEFAULT_TOPICS",
    "DRIFT_SCHEMA_VERSION",
    "ENVELOPE",
    "ENVELOPE_FIELDS",
    "REQUIRED_FIELDS",
    "SCHEMA_VERSION",
    "SCHEMA_VERSIONS",
    "STREAMS",
    "EventContract",
    "Field",
    "StreamContract",
    "event_contract",
    "stream_contract",
    "stream_of_event",
]
