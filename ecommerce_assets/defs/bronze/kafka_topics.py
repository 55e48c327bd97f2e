"""``kafka/shop_<stream>``: the Kafka topics, as external assets where bronze lineage starts."""

from __future__ import annotations

from dagster import AssetSpec, Definitions

from ecommerce_assets.lib.naming import STREAMS, topic_key
from ecommerce_assets.settings import get_settings


def _topic_spec(stream: str, topic: str) -> AssetSpec:
    return AssetSpec(
        topic_key(stream),
        description=f"Kafka topic {topic}: JSON envelopes of {stream} events (docs/events.md).",
        group_name="sources",
        kinds={"kafka"},
        metadata={"topic": topic, "stream": stream},
    )


# One Definitions object, not a module-level list: the folder loader would take every
# spec of a list as a definition of its own.
defs = Definitions(assets=[_topic_spec(s, get_settings().topics[s]) for s in STREAMS])
