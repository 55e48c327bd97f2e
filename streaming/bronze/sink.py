"""Exactly-once appends to Iceberg: every append says in its snapshot what it holds.

Spark's checkpoint makes a streaming run replay a batch it had not committed, with the
same offsets; Iceberg's atomic appends make each table write all-or-nothing. What is
left is a crash *between* a table write and Spark's commit: the replay would append the
same rows again. So each append carries snapshot properties:

* ``lakehouse.stream`` - who wrote it: the Kafka topic, or ``files:<topic>`` for files
* ``lakehouse.batch`` - the micro-batch id (for people reading the history)
* ``lakehouse.kafka-offsets`` - JSON {partition: next offset}: the high-water mark of
  the topic's records in *this table* after the append, cumulative over batches

Before writing, a batch drops the rows below the table's high-water mark for the topic.
A replayed batch is then skipped whole (every row is below the mark), and even a
restart from a lost or reset checkpoint cannot duplicate a (topic, partition, offset).
The mark is read from the table once per run (the first batch of a run is the only one
that can be a replay) and then carried in memory.

Snapshot expiry must keep each stream's newest snapshot per table (expire by age with
``retain_last`` well above the number of streams writing the dead-letter table).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from streaming.bronze.config import InjectedFailure
from streaming.bronze.parse import event_day

PROP_STREAM = "lakehouse.stream"
PROP_BATCH = "lakehouse.batch"
PROP_KAFKA_OFFSETS = "lakehouse.kafka-offsets"
PROP_FILES = "lakehouse.files"


def fail_at(point: str, configured: str | None) -> None:
    if configured == point:
        raise InjectedFailure(f"injected failure at {point}")


def stream_summaries(
    spark: SparkSession, table: str, stream: str, limit: int | None = None
) -> list[dict[str, str]]:
    """Summaries of the table's snapshots written by ``stream``, newest first."""
    snapshots = (
        spark.table(f"{table}.snapshots")
        .where(F.col("summary")[PROP_STREAM] == stream)
        .orderBy(F.col("committed_at").desc())
    )
    if limit is not None:
        snapshots = snapshots.limit(limit)
    return [dict(row["summary"]) for row in snapshots.select("summary").collect()]


def append(rows: DataFrame, table: str, properties: Mapping[str, str]) -> None:
    """One atomic Iceberg append whose snapshot summary carries ``properties``."""
    writer = rows.writeTo(table)
    for key, value in properties.items():
        writer = writer.option(f"snapshot-property.{key}", value)
    writer.append()


def kafka_high_water(spark: SparkSession, table: str, topic: str) -> dict[int, int]:
    """Partition -> next offset not yet in ``table`` for ``topic`` ({} if none)."""
    # Every Kafka append records the mark, so the newest snapshot of the stream has it.
    for summary in stream_summaries(spark, table, topic, limit=1):
        if PROP_KAFKA_OFFSETS in summary:
            return {int(p): int(o) for p, o in json.loads(summary[PROP_KAFKA_OFFSETS]).items()}
    return {}


@dataclass
class PartitionStats:
    """Per Kafka partition of one batch and one table: rows, offset range, event days."""

    rows: int = 0
    first: int = 2**63 - 1
    last: int = -1
    days: dict[str, int] = field(default_factory=dict)

    def add(self, rows: int, first: int, last: int, day: str | None) -> None:
        self.rows += rows
        self.first = min(self.first, first)
        self.last = max(self.last, last)
        if day is not None:
            self.days[day] = self.days.get(day, 0) + rows


@dataclass
class AppendResult:
    rows: int
    days: set[str]


def _above(high_water: Mapping[int, int]) -> F.Column:
    condition = F.lit(True)
    for partition, offset in high_water.items():
        condition = F.when(
            F.col("kafka_partition") == partition, F.col("kafka_offset") >= offset
        ).otherwise(condition)
    return condition


class KafkaTableWriter:
    """Appends one topic's rows to one table, skipping what the table already holds."""

    def __init__(self, table: str, topic: str) -> None:
        self.table = table
        self.topic = topic
        self._high_water: dict[int, int] | None = None

    def write(
        self, rows: DataFrame, stats: Mapping[int, PartitionStats], batch_id: int
    ) -> AppendResult:
        if not stats:
            return AppendResult(0, set())
        if self._high_water is None:
            self._high_water = kafka_high_water(rows.sparkSession, self.table, self.topic)
        mark = self._high_water
        if all(s.last < mark.get(p, 0) for p, s in stats.items()):
            return AppendResult(0, set())  # a replay of a batch this table already holds
        if all(s.first >= mark.get(p, 0) for p, s in stats.items()):
            result = AppendResult(
                sum(s.rows for s in stats.values()),
                {d for s in stats.values() for d in s.days},
            )
        else:
            # Part of the batch is already there: only after a checkpoint was lost or
            # reset, so the extra pass over the cached batch is rare.
            rows = rows.where(_above(mark))
            counted = rows.groupBy(event_day().alias("day")).count().collect()
            result = AppendResult(
                sum(r["count"] for r in counted), {r["day"] for r in counted if r["day"]}
            )
        new_mark = dict(mark)
        for partition, s in stats.items():
            new_mark[partition] = max(new_mark.get(partition, 0), s.last + 1)
        append(
            rows,
            self.table,
            {
                PROP_STREAM: self.topic,
                PROP_BATCH: str(batch_id),
                PROP_KAFKA_OFFSETS: json.dumps({str(p): o for p, o in sorted(new_mark.items())}),
            },
        )
        self._high_water = new_mark
        return result


def batch_stats(parsed: DataFrame) -> tuple[dict[int, PartitionStats], dict[int, PartitionStats]]:
    """Per-partition stats of good rows and of dead letters, in one pass over ``parsed``."""
    rows = (
        parsed.groupBy(
            F.col("reason").isNull().alias("good"),
            "kafka_partition",
            F.when(F.col("reason").isNull(), event_day()).alias("day"),
        )
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.min("kafka_offset").alias("first"),
            F.max("kafka_offset").alias("last"),
        )
        .collect()
    )
    good: dict[int, PartitionStats] = {}
    bad: dict[int, PartitionStats] = {}
    for row in rows:
        target = good if row["good"] else bad
        target.setdefault(row["kafka_partition"], PartitionStats()).add(
            row["rows"], row["first"], row["last"], row["day"]
        )
    return good, bad
