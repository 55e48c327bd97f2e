"""Silver's own checks, computed with Spark after a run wrote its days.

- reconciliation: :mod:`streaming.silver.reconciliation`, per day and table;
- referential: every order's customer and every order line's product exist in silver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from ecommerce_assets.lib.table_metadata import markdown_preview
from streaming.silver import customers, order_items, orders, products
from streaming.silver.days import DayRange
from streaming.silver.reconciliation import DayCount

SAMPLE_ROWS = 5


def reconciliation_metadata(counts: list[DayCount]) -> dict[str, Any]:
    rows = [c.as_dict() for c in counts]
    failing = [r for r in rows if not r["reconciles"]]
    columns = ["day", "bronze_rows", "duplicates", "quarantined", "silver_rows", "reconciles"]
    return {
        "days": len(rows),
        "days_failing": len(failing),
        "bronze_rows": sum(c.bronze_rows for c in counts),
        "duplicates_removed": sum(c.duplicates for c in counts),
        "quarantined": sum(c.quarantined for c in counts),
        "silver_rows": sum(c.silver_rows for c in counts),
        "per_day": markdown_preview(failing or rows[-10:], columns),
    }


@dataclass(frozen=True)
class Orphans:
    """Rows of ``table`` in the range whose ``column`` has no match in ``parent``."""

    table: str
    column: str
    parent: str
    count: int
    samples: list[dict[str, Any]]

    @property
    def passed(self) -> bool:
        return self.count == 0

    def describe(self) -> str:
        if self.passed:
            return f"every {self.table} row's {self.column} exists in {self.parent}"
        return f"{self.count} {self.table} rows have a {self.column} missing from {self.parent}"


def _orphans(
    spark: SparkSession, days: DayRange, table: str, column: str, parent: str, sample: list[str]
) -> Orphans:
    """Rows of ``table`` in ``days`` whose ``column`` value is nowhere in ``parent``."""
    child = spark.table(table).where(days.contains(F.col("event_date")))
    known = spark.table(parent).select(column).distinct()
    missing = child.join(known, on=column, how="left_anti")
    count = missing.count()
    rows = [r.asDict() for r in missing.select(*sample).limit(SAMPLE_ROWS).collect()]
    return Orphans(table, column, parent, count, rows)


def missing_customers(spark: SparkSession, days: DayRange) -> Orphans:
    """Orders whose customer has no profile in silver.customers (any day)."""
    return _orphans(
        spark,
        days,
        orders.TABLE.identifier,
        "customer_id",
        customers.TABLE.identifier,
        ["order_id", "customer_id", "event_date"],
    )


def missing_products(spark: SparkSession, days: DayRange) -> Orphans:
    """Order lines whose product is not in silver.products (any day)."""
    return _orphans(
        spark,
        days,
        order_items.TABLE.identifier,
        "product_id",
        products.TABLE.identifier,
        ["order_id", "line_number", "product_id", "event_date"],
    )
