"""Asset keys of the bronze layer, derived from the generator's topics.

A stream ``orders`` is the Kafka topic ``shop.orders`` (asset ``kafka/shop_orders``) and
the Iceberg table ``bronze.orders`` (asset ``bronze/orders``).
"""

from __future__ import annotations

from dagster import AssetKey

from data_generators import DEFAULT_TOPICS
from ecommerce_assets.resources.bronze import DEAD_LETTER_TABLE
from streaming.bronze import bronze_table_for

STREAMS: tuple[str, ...] = tuple(DEFAULT_TOPICS)
DEAD_LETTERS_KEY = AssetKey(DEAD_LETTER_TABLE.split("."))


def topic_key(stream: str) -> AssetKey:
    return AssetKey(["kafka", DEFAULT_TOPICS[stream].replace(".", "_")])


def bronze_key(stream: str) -> AssetKey:
    return AssetKey(bronze_table_for(DEFAULT_TOPICS[stream]).split("."))


def stream_of(key: AssetKey) -> str | None:
    return next((s for s in STREAMS if bronze_key(s) == key), None)
