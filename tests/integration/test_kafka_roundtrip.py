"""10,000 keyed messages through the real Kafka broker of the local stack."""

from collections import defaultdict

import pytest
from confluent_kafka import OFFSET_BEGINNING, KafkaError, TopicPartition
from confluent_kafka.admin import NewTopic

from ecommerce_assets.resources import KafkaResource
from ecommerce_assets.settings import LakehouseSettings

pytestmark = pytest.mark.integration

MESSAGES = 10_000
KEYS = 97


def test_produce_and_consume_ten_thousand_keyed_messages(
    lakehouse_stack: LakehouseSettings,
) -> None:
    kafka = KafkaResource.from_settings(lakehouse_stack)
    topic = "test.roundtrip"
    admin = kafka.admin()
    futures = admin.create_topics([NewTopic(topic, num_partitions=3)])
    futures[topic].result(timeout=30)

    producer = kafka.producer(**{"linger.ms": 5})
    failures: list[KafkaError] = []
    for i in range(MESSAGES):
        producer.produce(
            topic,
            key=f"customer-{i % KEYS}",
            value=f"{i}".encode(),
            on_delivery=lambda err, _msg: failures.append(err) if err else None,
        )
        if i % 1000 == 0:
            producer.poll(0)
    assert producer.flush(30) == 0
    assert failures == []

    # A topic created a moment ago may be missing from the consumer's first metadata
    # answer; without a short refresh interval librdkafka looks again after 5 minutes.
    consumer = kafka.consumer(
        "test-roundtrip",
        **{"enable.auto.commit": False, "topic.metadata.refresh.interval.ms": 1000},
    )
    # Assign the partitions directly: no group join to wait for.
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    by_key: dict[str, list[int]] = defaultdict(list)
    partitions_of_key: dict[str, set[int]] = defaultdict(set)
    received = 0
    idle_polls = 0
    while received < MESSAGES and idle_polls < 30:
        batch = consumer.consume(num_messages=1000, timeout=1.0)
        idle_polls = 0 if batch else idle_polls + 1
        for message in batch:
            assert message.error() is None, message.error()
            key = message.key().decode()
            by_key[key].append(int(message.value()))
            partitions_of_key[key].add(message.partition())
            received += 1
    consumer.close()

    assert received == MESSAGES
    assert sorted(v for values in by_key.values() for v in values) == list(range(MESSAGES))
    assert len(by_key) == KEYS
    # A key always lands in one partition, so one customer's messages keep their order.
    assert all(len(partitions) == 1 for partitions in partitions_of_key.values())
    assert all(values == sorted(values) for values in by_key.values())
