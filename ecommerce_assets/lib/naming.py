"""Asset keys of the lakehouse, one rule: Iceberg identifier = asset key = path.

``bronze.orders`` in the catalog is the asset ``bronze/orders``, defined under
``ecommerce_assets/defs/bronze/``. Kafka topics are external assets ``kafka/<topic>``
with dots as underscores (``kafka/shop_orders``). Identifiers themselves come from
:mod:`streaming.contracts.naming`.
"""

from __future__ import annotations

from dagster import AssetKey

from streaming.contracts import DEFAULT_TOPICS, STREAMS
from streaming.contracts.naming import (
    DEAD_LETTERS_TABLE,
    bronze_table,
    split_identifier,
    table_identifier,
)

__all__ = [
    "DEAD_LETTERS_KEY",
    "STREAMS",
    "asset_key",
    "bronze_key",
    "identifier_of",
    "stream_of",
    "topic_key",
]


def asset_key(identifier: str) -> AssetKey:
    """The asset of an Iceberg table: ``bronze.orders`` -> ``bronze/orders``."""
    return AssetKey(list(split_identifier(identifier)))


def identifier_of(key: AssetKey) -> str:
    """The Iceberg table of an asset: ``bronze/orders`` -> ``bronze.orders``."""
    if len(key.path) != 2:
        raise ValueError(f"{key.to_user_string()} is not a table asset (<layer>/<table>)")
    return table_identifier(*key.path)


DEAD_LETTERS_KEY = asset_key(DEAD_LETTERS_TABLE)


def topic_key(stream: str) -> AssetKey:
    """The Kafka topic a stream arrives on, named by the contract's default topic so the
    graph does not change when a deployment renames a topic."""
    return AssetKey(["kafka", DEFAULT_TOPICS[stream].replace(".", "_")])


def bronze_key(stream: str) -> AssetKey:
    return asset_key(bronze_table(stream))


def stream_of(key: AssetKey) -> str | None:
    """The stream whose bronze table ``key`` is, or None (e.g. for the dead letters)."""
    return next((s for s in STREAMS if bronze_key(s) == key), None)
