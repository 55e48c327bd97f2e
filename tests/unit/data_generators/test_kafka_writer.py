"""The Kafka writer against librdkafka's in-process mock cluster (no broker needed)."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator

import orjson
import pytest
from confluent_kafka import Consumer, Producer

from data_generators import KafkaWriteError, generate_to_kafka, make_params
from data_generators.writers.kafka import KafkaWriter


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.address: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        match = re.search(r"replaced with (\S+)", record.getMessage())
        if match:
            self.address = match.group(1)


@pytest.fixture
def mock_cluster() -> Iterator[str]:
    """A mock cluster owned by a throwaway client; other clients connect to it by address."""
    capture = _Capture()
    logger = logging.getLogger(f"mock-kafka-{id(capture)}")
    logger.addHandler(capture)
    logger.setLevel(logging.INFO)
    owner = Producer({"test.mock.num.brokers": 1, "logger": logger})
    deadline = time.monotonic() + 10
    while capture.address is None and time.monotonic() < deadline:
        owner.poll(0.05)
    assert capture.address, "mock cluster did not report its address"
    yield capture.address
    owner.flush(1)


def consume_all(address: str, topics: list[str], expected: int) -> list:
    consumer = Consumer(
        {"bootstrap.servers": address, "group.id": "t", "auto.offset.reset": "earliest",
         "enable.auto.commit": False}
    )  # fmt: skip
    consumer.subscribe(topics)
    messages = []
    deadline = time.monotonic() + 30
    while len(messages) < expected and time.monotonic() < deadline:
        messages += [m for m in consumer.consume(10_000, 0.5) if m.error() is None]
    consumer.close()
    return messages


def test_round_trip_counts_keys_and_order(mock_cluster: str) -> None:
    params = make_params(seed=5, customers=400, products=80, days=1, events_per_day=6_000)
    manifest = generate_to_kafka(params, mock_cluster, create_topics=False)
    topics = list(manifest["topics"].values())
    expected = sum(t["delivered"] for t in manifest["totals"]["records"].values())
    messages = consume_all(mock_cluster, topics, expected)
    assert len(messages) == expected
    per_topic = Counter(m.topic() for m in messages)
    for stream, topic in manifest["topics"].items():
        assert per_topic[topic] == manifest["totals"]["records"][stream]["delivered"]
    assert manifest["output"]["records_per_topic"] == dict(per_topic)
    # One session's events share a partition and arrive in event-time order.
    partitions: dict[bytes, set[int]] = defaultdict(set)
    times: dict[bytes, list[str]] = defaultdict(list)
    for m in sorted(messages, key=lambda m: (m.topic(), m.partition(), m.offset())):
        if m.topic() == params.topics.clickstream:
            record = orjson.loads(m.value())
            assert m.key().decode() == record["payload"]["session_id"]
            partitions[m.key()].add(m.partition())
            times[m.key()].append(record["event_time"])
    assert all(len(p) == 1 for p in partitions.values())
    assert all(t == sorted(t) for t in times.values())


def test_kafka_payloads_equal_file_payloads(mock_cluster: str, tmp_path) -> None:
    from data_generators import generate_to_files

    params = make_params(seed=9, customers=300, products=60, days=1, events_per_day=3_000,
                         topics={"orders": "o2"})  # fmt: skip
    manifest = generate_to_kafka(params, mock_cluster, create_topics=False)
    generate_to_files(params, tmp_path, formats=["jsonl"])
    total = sum(t["delivered"] for t in manifest["totals"]["records"].values())
    messages = consume_all(mock_cluster, list(manifest["topics"].values()), total)
    from_kafka = sorted(m.value() for m in messages)
    from_files = sorted(
        line.encode() for p in tmp_path.rglob("*.jsonl") for line in p.read_text().splitlines()
    )
    assert from_kafka == from_files


def test_unreachable_broker_fails_clearly() -> None:
    with pytest.raises(KafkaWriteError, match=r"cannot reach Kafka at 127\.0\.0\.1:1"):
        KafkaWriter("127.0.0.1:1", {"orders": "o"}, timeout_s=1.0)
