"""How far each bronze stream's checkpoint is behind its Kafka topic, without Spark."""

from __future__ import annotations

from dataclasses import dataclass

from confluent_kafka import TopicPartition

from ecommerce_assets.resources import BronzeResource, KafkaResource
from streaming.bronze import committed_offsets


@dataclass(frozen=True)
class StreamLag:
    stream: str
    end_offsets: dict[int, int]
    committed: dict[int, int]

    @property
    def lag(self) -> int:
        # A partition the checkpoint has never seen is read from its start (earliest).
        return sum(end - self.committed.get(p, 0) for p, end in self.end_offsets.items())


def stream_lags(
    kafka: KafkaResource, bronze: BronzeResource, streams: list[str] | None = None
) -> list[StreamLag]:
    """End offsets vs committed offsets of every stream (of ``streams``) whose topic exists."""
    consumer = kafka.consumer("lakehouse-bronze-lag", **{"enable.auto.commit": False})
    try:
        topics = consumer.list_topics(timeout=10).topics
        lags = []
        for stream in streams if streams is not None else list(bronze.topics):
            topic = bronze.topics[stream]
            if topic not in topics or topics[topic].error is not None:
                continue
            end_offsets = {
                p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in topics[topic].partitions
            }
            committed = committed_offsets(None, bronze.checkpoint_for(stream)).get(topic, {})
            lags.append(StreamLag(stream, end_offsets, committed))
        return lags
    finally:
        consumer.close()
