"""Table identifiers of every layer, as plain ``<layer>.<table>`` strings.

One rule across the project: the Iceberg identifier ``silver.orders`` is the Dagster
asset ``silver/orders`` (that conversion lives in ``ecommerce_assets``). Bronze tables
are named after their *stream*, never derived from a topic: a run that writes
``test.orders`` still lands in ``bronze.orders``.
"""

from __future__ import annotations

import re

from streaming.contracts.registry import STREAMS

LAYERS: tuple[str, ...] = ("bronze", "silver", "gold")
#: A namespace that is not a data layer: the engines' shared-catalog proof lives there.
PLATFORM = "platform"
NAMESPACES: tuple[str, ...] = (*LAYERS, PLATFORM)
#: Records that are not events (bad JSON, a missing envelope field), with the reason.
DEAD_LETTERS_TABLE = "bronze.dead_letters"

# Lower case so Trino (which folds unquoted names to lower case) and the catalog agree;
# no leading digit so the name needs no quoting in SQL.
_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _check_layer(layer: str, identifier: str) -> None:
    if layer not in NAMESPACES:
        raise ValueError(
            f"unknown layer {layer!r} in table identifier {identifier!r}; "
            f"layers: {', '.join(NAMESPACES)}"
        )


def _check_name(name: str, identifier: str) -> None:
    if not _TABLE_NAME.fullmatch(name):
        raise ValueError(
            f"invalid table name {name!r} in {identifier!r}: use lower-case letters, digits "
            "and '_', not starting with a digit"
        )


def table_identifier(layer: str, name: str) -> str:
    """``table_identifier("silver", "orders") == "silver.orders"``."""
    identifier = f"{layer}.{name}"
    _check_layer(layer, identifier)
    _check_name(name, identifier)
    return identifier


def bronze_table(stream: str) -> str:
    """The bronze table of a stream: ``bronze_table("orders") == "bronze.orders"``."""
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}; known streams: {', '.join(STREAMS)}")
    return table_identifier("bronze", stream)


def split_identifier(identifier: str) -> tuple[str, str]:
    """``"silver.orders"`` -> ``("silver", "orders")``; ValueError for anything else."""
    layer, sep, name = identifier.partition(".")
    if not sep or not layer or not name or "." in name:
        raise ValueError(
            f"table identifier must be '<layer>.<table>', e.g. 'bronze.orders' (got {identifier!r})"
        )
    _check_layer(layer, identifier)
    _check_name(name, identifier)
    return layer, name
