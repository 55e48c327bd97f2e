"""Kafka -> bronze with Structured Streaming: one query per topic.

Each micro-batch is parsed once and cached, so Kafka is read once per batch; one small
aggregation over the cache yields the counts, offset ranges and event days the writers
and the report need (no ``count()`` that would re-read Kafka). Then the good rows go to
the topic's bronze table and the dead letters to the dead-letter table, each through
:class:`~streaming.bronze.sink.KafkaTableWriter` (exactly once, see
:mod:`streaming.bronze.sink`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from pyspark import StorageLevel
from pyspark.errors import StreamingQueryException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery

from streaming.bronze.checkpoint import committed_offsets, has_pending_batch
from streaming.bronze.config import BronzeConfig, StreamReport
from streaming.bronze.parse import bronze_rows, dead_letter_rows, kafka_records, parse_records
from streaming.bronze.session import job_conf
from streaming.bronze.sink import KafkaTableWriter, batch_stats, fail_at
from streaming.bronze.tables import ensure_bronze_tables

log = logging.getLogger(__name__)


class KafkaBatchProcessor:
    """The foreachBatch function of one topic's query; accumulates what the run did."""

    def __init__(self, config: BronzeConfig, topic: str) -> None:
        self.topic = topic
        self.fail_point = config.fail_point
        self.bronze = KafkaTableWriter(config.table_for(topic), topic)
        self.dead_letters = KafkaTableWriter(config.dead_letter_table, topic)
        self.batches = 0
        self.rows_written = 0
        self.dead_letters_written = 0
        self.touched_days: set[str] = set()
        self.first_offsets: dict[int, int] = {}
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
        t0 = time.perf_counter()
        parsed = parse_records(kafka_records(batch)).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            good, bad = batch_stats(parsed)
            for partition, stats in [*good.items(), *bad.items()]:
                known = self.first_offsets.get(partition, stats.first)
                self.first_offsets[partition] = min(known, stats.first)
            t1 = time.perf_counter()
            written = self.bronze.write(bronze_rows(parsed), good, batch_id)
            fail_at("after_bronze_write", self.fail_point)
            t2 = time.perf_counter()
            dead = self.dead_letters.write(dead_letter_rows(parsed), bad, batch_id)
            fail_at("after_all_writes", self.fail_point)
        finally:
            parsed.unpersist()
        log.info(
            "%s batch %d: %d rows, %d dead letters; read+parse+stats %.1fs, bronze %.1fs, "
            "dead letters %.1fs",
            self.topic, batch_id, written.rows, dead.rows, t1 - t0, t2 - t1,
            time.perf_counter() - t2,
        )  # fmt: skip
        self.batches += 1
        self.rows_written += written.rows
        self.dead_letters_written += dead.rows
        self.touched_days |= written.days


#: Records per micro-batch when the configuration sets none. availableNow does *not*
#: split a backlog by itself: without a cap, 5.5 M records were one batch, whose cache
#: exhausted a 2 GiB driver. 1 M records cache in ~1 GiB and run at full speed.
DEFAULT_MAX_OFFSETS_PER_TRIGGER = 1_000_000


def max_offsets_per_trigger(config: BronzeConfig) -> int:
    if config.max_offsets_per_trigger is None:
        return DEFAULT_MAX_OFFSETS_PER_TRIGGER
    return config.max_offsets_per_trigger


def _kafka_stream(spark: SparkSession, config: BronzeConfig, topic: str) -> DataFrame:
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", config.bootstrap_servers)
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
    )
    # Bigger fetches than the consumer's 1 MiB per partition (fewer round trips), and at
    # least two tasks per core so that three topic partitions keep two cores busy.
    defaults = {
        "kafka.max.partition.fetch.bytes": str(8 * 2**20),
        "kafka.fetch.max.bytes": str(64 * 2**20),
        "minPartitions": str(2 * spark.sparkContext.defaultParallelism),
    }
    for key, value in defaults.items():
        if key not in config.kafka_options:
            reader = reader.option(key, value)
    reader = reader.option("maxOffsetsPerTrigger", str(max_offsets_per_trigger(config)))
    for key, value in config.kafka_options.items():
        reader = reader.option(key, value)
    return reader.load()


def _start(
    spark: SparkSession,
    config: BronzeConfig,
    topic: str,
    processor: KafkaBatchProcessor,
    *,
    available_now: bool,
    interval: str = "1 second",
) -> StreamingQuery:
    writer = (
        _kafka_stream(spark, config, topic)
        .writeStream.queryName(f"bronze:{topic}")
        .option("checkpointLocation", config.checkpoint_for(topic))
        .foreachBatch(processor)
    )
    writer = (
        writer.trigger(availableNow=True)
        if available_now
        else writer.trigger(processingTime=interval)
    )
    return writer.start()


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
    """One availableNow query for ``topic``, restarted past Spark's replay-metrics bug."""
    for attempt in range(1, _MAX_ATTEMPTS + 1):
        with job_conf(spark):
            query = _start(spark, config, topic, processor, available_now=True)
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


def run_available_now(
    spark: SparkSession, config: BronzeConfig, topics: Iterable[str] | None = None
) -> list[StreamReport]:
    """Ingest everything available now, one topic after the other; raise if a query fails.

    ``start_offsets`` are the checkpoint's committed offsets before the run; a partition
    the checkpoint does not know yet (first run) starts at the lowest offset the run read.
    """
    names = _topics(config, topics)
    ensure_bronze_tables(spark, config, names)
    reports = []
    for topic in names:
        started = time.perf_counter()
        checkpoint = config.checkpoint_for(topic)
        before = committed_offsets(spark, checkpoint).get(topic, {})
        processor = KafkaBatchProcessor(config, topic)
        _run_to_end(spark, config, topic, processor)
        after = committed_offsets(spark, checkpoint).get(topic, {})
        # A partition nothing was read from starts where it ends.
        start = {**after, **processor.first_offsets, **before}
        reports.append(
            StreamReport(
                topic=topic,
                table=config.table_for(topic),
                batches=processor.batches,
                rows_written=processor.rows_written,
                dead_letters=processor.dead_letters_written,
                start_offsets=start,
                end_offsets=after,
                touched_days=sorted(processor.touched_days),
                duration_s=time.perf_counter() - started,
            )
        )
    return reports


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
    for topic in names:
        if has_pending_batch(spark, config.checkpoint_for(topic)):
            # Replay the batch a crash left uncommitted with the bug workaround above,
            # rather than let the long-running query die on it.
            _run_to_end(spark, config, topic, KafkaBatchProcessor(config, topic))
    queries = []
    with job_conf(spark):
        for topic in names:
            processor = KafkaBatchProcessor(config, topic)
            queries.append(
                _start(
                    spark, config, topic, processor, available_now=False, interval=trigger_interval
                )
            )
    return queries
