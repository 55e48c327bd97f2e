"""Kafka and landing files -> bronze on the real stack: counts, dead letters, exactly once.

Every test writes to tables of its own (a namespace per test) with a checkpoint of its
own; the Kafka topics are generated once for the module and only read.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, TopicPartition
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from data_generators import generate_to_files, generate_to_kafka, make_params
from ecommerce_assets.resources import TrinoResource
from ecommerce_assets.settings import LakehouseSettings
from streaming.bronze import (
    BronzeConfig,
    committed_offsets,
    ingest_files,
    run_available_now,
)
from streaming.bronze.checkpoint import local_path
from streaming.bronze.config import DEFAULT_MAX_OFFSETS_PER_TRIGGER
from streaming.bronze.schemas import TableLayoutError

pytestmark = pytest.mark.integration

TROUBLE = {
    "duplicate_share": 0.02,
    "late_share": 0.02,
    "out_of_order_share": 0.02,
    "malformed_share": 0.03,
    "schema_drift_from_day": 1,
}
# The crash tests use two topics: the busy one and a small one.
CRASH_STREAMS = ("clickstream", "customers")


def _params(prefix: str, seed: int) -> Any:
    topics = {s: f"{prefix}.{s}" for s in ("clickstream", "orders", "payments", "customers",
                                            "products", "inventory", "campaigns")}  # fmt: skip
    return make_params(
        seed=seed, customers=300, products=60, days=2, events_per_day=1_500,
        topics=topics, trouble=TROUBLE,
    )  # fmt: skip


@pytest.fixture(scope="module")
def kafka_run(lakehouse_stack: LakehouseSettings) -> dict[str, Any]:
    """A few thousand events with duplicates, late and malformed records, in Kafka."""
    prefix = f"bronze-it-{uuid.uuid4().hex[:8]}"
    params = _params(prefix, seed=21)
    manifest = generate_to_kafka(params, lakehouse_stack.bootstrap_servers, partitions=3)
    return {"topics": params.topics.streams(), "manifest": manifest}


def _config(
    settings: LakehouseSettings,
    topics: dict[str, str],
    streams: tuple[str, ...] | None = None,
    **extra: Any,
) -> BronzeConfig:
    namespace = f"bronze_it_{uuid.uuid4().hex[:8]}"
    chosen = streams or tuple(topics)
    return BronzeConfig(
        bootstrap_servers=settings.bootstrap_servers,
        streams={topics[s]: f"{namespace}.{s}" for s in chosen},
        dead_letter_table=f"{namespace}.dead_letters",
        checkpoint_root=f"{settings.checkpoint_root}/{namespace}",
        **extra,
    )


def _expected(manifest: dict[str, Any], stream: str) -> tuple[int, int]:
    """(bronze rows, dead letters) for a stream: what Kafka got that parses, and the rest."""
    totals = manifest["totals"]["records"][stream]
    return totals["valid"] + totals["duplicates"], sum(totals["malformed"].values())


def _count(spark: SparkSession, table: str, where: str = "true") -> int:
    return spark.sql(f"SELECT count(*) FROM {table} WHERE {where}").collect()[0][0]


def _duplicate_coordinates(spark: SparkSession, table: str) -> int:
    return _count(
        spark,
        f"(SELECT kafka_topic, kafka_partition, kafka_offset, source_file, count(*) AS n "
        f"FROM {table} GROUP BY 1, 2, 3, 4)",
        "n > 1",
    )


def _assert_exact(
    spark: SparkSession, config: BronzeConfig, manifest: dict[str, Any], topics: dict[str, str]
) -> None:
    stream_of = {t: s for s, t in topics.items()}
    dead_by_topic = dict(
        spark.sql(
            f"SELECT kafka_topic, count(*) FROM {config.dead_letter_table} GROUP BY 1"
        ).collect()
    )
    for topic, table in config.streams.items():
        rows, dead = _expected(manifest, stream_of[topic])
        assert _count(spark, table) == rows, table
        assert dead_by_topic.get(topic, 0) == dead, topic
        assert _duplicate_coordinates(spark, table) == 0, table
    assert _duplicate_coordinates(spark, config.dead_letter_table) == 0


def _high_watermarks(settings: LakehouseSettings, topic: str) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": "it-hw"})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in partitions
        }
    finally:
        consumer.close()


def test_available_now_lands_every_record_once(
    spark: SparkSession, lakehouse_stack: LakehouseSettings, kafka_run: dict[str, Any]
) -> None:
    topics, manifest = kafka_run["topics"], kafka_run["manifest"]
    config = _config(lakehouse_stack, topics)
    reports = run_available_now(spark, config)

    assert [r.topic for r in reports] == list(config.streams)
    _assert_exact(spark, config, manifest, topics)
    by_topic = {r.topic: r for r in reports}
    for stream, topic in topics.items():
        report = by_topic[topic]
        rows, dead = _expected(manifest, stream)
        assert (report.rows_written, report.dead_letters) == (rows, dead)
        assert report.batches == 1
        # The run reached the end of every partition: its end offsets are Kafka's high
        # watermarks, and the checkpoint holds them.
        assert report.end_offsets == _high_watermarks(lakehouse_stack, topic)
        assert committed_offsets(None, config.checkpoint_for(topic))[topic] == report.end_offsets
        assert sum(report.end_offsets.values()) - sum(report.start_offsets.values()) == rows + dead
        days_with_events = {
            day for day, entry in manifest["days"].items() if entry["records"][stream]["valid"]
        }
        assert set(report.touched_days) == days_with_events

    # Every malformed kind lands with a specific reason; schema drift does not.
    dead_letters = config.dead_letter_table
    reasons = Counter(
        r[0].split(":")[0] for r in spark.sql(f"SELECT reason FROM {dead_letters}").collect()
    )
    malformed = Counter()
    for stream in topics:
        malformed.update(manifest["totals"]["records"][stream]["malformed"])
    assert reasons["invalid JSON"] == malformed["invalid_json"]
    assert reasons["missing required field"] == malformed["missing_field"]
    assert reasons["wrong type"] == malformed["wrong_type"]
    clicks = config.streams[topics["clickstream"]]
    drifted = sum(d["records"]["clickstream"]["drifted"] for d in manifest["days"].values())
    assert drifted > 0
    assert _count(spark, f"(SELECT DISTINCT event_id FROM {clicks} WHERE schema_version = 2)") == (
        drifted
    )
    assert _count(spark, dead_letters, "raw_value IS NULL OR reason IS NULL") == 0

    # Each row sits in the partition of its UTC event day.
    assert _count(spark, clicks, "_partition.event_time_day != to_date(event_time)") == 0

    # A second run with nothing new writes nothing and keeps the offsets.
    again = run_available_now(spark, config)
    assert [(r.batches, r.rows_written, r.dead_letters) for r in again] == [(0, 0, 0)] * len(topics)
    assert [r.end_offsets for r in again] == [r.end_offsets for r in reports]
    _assert_exact(spark, config, manifest, topics)

    # Trino reads the same tables and rows, partitioned by event day.
    trino = TrinoResource.from_settings(lakehouse_stack)
    for topic, table in config.streams.items():
        assert trino.query(f"SELECT count(*) FROM {table}")[0][0] == by_topic[topic].rows_written
    namespace, name = clicks.split(".")
    trino_days = dict(
        trino.query(
            "SELECT CAST(partition.event_time_day AS varchar), record_count "
            f'FROM {namespace}."{name}$partitions"'
        )
    )
    spark_days = dict(
        spark.sql(
            f"SELECT CAST(to_date(event_time) AS STRING), count(*) FROM {clicks} GROUP BY 1"
        ).collect()
    )
    assert trino_days == spark_days


@pytest.mark.parametrize("fail_point", ["before_write", "after_bronze_write", "after_all_writes"])
def test_a_crash_and_a_rerun_lose_and_duplicate_nothing(
    spark: SparkSession,
    lakehouse_stack: LakehouseSettings,
    kafka_run: dict[str, Any],
    fail_point: str,
) -> None:
    topics, manifest = kafka_run["topics"], kafka_run["manifest"]
    crashing = _config(lakehouse_stack, topics, CRASH_STREAMS, fail_point=fail_point)
    clicks_topic = topics["clickstream"]
    with pytest.raises(Exception, match=f"injected failure at {fail_point}"):
        run_available_now(spark, crashing, [clicks_topic])
    # The crash left the batch uncommitted, with the writes made up to the fail point.
    assert committed_offsets(None, crashing.checkpoint_for(clicks_topic)) == {}
    bronze_rows, dead = _expected(manifest, "clickstream")
    written = _count(spark, crashing.streams[clicks_topic])
    dead_written = _count(spark, crashing.dead_letter_table)
    assert (written, dead_written) == {
        "before_write": (0, 0),
        "after_bronze_write": (bronze_rows, 0),
        "after_all_writes": (bronze_rows, dead),
    }[fail_point]

    rerun = replace(crashing, fail_point=None)
    reports = run_available_now(spark, rerun)
    _assert_exact(spark, rerun, manifest, topics)
    clicks = next(r for r in reports if r.topic == clicks_topic)
    # The replayed batch writes only what the crash had not written.
    assert clicks.rows_written == bronze_rows - written
    assert clicks.dead_letters == dead - dead_written


def test_a_lost_checkpoint_neither_loses_nor_duplicates(
    spark: SparkSession, lakehouse_stack: LakehouseSettings, kafka_run: dict[str, Any]
) -> None:
    topics, manifest = kafka_run["topics"], kafka_run["manifest"]
    clicks_topic = topics["clickstream"]
    # A first batch of 300 records lands in both tables, then the run dies before Spark
    # commits it, and the checkpoint is lost: the next run starts from the earliest
    # offsets again, with one batch that spans what landed and what did not.
    crashing = _config(
        lakehouse_stack, topics, CRASH_STREAMS, fail_point="after_all_writes",
        max_offsets_per_trigger=300,
    )  # fmt: skip
    with pytest.raises(Exception, match="injected failure"):
        run_available_now(spark, crashing, [clicks_topic])
    landed = _count(spark, crashing.streams[clicks_topic]) + _count(
        spark, crashing.dead_letter_table
    )
    assert 0 < landed <= 300
    checkpoint = local_path(crashing.checkpoint_for(clicks_topic))
    assert checkpoint is not None and checkpoint.is_dir()
    shutil.rmtree(checkpoint)

    rerun = replace(
        crashing, fail_point=None, max_offsets_per_trigger=DEFAULT_MAX_OFFSETS_PER_TRIGGER
    )
    reports = run_available_now(spark, rerun)
    _assert_exact(spark, rerun, manifest, topics)
    clicks = next(r for r in reports if r.topic == clicks_topic)
    assert clicks.batches == 1
    rows, dead = _expected(manifest, "clickstream")
    assert clicks.rows_written + clicks.dead_letters == rows + dead - landed


def test_a_table_of_an_older_layout_is_refused_by_name(
    spark: SparkSession, lakehouse_stack: LakehouseSettings, kafka_run: dict[str, Any]
) -> None:
    config = _config(lakehouse_stack, kafka_run["topics"], ("orders",))
    table = next(iter(config.streams.values()))
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {table.rsplit('.', 1)[0]}")
    spark.sql(f"CREATE TABLE {table} (event_id STRING, payload STRING) USING iceberg")
    with pytest.raises(
        TableLayoutError, match=rf"{table} has the columns \['event_id', 'payload'\]"
    ):
        run_available_now(spark, config)
    assert _count(spark, table) == 0  # refused before anything was written


KILL_SCRIPT = """
import json, sys
from ecommerce_assets.resources.spark import spark_session
from ecommerce_assets.settings import load_settings
from streaming.bronze import BronzeConfig, run_available_now
settings = load_settings(**json.loads(sys.argv[1]))
config = BronzeConfig(**json.loads(sys.argv[2]))
run_available_now(spark_session(settings), config)
print("FINISHED", flush=True)
"""


def test_kill_9_mid_run_then_rerun_is_exact(
    spark: SparkSession,
    lakehouse_stack: LakehouseSettings,
    kafka_run: dict[str, Any],
    tmp_path: Path,
) -> None:
    topics, manifest = kafka_run["topics"], kafka_run["manifest"]
    # Small batches, so the kill lands mid-run: some batches committed, one in flight.
    config = _config(lakehouse_stack, topics, ("clickstream",), max_offsets_per_trigger=300)
    topic = topics["clickstream"]
    settings = {
        "data_dir": str(lakehouse_stack.data_dir),
        "kafka_port": lakehouse_stack.kafka_port,
        "kafka_controller_port": lakehouse_stack.kafka_controller_port,
        "catalog_port": lakehouse_stack.catalog_port,
        "trino_port": lakehouse_stack.trino_port,
    }
    config_json = asdict(config)
    log = (tmp_path / "job.log").open("w")
    job = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, json.dumps(settings), json.dumps(config_json)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill takes the JVM too
    )
    commits = Path(config.checkpoint_for(topic).removeprefix("file://")) / "commits"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and job.poll() is None:
            if (
                len([n for n in os.listdir(commits) if n.isdigit()] if commits.is_dir() else [])
                >= 3
            ):
                break
            time.sleep(0.05)
        assert job.poll() is None, (tmp_path / "job.log").read_text()[-3000:]
        os.killpg(job.pid, signal.SIGKILL)
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
        job.wait()
        log.close()
    killed_at = committed_offsets(None, config.checkpoint_for(topic))
    rows, dead = _expected(manifest, "clickstream")
    assert 0 < sum(killed_at[topic].values()) < rows + dead

    # Whatever the killed run appended, committed or not, the rerun adds only the rest.
    landed = (
        spark.table(config.table_for(topic)).count()
        + spark.table(config.dead_letter_table).where(F.col("kafka_topic") == topic).count()
    )
    reports = run_available_now(spark, config)
    _assert_exact(spark, config, manifest, topics)
    assert reports[0].rows_written + reports[0].dead_letters == rows + dead - landed
    assert reports[0].batches >= 1


def test_files_are_ingested_once(
    spark: SparkSession, lakehouse_stack: LakehouseSettings, tmp_path: Path
) -> None:
    params = make_params(
        seed=5, customers=200, products=40, days=2, events_per_day=1_000, trouble=TROUBLE
    )
    manifest = generate_to_files(params, tmp_path / "landing")
    topics = params.topics.streams()
    config = _config(lakehouse_stack, topics, ("clickstream", "orders", "customers"))
    landing = tmp_path / "landing"
    # Parquet for clickstream (by folder), JSONL for orders (file by file).
    jsonl = sorted(str(p) for p in (landing / topics["orders"]).rglob("*.jsonl"))
    paths = [str(landing / topics["clickstream"]), *jsonl, str(landing / topics["customers"])]

    first = ingest_files(spark, config, paths)
    assert {r.topic for r in first} == {topics[s] for s in ("clickstream", "orders", "customers")}
    _assert_exact(spark, config, manifest, topics)
    for report in first:
        stream = next(s for s, t in topics.items() if t == report.topic)
        assert (report.rows_written, report.dead_letters) == _expected(manifest, stream)
    clicks = config.streams[topics["clickstream"]]
    assert _count(spark, clicks, "source_file IS NULL OR kafka_partition IS NOT NULL") == 0
    assert _count(spark, clicks, "kafka_key IS NULL OR kafka_timestamp IS NULL") == 0
    orders = config.streams[topics["orders"]]
    assert _count(spark, orders, "source_file NOT LIKE '%.jsonl'") == 0

    second = ingest_files(spark, config, paths)
    assert [(r.batches, r.rows_written, r.dead_letters) for r in second] == [(0, 0, 0)] * 3
    _assert_exact(spark, config, manifest, topics)

    # A crash between the two writes, then a rerun: the missing dead letters land once.
    crash = _config(lakehouse_stack, topics, ("customers",), fail_point="after_bronze_write")
    with pytest.raises(Exception, match="injected failure"):
        ingest_files(spark, crash, [str(landing / topics["customers"])])
    rerun = replace(crash, fail_point=None)
    again = ingest_files(spark, rerun, [str(landing / topics["customers"])])
    _, dead = _expected(manifest, "customers")
    assert (again[0].rows_written, again[0].dead_letters) == (0, dead)
    _assert_exact(spark, rerun, manifest, topics)
