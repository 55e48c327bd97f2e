"""The Kafka topics the generator writes, as external assets: where bronze lineage starts."""

from __future__ import annotations

from dagster import AssetSpec

from data_generators import DEFAULT_TOPICS
from ecommerce_assets.defs.bronze.keys import STREAMS, topic_key

kafka_topics = [
    AssetSpec(
        topic_key(stream),
        description=f"Kafka topic {DEFAULT_TOPICS[stream]}: JSON envelopes of {stream} events.",
        group_name="sources",
        kinds={"kafka"},
        metadata={"topic": DEFAULT_TOPICS[stream]},
    )
    for stream in STREAMS
]
