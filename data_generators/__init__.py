"""A deterministic, consistent e-commerce universe, streamed to Kafka or written to files.

Public API::

    from data_generators import make_params, generate_to_kafka, generate_to_files

    params = make_params(seed=7, customers=10_000, products=1_000, days=7,
                         events_per_day=100_000, trouble={"duplicate_share": 0.01})
    manifest = generate_to_files(params, "landing/")            # JSONL + Parquet
    manifest = generate_to_kafka(params, "127.0.0.1:9092", partitions=3)

Streams, their default topics (override with ``topics={"orders": "my.orders"}``), record
keys, event types and every payload field are the event contract, owned by
:mod:`streaming.contracts` and documented in docs/events.md. Every record is the JSON
envelope ``{"id", "type", "event_time", "schema_version", "payload"}``. Same seed and
parameters give the same records byte for byte, whatever the writer. Module map:

* ``params`` - validated parameters; ``calendar`` - seasonality and slicing;
  ``seeding`` - one random stream per (day, slice, purpose)
* ``pools`` - Faker-built text pools; ``entities`` - customers, products, stock,
  campaigns; ``clickstream`` - sessions and funnel; ``commerce`` - orders, payments,
  cancellations, returns
* ``envelope`` - serialization; ``trouble`` - injected data-quality problems;
  ``engine`` - the slice-by-slice stream; ``manifest`` - ground truth
* ``writers.kafka`` / ``writers.files`` - sinks; ``run`` - the entry points
"""

from data_generators.manifest import read_manifest
from data_generators.params import (
    GeneratorParams,
    ParameterError,
    TopicNames,
    TroubleParams,
    make_params,
)
from data_generators.run import (
    MANIFEST_FILE,
    Progress,
    generate_to_files,
    generate_to_kafka,
    iter_records,
)
from data_generators.writers.kafka import KafkaWriteError

# Re-exported for callers that still import them from here; the contract owns them.
from streaming.contracts import DEFAULT_TOPICS, STREAMS

__all__ = [
    "DEFAULT_TOPICS",
    "MANIFEST_FILE",
    "STREAMS",
    "GeneratorParams",
    "KafkaWriteError",
    "ParameterError",
    "Progress",
    "TopicNames",
    "TroubleParams",
    "generate_to_files",
    "generate_to_kafka",
    "iter_records",
    "make_params",
    "read_manifest",
]
