"""Appends to one Iceberg table take turns within a process."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from pyspark.sql import DataFrame

from streaming.bronze.sink import append


class _Writer:
    """Stands in for Spark's DataFrameWriterV2: records how many appends overlap."""

    def __init__(self, stats: dict[str, int], guard: threading.Lock) -> None:
        self.stats, self.guard = stats, guard

    def option(self, key: str, value: str) -> _Writer:
        return self

    def append(self) -> None:
        with self.guard:
            self.stats["now"] += 1
            self.stats["most"] = max(self.stats["most"], self.stats["now"])
        time.sleep(0.05)
        with self.guard:
            self.stats["now"] -= 1


class _Rows:
    def __init__(self, writer: _Writer) -> None:
        self.writer = writer

    def writeTo(self, table: str) -> _Writer:
        return self.writer


def _most_at_once(tables: list[str]) -> int:
    stats = {"now": 0, "most": 0}
    rows = cast(DataFrame, cast(Any, _Rows(_Writer(stats, threading.Lock()))))
    with ThreadPoolExecutor(len(tables)) as pool:
        list(pool.map(lambda table: append(rows, table, {"lakehouse.stream": "t"}), tables))
    return stats["most"]


def test_appends_to_one_table_take_turns_and_other_tables_do_not_wait() -> None:
    assert _most_at_once(["bronze.dead_letters"] * 4) == 1
    assert _most_at_once(["bronze.orders", "bronze.payments", "bronze.customers"]) > 1
