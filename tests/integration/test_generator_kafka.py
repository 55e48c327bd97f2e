"""The generator against the real Kafka broker of the local stack: produce, consume back."""

from __future__ import annotations

import time
import uuid
from collections import Counter

import orjson
import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from data_generators import generate_to_kafka, make_params
from ecommerce_assets.settings import LakehouseSettings

pytestmark = pytest.mark.integration

PARAMS = {
    "seed": 21, "customers": 2_000, "products": 300, "days": 2, "events_per_day": 30_000,
    "trouble": {"duplicate_share": 0.01, "late_share": 0.02, "malformed_share": 0.005,
                "out_of_order_share": 0.01, "schema_drift_from_day": 1},
}  # fmt: skip


def topics_for(prefix: str) -> dict[str, str]:
    streams = ("clickstream", "orders", "payments", "customers", "products", "inventory",
               "campaigns")  # fmt: skip
    return {s: f"{prefix}.{s}" for s in streams}


def consume_all(bootstrap: str, topics: list[str], expected: int) -> list:
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"it-{uuid.uuid4()}",
         "auto.offset.reset": "earliest", "enable.auto.commit": False,
         # Topics created a moment ago may be missing from the first metadata answer;
         # librdkafka would otherwise look again only after 5 minutes.
         "topic.metadata.refresh.interval.ms": 1000}
    )  # fmt: skip
    # Assign every partition from the beginning instead of joining a group: no
    # coordinator or rebalance to wait for, so a slow first group join cannot starve us.
    metadata = consumer.list_topics(timeout=10)
    consumer.assign(
        [
            TopicPartition(topic, partition, OFFSET_BEGINNING)
            for topic in topics
            for partition in metadata.topics[topic].partitions
        ]
    )
    messages: list = []
    deadline = time.monotonic() + 120
    while len(messages) < expected and time.monotonic() < deadline:
        batch = consumer.consume(10_000, 1.0)
        for m in batch:
            assert m.error() is None, m.error()
        messages += batch
    # Nothing beyond what the manifest says may arrive either.
    messages += consumer.consume(10_000, 3.0)
    consumer.close()
    return messages


def test_round_trip_counts_match_the_manifest(lakehouse_stack: LakehouseSettings) -> None:
    bootstrap = lakehouse_stack.bootstrap_servers
    partitions = lakehouse_stack.kafka_default_partitions
    prefix = f"it.gen.{uuid.uuid4().hex[:8]}"
    params = make_params(**PARAMS, topics=topics_for(prefix))
    manifest = generate_to_kafka(params, bootstrap, partitions=partitions)

    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
    for topic in manifest["topics"].values():
        assert len(metadata.topics[topic].partitions) == partitions

    totals = manifest["totals"]["records"]
    expected = sum(t["delivered"] for t in totals.values())
    messages = consume_all(bootstrap, list(manifest["topics"].values()), expected)
    assert len(messages) == expected
    per_topic = Counter(m.topic() for m in messages)
    for stream, topic in manifest["topics"].items():
        assert per_topic[topic] == totals[stream]["delivered"], stream
        valid_ids = set()
        for m in messages:
            if m.topic() != topic:
                continue
            try:
                record = orjson.loads(m.value())
            except orjson.JSONDecodeError:
                continue
            if isinstance(record, dict) and isinstance(record.get("payload"), dict) and (
                isinstance(record.get("event_time"), str) and "id" in record
                and isinstance(record.get("schema_version"), int) and "type" in record
            ):  # fmt: skip
                valid_ids.add(record["id"])
        assert len(valid_ids) == totals[stream]["valid"], stream


def test_same_seed_gives_identical_kafka_payloads(lakehouse_stack: LakehouseSettings) -> None:
    bootstrap = lakehouse_stack.bootstrap_servers
    small = {**PARAMS, "days": 1, "events_per_day": 5_000}
    payloads = []
    for _ in range(2):
        prefix = f"it.det.{uuid.uuid4().hex[:8]}"
        manifest = generate_to_kafka(make_params(**small, topics=topics_for(prefix)), bootstrap)
        expected = sum(t["delivered"] for t in manifest["totals"]["records"].values())
        messages = consume_all(bootstrap, list(manifest["topics"].values()), expected)
        payloads.append(sorted((m.topic().split(".")[-1], m.key(), m.value()) for m in messages))
    assert payloads[0] == payloads[1]
