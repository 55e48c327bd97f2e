"""Exact money arithmetic on Spark columns: ``decimal(12,2)`` in, ``decimal(12,2)`` out."""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column
from pyspark.sql import functions as F

MONEY = "decimal(12,2)"


def money(column: Column) -> Column:
    return column.cast(MONEY)


def array_sum(array: str, element: Callable[[Column], Column]) -> Column:
    """Sum of ``element(x)`` over an array column, as money (null for a null array)."""
    return F.aggregate(F.col(array), F.lit(0).cast(MONEY), lambda acc, x: money(acc + element(x)))


def units(array: str) -> Column:
    """Sum of the ``quantity`` of an array of lines."""
    return F.aggregate(F.col(array), F.lit(0), lambda acc, x: acc + x["quantity"])
