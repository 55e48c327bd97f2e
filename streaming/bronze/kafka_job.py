"""Kafka -> bronze with Structured Streaming: one query per topic.

Each micro-batch is read from Kafka and parsed once, in one pass that appends the good
rows to the topic's bronze table and gathers the dead letters on the way
(:class:`~streaming.bronze.dead_letters.DeadLetterWatch`); the dead letters are then
appended to the dead-letter table. What a batch covers comes from Spark's offset log,
and both appends go through :class:`~streaming.bronze.sink.KafkaTableWriter`
(exactly once, see :mod:`streaming.bronze.sink`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from functools import partial

from pyspark.errors import StreamingQueryException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery
from pyspark.util import inheritable_thread_target

from streaming.bronze.checkpoint import (
    committed_offsets,
    has_pending_batch,
    initial_offsets,
    planned_offsets,
    planned_start,
)
from streaming.bronze.config import BronzeConfig, StreamReport
from streaming.bronze.dead_letters import write_split
from streaming.bronze.parse import kafka_records, parse_records
from streaming.bronze.session import job_conf
from streaming.bronze.sink import AppendResult, KafkaTableWriter, fail_at
from streaming.bronze.tables import ensure_bronze_tables

log = logging.getLogger(__name__)


class KafkaBatchProcessor:
    """The foreachBatch function of one topic's query; accumulates what the run did."""

    def __init__(self, config: BronzeConfig, topic: str) -> None:
        self.config = config
        self.topic = topic
        self.checkpoint = config.checkpoint_for(topic)
        self.fail_point = config.fail_point
        self.bronze = KafkaTableWriter(config.table_for(topic), topic, event_days=True)
        self.dead_letters = KafkaTableWriter(config.dead_letter_table, topic, event_days=False)
        self.batches = 0
        self.rows_written = 0
        self.dead_letters_written = 0
        self.touched_days: set[str] = set()
        #: What made a batch fail: Spark's StreamingQueryException loses the Python error.
        self.error: BaseException | None = None

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        try:
            self._process(batch, batch_id)
        except BaseException as error:
            self.error = error
            raise

    def _process(self, batch: DataFrame, batch_id: int) -> None:
        fail_at("before_write", self.fail_point)
        spark = batch.sparkSession
        started = time.perf_counter()
        end = planned_offsets(spark, self.checkpoint, batch_id).get(self.topic, {})
        bronze_done = self.bronze.covers(spark, end)
        if bronze_done and self.dead_letters.covers(spark, end):
            log.info("%s batch %d: a replay both tables already hold", self.topic, batch_id)
            return
        write_bronze = (
            None if bronze_done else partial(self.bronze.write, end=end, batch_id=batch_id)
        )
        records = kafka_records(batch)
        if self._fits_one_task(spark, batch_id, end):
            # One task instead of one per Kafka partition: a small batch then costs one
            # consumer and one file per event day, not one per partition and day.
            records = records.coalesce(1)
        written, dead = write_split(parse_records(records), write_bronze, dt.datetime.now(dt.UTC))
        fail_at("after_bronze_write", self.fail_point)
        bronze_s = time.perf_counter() - started
        # A batch without dead letters leaves the table alone; a replay of it then finds
        # the mark short and gathers nothing again, which is harmless.
        dead_written = (
            AppendResult(0) if dead is None else self.dead_letters.write(dead, end, batch_id)
        )
        fail_at("after_all_writes", self.fail_point)
        log.info(
            "%s batch %d: %d rows, %d dead letters; read+parse+bronze %.1fs, dead letters %.1fs",
            self.topic, batch_id, written.rows, dead_written.rows, bronze_s,
            time.perf_counter() - started - bronze_s,
        )  # fmt: skip
        self.batches += 1
        self.rows_written += written.rows
        self.dead_letters_written += dead_written.rows
        self.touched_days |= written.days

    def _fits_one_task(self, spark: SparkSession, batch_id: int, end: dict[int, int]) -> bool:
        start = planned_start(spark, self.checkpoint, batch_id).get(self.topic, {})
        if set(start) != set(end):
            return False  # a partition of unknown size (new, or the log is gone)
        return sum(end[p] - start[p] for p in end) <= records_per_task(spark, self.config)


#: Spark tasks per core a full batch is split into: equal tasks, the same number for
#: every core, so that neither core idles at the end of a batch.
TASKS_PER_CORE = 3


def records_per_task(spark: SparkSession, config: BronzeConfig) -> int:
    """The most records one Spark task reads: a full batch is cut into equal tasks."""
    tasks = TASKS_PER_CORE * spark.sparkContext.defaultParallelism
    return math.ceil(config.max_offsets_per_trigger / tasks)


def _kafka_stream(spark: SparkSession, config: BronzeConfig, topic: str) -> DataFrame:
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", config.bootstrap_servers)
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
    )
    # Bigger fetches than the consumer's 1 MiB per partition (fewer round trips). A full
    # batch is cut into `tasks` equal tasks whatever the topic's partition count (three
    # partitions would be three tasks: two cores, then one). Small batches are not cut,
    # and one that fits a task is read by one (KafkaBatchProcessor): each task opens a
    # Kafka consumer and a file per event day, which costs more than it gains there.
    # A task's reads are all below the log end, so the broker's long poll (500 ms by
    # default, for data not there yet) only ever delayed the consumer's last prefetch,
    # and the next request on that connection queued behind it: ~1 s per small topic.
    # Spark's reader asks the broker for the partition's offset range after every poll,
    # and a poll returns at most max.poll.records (500 by default): 5,000 makes that
    # ten times rarer (larger polls made more garbage and were no faster).
    defaults = {
        "kafka.max.partition.fetch.bytes": str(8 * 2**20),
        "kafka.fetch.max.bytes": str(64 * 2**20),
        "kafka.fetch.max.wait.ms": "10",
        "kafka.max.poll.records": "5000",
        "maxRecordsPerPartition": str(records_per_task(spark, config)),
    }
    for key, value in defaults.items():
        if key not in config.kafka_options:
            reader = reader.option(key, value)
    reader = reader.option("maxOffsetsPerTrigger", str(config.max_offsets_per_trigger))
    for key, value in config.kafka_options.items():
        reader = reader.option(key, value)
    return reader.load()


def _start(
    spark: SparkSession,
    config: BronzeConfig,
    topic: str,
    processor: KafkaBatchProcessor,
    *,
    interval: str | None,
) -> StreamingQuery:
    """Start ``topic``'s query: availableNow when ``interval`` is None, else continuous."""
    writer = (
        _kafka_stream(spark, config, topic)
        .writeStream.queryName(f"bronze:{topic}")
        .option("checkpointLocation", config.checkpoint_for(topic))
        .foreachBatch(processor)
    )
    if interval is None:
        return writer.trigger(availableNow=True).start()
    return writer.trigger(processingTime=interval).start()


def _topics(config: BronzeConfig, topics: Iterable[str] | None) -> list[str]:
    names = list(config.streams) if topics is None else list(topics)
    for name in names:
        config.table_for(name)  # fail early on an unknown topic
    return names


# Spark 4.1.1 bug (SPARK-55271 / SPARK-57438): when a restarted query replays the batch a
# crash left uncommitted, the Kafka source's progress metrics hit a null after the batch
# is written *and committed*, and the query dies. Starting it again is safe and proceeds
# normally (the next batch is planned afresh). Drop this once Spark ships the fix.
_REPLAY_METRICS_BUG = 'the return value of "scala.Option.get()" is null'
_MAX_ATTEMPTS = 3


def _is_replay_metrics_bug(failure: StreamingQueryException) -> bool:
    return _REPLAY_METRICS_BUG in str(failure)


def _run_to_end(
    spark: SparkSession, config: BronzeConfig, topic: str, processor: KafkaBatchProcessor
) -> None:
    """One availableNow query for ``topic``, restarted past Spark's replay-metrics bug.

    Run it within :func:`~streaming.bronze.session.job_conf`.
    """
    for attempt in range(1, _MAX_ATTEMPTS + 1):
        query = _start(spark, config, topic, processor, interval=None)
        try:
            query.awaitTermination()
            return
        except StreamingQueryException as failure:
            if processor.error is not None:
                raise processor.error from failure
            if not (_is_replay_metrics_bug(failure) and attempt < _MAX_ATTEMPTS):
                raise
        finally:
            query.stop()


def _ingest_topic(spark: SparkSession, config: BronzeConfig, topic: str) -> StreamReport:
    started = time.perf_counter()
    checkpoint = config.checkpoint_for(topic)
    before = committed_offsets(spark, checkpoint).get(topic, {})
    processor = KafkaBatchProcessor(config, topic)
    _run_to_end(spark, config, topic, processor)
    after = committed_offsets(spark, checkpoint).get(topic, {})
    first = initial_offsets(spark, checkpoint).get(topic, {})
    return StreamReport(
        topic=topic,
        table=config.table_for(topic),
        batches=processor.batches,
        rows_written=processor.rows_written,
        dead_letters=processor.dead_letters_written,
        # A partition nothing was read from starts where it ends.
        start_offsets={**after, **first, **before},
        end_offsets=after,
        touched_days=sorted(processor.touched_days),
        duration_s=time.perf_counter() - started,
    )


def run_available_now(
    spark: SparkSession, config: BronzeConfig, topics: Iterable[str] | None = None
) -> list[StreamReport]:
    """Ingest everything available now; one report per topic; raise if a query fails.

    The topics' queries run side by side: a small topic's fixed costs (query start,
    table lookups, commits) then overlap the big topics' reading and writing instead of
    adding to them. A failed query does not stop the others; the first failure is
    raised once all have ended.

    ``start_offsets`` are the checkpoint's committed offsets before the run; a partition
    the checkpoint does not know yet (first run) starts where the query started.
    """
    names = _topics(config, topics)
    ensure_bronze_tables(spark, config, names)
    # Each thread gets the caller's Spark job properties and tags (e.g. a job group that
    # cancelling a run relies on).
    ingest = inheritable_thread_target(spark)(_ingest_topic)
    with job_conf(spark), ThreadPoolExecutor(max(1, len(names)), "bronze") as pool:
        futures = [pool.submit(ingest, spark, config, topic) for topic in names]
        wait(futures)
    return [future.result() for future in futures]


def start_continuous(
    spark: SparkSession,
    config: BronzeConfig,
    topics: Iterable[str] | None = None,
    trigger_interval: str = "1 second",
) -> list[StreamingQuery]:
    """Start one long-running query per topic (micro-batches every ``trigger_interval``).

    The caller owns the queries: ``awaitAnyTermination`` / ``stop`` them.
    """
    names = _topics(config, topics)
    ensure_bronze_tables(spark, config, names)
    with job_conf(spark):
        for topic in names:
            if has_pending_batch(spark, config.checkpoint_for(topic)):
                # Replay the batch a crash left uncommitted with the bug workaround
                # above, rather than let the long-running query die on it.
                _run_to_end(
                    spark,
                    config,
                    topic,
                    KafkaBatchProcessor(config, topic),
                )
        return [
            _start(
                spark,
                config,
                topic,
                KafkaBatchProcessor(config, topic),
                interval=trigger_interval,
            )
            for topic in names
        ]
