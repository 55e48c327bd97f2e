"""Exactly-once appends to Iceberg: every append says in its snapshot what it holds.

Spark's checkpoint makes a streaming run replay a batch it had not committed, with the
same offsets; Iceberg's atomic appends make each table write all-or-nothing. What is
left is a crash *between* a table write and Spark's commit: the replay would append the
same rows again. So each append carries snapshot properties:

* ``lakehouse.stream`` - who wrote it: the Kafka topic, or ``files:<topic>`` for files
* ``lakehouse.batch`` - the micro-batch id (for people reading the history)
* ``lakehouse.kafka-offsets`` - JSON {partition: next offset}: the high-water mark of
  the topic in *this table* after the append (the end of the batches it holds, as
  Spark's offset log records them), cumulative over batches

A batch the mark already covers is a replay and is skipped whole; otherwise the rows
below the mark are dropped, so even a restart from a lost or reset checkpoint cannot
duplicate a (topic, partition, offset).
The mark is read from the table once per run (the first batch of a run is the only one
that can be a replay) and then carried in memory.

Snapshot expiry must keep each stream's newest snapshot per table (expire by age with
``retain_last`` well above the number of streams writing the dead-letter table).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from streaming.bronze.config import InjectedFailure
from streaming.bronze.parse import epoch_day

EPOCH = dt.date(1970, 1, 1)

PROP_STREAM = "lakehouse.stream"
PROP_BATCH = "lakehouse.batch"
PROP_KAFKA_OFFSETS = "lakehouse.kafka-offsets"
PROP_FILES = "lakehouse.files"


def fail_at(point: str, configured: str | None) -> None:
    if configured == point:
        raise InjectedFailure(f"injected failure at {point}")


def stream_summaries(spark: SparkSession, table: str, stream: str) -> Iterator[dict[str, str]]:
    """Summaries of the table's snapshots written by ``stream``, newest first.

    The table's history is walked back from its current snapshot through Iceberg's API
    (a few calls into the JVM per snapshot), not queried as ``<table>.snapshots``, which
    is a Spark job per table per run; callers after the newest one stop early. Only the
    current lineage counts: a rolled-back snapshot's rows are not in the table.
    """
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    # Named with its catalog: given "bronze.x", Iceberg first tries a catalog "bronze"
    # and logs a stack trace before it falls back to the session's catalog.
    catalog = spark.catalog.currentCatalog()
    name = table if table.startswith(f"{catalog}.") else f"{catalog}.{table}"
    iceberg = jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, name)
    snapshot = iceberg.currentSnapshot()
    while snapshot is not None:
        summary = snapshot.summary()
        if summary.get(PROP_STREAM) == stream:
            yield dict(summary)
        parent = snapshot.parentId()
        snapshot = None if parent is None else iceberg.snapshot(parent)


_APPENDING: dict[str, threading.Lock] = {}
_APPENDING_GUARD = threading.Lock()


def _table_lock(table: str) -> threading.Lock:
    with _APPENDING_GUARD:
        return _APPENDING.setdefault(table, threading.Lock())


def append(rows: DataFrame, table: str, properties: Mapping[str, str]) -> None:
    """One atomic Iceberg append whose snapshot summary carries ``properties``.

    Appends to one table take turns within this process: topics ingested side by side
    all write the dead-letter table, and racing commits would make Iceberg retry (and
    log each retry with a stack trace). Other processes' commits are still retried.
    """
    writer = rows.writeTo(table)
    for key, value in properties.items():
        writer = writer.option(f"snapshot-property.{key}", value)
    with _table_lock(table):
        writer.append()


def kafka_high_water(spark: SparkSession, table: str, topic: str) -> dict[int, int]:
    """Partition -> next offset not yet in ``table`` for ``topic`` ({} if none)."""
    # Every Kafka append records the mark, so the newest snapshot of the stream has it.
    for summary in stream_summaries(spark, table, topic):
        if PROP_KAFKA_OFFSETS in summary:
            return {int(p): int(o) for p, o in json.loads(summary[PROP_KAFKA_OFFSETS]).items()}
    return {}


@dataclass
class AppendResult:
    rows: int
    #: UTC event days (ISO dates) of the rows, for tables with an event_time.
    days: set[str] = field(default_factory=set)


def append_observed(
    rows: DataFrame, table: str, properties: Mapping[str, str], *, event_days: bool
) -> AppendResult:
    """:func:`append`, counting the rows (and their event days) as they are written."""
    observation = Observation()
    metrics = [F.count(F.lit(1)).alias("rows")]
    if event_days:
        metrics.append(F.collect_set(epoch_day()).alias("days"))
    append(rows.observe(observation, *metrics), table, properties)
    seen = observation.get
    days = {(EPOCH + dt.timedelta(days=d)).isoformat() for d in seen.get("days", [])}
    return AppendResult(seen["rows"], days)


def _above(high_water: Mapping[int, int]) -> F.Column:
    condition = F.lit(True)
    for partition, offset in high_water.items():
        condition = F.when(
            F.col("kafka_partition") == partition, F.col("kafka_offset") >= offset
        ).otherwise(condition)
    return condition


class KafkaTableWriter:
    """Appends one topic's rows to one table, skipping what the table already holds.

    ``end`` is what a batch covers: partition -> the next offset after the batch, as
    Spark's offset log records it. After an append it is the table's new high-water
    mark for the topic, whether or not the last records were good.
    """

    def __init__(self, table: str, topic: str, *, event_days: bool) -> None:
        self.table = table
        self.topic = topic
        self.event_days = event_days
        self._high_water: dict[int, int] | None = None

    def _mark(self, spark: SparkSession) -> dict[int, int]:
        if self._high_water is None:
            self._high_water = kafka_high_water(spark, self.table, self.topic)
        return self._high_water

    def covers(self, spark: SparkSession, end: Mapping[int, int]) -> bool:
        """Whether the table already holds everything below ``end`` (a replayed batch)."""
        mark = self._mark(spark)
        return all(offset <= mark.get(partition, 0) for partition, offset in end.items())

    def write(self, rows: DataFrame, end: Mapping[int, int], batch_id: int) -> AppendResult:
        mark = self._mark(rows.sparkSession)
        if mark:
            # Normally true for every row; false only for rows of an earlier batch that
            # a lost or reset checkpoint makes Spark read again.
            rows = rows.where(_above(mark))
        new_mark = dict(mark)
        for partition, offset in end.items():
            new_mark[partition] = max(new_mark.get(partition, 0), offset)
        result = append_observed(
            rows,
            self.table,
            {
                PROP_STREAM: self.topic,
                PROP_BATCH: str(batch_id),
                PROP_KAFKA_OFFSETS: json.dumps({str(p): o for p, o in sorted(new_mark.items())}),
            },
            event_days=self.event_days,
        )
        self._high_water = new_mark
        return result
