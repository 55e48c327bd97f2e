"""Benchmark Kafka -> bronze: Spark availableNow against a plain Kafka consumer.

Starts a stack of its own (fresh data folder, spare ports) so it never touches yours,
generates N clickstream events (plus the other streams) into Kafka, then measures

(a) the ceiling: one confluent-kafka consumer reading every record of every topic;
(b) ``streaming.bronze.run_available_now``: Kafka -> parse -> Iceberg bronze + dead
    letters, exactly once, on Spark ``local[2]`` (session start not included), in a
    fresh JVM as each Dagster run is; then the same ingestion again, into other tables,
    in the now warm JVM: what is left once the JIT compiler has done its work

and prints a Markdown table for docs/benchmarks.md, preceded by what the figures depend
on (see benchmarks/jvm_probe.py): the machine line (CPU, cores, the JDK Spark runs on,
load and free memory at the start), the session start and whether the JVM mapped the
class archive, and for each run where the time went (CPU by Spark thread group, GC and
JIT from the JVM's MXBeans, the first batch, Spark's progress durations). ``--profile``
adds a JFR split of the task threads' CPU into Kafka read, parse and write.

    uv run python benchmarks/bronze_benchmark.py --events 5000000
    uv run python benchmarks/bronze_benchmark.py --events 10000000
    uv run python benchmarks/bronze_benchmark.py --events 200000 --max-offsets 100000
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from confluent_kafka import Consumer, TopicPartition
from jvm_probe import (
    CpuProbe,
    CpuTimeline,
    HostState,
    JfrProbe,
    ProgressProbe,
    archive_status,
    cpu_report,
    find_pid,
    jvm_pid,
    machine_line,
    meminfo_gib,
)
from rich.console import Console

from data_generators import generate_to_kafka, make_params
from ecommerce_assets.settings import LakehouseSettings, load_settings
from ecommerce_assets.stack import manager

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PORTS = {
    "kafka_port": 39092,
    "kafka_controller_port": 39093,
    "catalog_port": 38181,
    "trino_port": 38080,
}
DAYS = 10


def consume_all(bootstrap: str, topics: list[str]) -> tuple[int, float]:
    """Read every record of ``topics`` from the start; (records, seconds)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"bronze-bench-{time.time_ns()}",
            "enable.auto.commit": False,
            "fetch.max.bytes": 64 * 2**20,
            "max.partition.fetch.bytes": 16 * 2**20,
        }
    )
    targets: dict[tuple[str, int], int] = {}
    partitions = []
    for topic in topics:
        for p in consumer.list_topics(topic, timeout=30).topics[topic].partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
            if high > low:
                targets[(topic, p)] = high
                partitions.append(TopicPartition(topic, p, low))
    started = time.perf_counter()
    consumer.assign(partitions)
    records = 0
    while targets:
        for message in consumer.consume(num_messages=10_000, timeout=1.0):
            if message.error():
                continue
            records += 1
            key = (message.topic(), message.partition())
            if key in targets and message.offset() + 1 >= targets[key]:
                del targets[key]
    elapsed = time.perf_counter() - started
    consumer.close()
    return records, elapsed


def ingest_once(
    spark: SparkSession,
    settings: LakehouseSettings,
    topics: dict[str, str],
    max_offsets: int | None,
    namespace: str,
) -> dict[str, Any]:
    """Every topic from the start into ``namespace``'s tables (own checkpoints)."""
    from streaming.bronze import BronzeConfig, run_available_now

    config = BronzeConfig(
        bootstrap_servers=settings.bootstrap_servers,
        streams={topic: f"{namespace}.{stream}" for stream, topic in topics.items()},
        dead_letter_table=f"{namespace}.dead_letters",
        checkpoint_root=f"{settings.checkpoint_root}/{namespace}",
        **({} if max_offsets is None else {"max_offsets_per_trigger": max_offsets}),
    )
    started = time.perf_counter()
    reports = run_available_now(spark, config)
    elapsed = time.perf_counter() - started
    clicks = next(r for r in reports if r.topic == topics["clickstream"])
    return {
        "records": sum(r.rows_written + r.dead_letters for r in reports),
        "elapsed_s": elapsed,
        "clickstream": clicks.rows_written + clicks.dead_letters,
        "clickstream_s": clicks.duration_s,
        "batches": sum(r.batches for r in reports),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5_000_000, help="clickstream events")
    parser.add_argument("--partitions", type=int, default=3, help="partitions per topic")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--malformed-share", type=float, default=0.001, help="share of malformed copies"
    )
    parser.add_argument(
        "--max-offsets",
        type=int,
        default=None,
        help="maxOffsetsPerTrigger (default: the job's cap, 2,000,000)",
    )
    parser.add_argument("--data-dir", type=Path, help="stack data folder (default: a temp one)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="JFR samples of the task threads, split by phase (costs a few per cent)",
    )
    args = parser.parse_args()
    command = shlex.join(["uv", "run", "python", *sys.argv])
    host = HostState.now()
    console = Console(stderr=True)
    # Per-batch timings of the bronze job (read+parse, bronze write, dead letters).
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    logging.getLogger("streaming.bronze").setLevel(logging.INFO)

    with tempfile.TemporaryDirectory(prefix="bronze-bench-") as scratch:
        data_dir = args.data_dir or Path(scratch) / "data"
        settings = load_settings(data_dir=str(data_dir), **PORTS)
        manager.up(settings, console)
        try:
            params = make_params(
                seed=args.seed, customers=args.customers, products=args.products, days=DAYS,
                events_per_day=args.events // DAYS,
                trouble={"malformed_share": args.malformed_share, "duplicate_share": 0.001},
            )  # fmt: skip
            console.print(f"generating {args.events:,} clickstream events into Kafka ...")
            manifest = generate_to_kafka(
                params, settings.bootstrap_servers, partitions=args.partitions
            )
            delivered = sum(r["delivered"] for r in manifest["totals"]["records"].values())
            # The broker's new log segments are still dirty in the page cache: written back
            # while (a) and (b) run, they would take kernel CPU (how much depends on the
            # disk) from the two cores being measured. Flushed before anything is timed.
            dirty_mib = (meminfo_gib("Dirty") + meminfo_gib("Writeback")) * 2**10
            flush_started = time.perf_counter()
            os.sync()
            flushed = f"flushed {dirty_mib:,.0f} MiB of dirty pages in " + (
                f"{time.perf_counter() - flush_started:.1f} s before timing"
            )
            topics = params.topics.streams()
            console.print("(a) plain consumer ...")
            consumed, consume_s = consume_all(settings.bootstrap_servers, list(topics.values()))
            from ecommerce_assets.resources.spark import spark_session

            before_spark = HostState.now()
            started = time.perf_counter()
            session = spark_session(settings)
            session_s = time.perf_counter() - started
            session.sparkContext.setLogLevel("ERROR")
            notes = [
                machine_line(session, host),
                f"after generating: {flushed}; before Spark: {before_spark.describe()}",
                f"Spark session start {session_s:.1f} s; {archive_status(session)}",
            ]
            probe = CpuProbe(session, find_pid("kafka.Kafka", str(data_dir)))
            progress = ProgressProbe(f"bronze:{topics['clickstream']}")
            session.streams.addListener(progress)
            runs = {}
            for label, namespace in (("fresh JVM", "bench_bronze"),
                                     ("warm JVM", "bench_bronze_warm")):  # fmt: skip
                console.print(f"(b) run_available_now, {label} ...")
                jfr = JfrProbe(session) if args.profile else None
                progress.reset()
                start = probe.snapshot()
                if jfr is not None:
                    jfr.start()
                with CpuTimeline(jvm_pid(session)) as timeline:
                    run = ingest_once(session, settings, topics, args.max_offsets, namespace)
                end = probe.snapshot()
                runs[label] = run
                progress.wait_for(run["batches"])
                notes.append(f"{label}: {cpu_report(start, end)}")
                notes.append(f"{label}: {progress.report(timeline)}")
                if jfr is not None:
                    notes.append(f"{label}: {jfr.stop()}")
            spark, warm = runs["fresh JVM"], runs["warm JVM"]
            session.stop()
        finally:
            manager.down(settings, console)

    assert consumed == delivered, (consumed, delivered)
    assert spark["records"] == warm["records"] == delivered, (spark, warm, delivered)
    ceiling = consumed / consume_s
    bronze = spark["records"] / spark["elapsed_s"]
    print(f"command: {command}")
    print("\n".join(notes))
    print(f"cpus={os.cpu_count()} records={delivered:,} (clickstream {spark['clickstream']:,}) "
          f"partitions={args.partitions} maxOffsetsPerTrigger={args.max_offsets} "
          f"batches={spark['batches']}")  # fmt: skip
    rows = [
        ("(a) confluent-kafka consumer, all topics", consumed, consume_s),
        ("(b) run_available_now, all topics -> bronze", spark["records"], spark["elapsed_s"]),
        ("(b) clickstream topic alone", spark["clickstream"], spark["clickstream_s"]),
        ("(b) again in the warm JVM, all topics", warm["records"], warm["elapsed_s"]),
    ]
    print("| measure | records | seconds | records/s |\n|---|---|---|---|")
    for name, records, seconds in rows:
        print(f"| {name} | {records:,} | {seconds:.1f} | {records / seconds:,.0f} |")
    warm_rate = warm["records"] / warm["elapsed_s"]
    print(f"| ratio (b) / (a) | | | {bronze / ceiling:.2f} |")
    print(f"| ratio (b, warm JVM) / (a) | | | {warm_rate / ceiling:.2f} |")
    # What starting cold costs a run (JIT warm-up, first query starts): paid once per
    # process, so it weighs less the more a run ingests.
    print(f"| fresh JVM's extra time, (b) - (b, warm JVM) | | "
          f"{spark['elapsed_s'] - warm['elapsed_s']:.1f} | |")  # fmt: skip


if __name__ == "__main__":
    main()
