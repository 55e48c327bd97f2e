"""``silver.order_items``: one row per line of a placed (valid) order."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.contracts.sql import spark_type
from streaming.silver import orders
from streaming.silver.columns import EVENT_DATE, EVENT_ID, EVENT_TIME, Column
from streaming.silver.events import valid
from streaming.silver.money import money
from streaming.silver.table import SilverTable

_LINE = {p.column.name: p for p in orders.EVENTS.payload}
_ITEM_FIELDS = next(f for f in orders.EVENTS.fields if f.name == "items").fields


def _order_column(name: str) -> Column:
    return Column(name, _LINE[name].column.type, _LINE[name].column.description)


TABLE = SilverTable(
    name="order_items",
    description=(
        "One row per order line: product, units, unit price and discount at order time; "
        "partitioned by order day."
    ),
    columns=(
        _order_column("order_id"),
        Column(
            "line_number",
            "INT",
            next(f for f in _ITEM_FIELDS if f.name == "line_number").description,
        ),
        EVENT_ID,
        EVENT_TIME,
        EVENT_DATE,
        _order_column("customer_id"),
        *(
            Column(f.name, spark_type(f), f.description)
            for f in _ITEM_FIELDS
            if f.name != "line_number"
        ),
        Column("line_amount", "DECIMAL(12,2)", "quantity x unit_price - discount: the line's net."),
    ),
    key=("order_id", "line_number"),
)


def rows(events: DataFrame) -> DataFrame:
    """silver.order_items rows from judged order events (valid order_placed only)."""
    lines = valid(events).select(
        "order_id", "event_id", "event_time", "event_date", "customer_id", F.inline("items")
    )
    amount = money(F.col("quantity") * F.col("unit_price") - F.col("discount"))
    return TABLE.select(lines.withColumn("line_amount", amount))
