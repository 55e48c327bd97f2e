"""Produce serialized records to Kafka.

The producer is idempotent with ``acks=all`` (no duplicates or reordering from retries;
the duplicates in the data are the deliberate ones), batches generously (``linger.ms``,
large ``batch.size``) and compresses (lz4 by default), which is what makes hundreds of
thousands of records per second possible from one Python thread. Records are keyed by
their stream's key field (session, customer, product or campaign id; see
:mod:`streaming.contracts`), so one key's events stay in one partition, in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from data_generators.records import Serialized

DEFAULT_PRODUCER_CONFIG: dict[str, Any] = {
    "enable.idempotence": True,
    "acks": "all",
    "compression.type": "lz4",
    "linger.ms": 50,
    "batch.size": 1_000_000,
    "batch.num.messages": 100_000,
    "queue.buffering.max.messages": 1_000_000,
    "queue.buffering.max.kbytes": 512 * 1024,
    # Only failures call back into Python: a callback per record would cost ~20% speed.
    "delivery.report.only.error": True,
}


class KafkaWriteError(RuntimeError):
    """Records could not be delivered; the message says how many and why."""


class KafkaWriter:
    def __init__(
        self,
        bootstrap_servers: str,
        topics: Mapping[str, str],
        *,
        partitions: int = 3,
        replication_factor: int = 1,
        producer_config: Mapping[str, Any] | None = None,
        create_topics: bool = True,
        timeout_s: float = 30.0,
    ) -> None:
        if partitions < 1:
            raise ValueError(f"partitions must be at least 1 (got {partitions})")
        self.topics = dict(topics)
        self.timeout_s = timeout_s
        base = {"bootstrap.servers": bootstrap_servers}
        self._admin_config = {**base, **_admin_subset(producer_config or {})}
        if create_topics:
            self.ensure_topics(partitions, replication_factor)
        config = {**base, **DEFAULT_PRODUCER_CONFIG, **(producer_config or {})}
        self._producer = Producer(config, error_cb=self._on_error)
        self._errors: list[str] = []
        self.counts: dict[str, int] = dict.fromkeys(self.topics.values(), 0)

    def ensure_topics(self, partitions: int, replication_factor: int) -> None:
        """Create missing topics; existing ones are left as they are."""
        admin = AdminClient(self._admin_config)
        try:
            existing = admin.list_topics(timeout=self.timeout_s).topics
        except KafkaException as error:
            raise KafkaWriteError(
                f"cannot reach Kafka at {self._admin_config['bootstrap.servers']}: {error}"
            ) from error
        missing = [t for t in self.topics.values() if t not in existing]
        if not missing:
            return
        futures = admin.create_topics(
            [NewTopic(t, num_partitions=partitions, replication_factor=replication_factor)
             for t in missing],
            operation_timeout=self.timeout_s,
        )  # fmt: skip
        for topic, future in futures.items():
            try:
                future.result(timeout=self.timeout_s)
            except KafkaException as error:
                if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise KafkaWriteError(f"cannot create topic {topic}: {error}") from error
            except TimeoutError as error:
                raise KafkaWriteError(
                    f"creating topic {topic} timed out after {self.timeout_s}s"
                ) from error

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            self._errors.append(str(error))

    def _on_delivery(self, error: KafkaError | None, _msg: object) -> None:
        if error is not None:
            self._errors.append(str(error))

    def write(self, batch: Serialized) -> None:
        topic = self.topics[batch.stream]
        produce = self._producer.produce
        poll = self._producer.poll
        callback = self._on_delivery
        keys = batch.keys.to_pylist()
        values = batch.values.to_pylist()
        stamps = batch.timestamps.tolist()
        for key, value, ts in zip(keys, values, stamps, strict=True):
            try:
                produce(topic, value, key, on_delivery=callback, timestamp=ts)
            except BufferError:
                # The local queue is full: let librdkafka drain it, then retry once.
                poll(0.1)
                produce(topic, value, key, on_delivery=callback, timestamp=ts)
        poll(0)
        self.counts[topic] += len(keys)
        if self._errors:
            raise KafkaWriteError(f"delivery failed: {self._errors[:3]}")

    def flush(self) -> None:
        remaining = self._producer.flush(self.timeout_s)
        if remaining:
            raise KafkaWriteError(
                f"{remaining} records still undelivered after {self.timeout_s}s; is the broker "
                "reachable?"
            )
        if self._errors:
            raise KafkaWriteError(f"delivery failed ({len(self._errors)}): {self._errors[:3]}")

    def describe(self) -> dict[str, Any]:
        return {"kind": "kafka", "records_per_topic": dict(self.counts)}


def _admin_subset(config: Mapping[str, Any]) -> dict[str, Any]:
    # Connection settings (security, mock cluster) apply to the admin client too.
    prefixes = ("security.", "sasl.", "ssl.", "test.mock.", "client.id")
    return {k: v for k, v in config.items() if k.startswith(prefixes)}
