from collections.abc import Callable

import pytest

from streaming.contracts import STREAMS
from streaming.contracts.naming import (
    DEAD_LETTERS_TABLE,
    LAYERS,
    bronze_table,
    split_identifier,
    table_identifier,
)


def test_identifiers_per_layer() -> None:
    assert LAYERS == ("bronze", "silver", "gold")
    assert table_identifier("silver", "orders") == "silver.orders"
    assert [bronze_table(s) for s in STREAMS] == [f"bronze.{s}" for s in STREAMS]
    assert DEAD_LETTERS_TABLE == "bronze.dead_letters"
    assert split_identifier(DEAD_LETTERS_TABLE) == ("bronze", "dead_letters")
    assert split_identifier("gold.fct_orders") == ("gold", "fct_orders")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: table_identifier("platinum", "orders"), "unknown layer 'platinum'"),
        (lambda: table_identifier("silver", "Orders"), "invalid table name 'Orders'"),
        (lambda: table_identifier("silver", "my.orders"), "invalid table name 'my.orders'"),
        (lambda: bronze_table("shop.orders"), "unknown stream 'shop.orders'; known streams"),
        (lambda: split_identifier("orders"), "must be '<layer>.<table>'"),
        (lambda: split_identifier("bronze.shop.orders"), "must be '<layer>.<table>'"),
        (lambda: split_identifier(".orders"), "must be '<layer>.<table>'"),
        (lambda: split_identifier("raw.orders"), "unknown layer 'raw' in table identifier"),
        (lambda: split_identifier("gold.1st"), "invalid table name '1st'"),
    ],
)
def test_bad_identifiers_are_rejected_clearly(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
