"""Benchmark the data generator: events/s and memory, to Parquet files and to Kafka.

Each sink runs in a fresh process so its peak RSS is its own. RSS is sampled as the
run progresses to show that memory stays flat as the event count grows.

    uv run python benchmarks/generator_benchmark.py --events 5000000
    uv run python benchmarks/generator_benchmark.py --sink kafka --bootstrap 127.0.0.1:9092
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

DAYS = 10


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(sink: str, args: argparse.Namespace, queue: mp.Queue) -> None:
    from data_generators import Progress, generate_to_files, generate_to_kafka, make_params

    params = make_params(
        seed=args.seed, customers=args.customers, products=args.products, days=DAYS,
        events_per_day=args.events // DAYS,
    )  # fmt: skip
    samples: list[tuple[int, float]] = []
    every = max(1, args.events // args.samples)

    def progress(p: Progress) -> None:
        if not samples or p.records - samples[-1][0] >= every:
            samples.append((p.records, rss_mb()))

    started = time.perf_counter()
    if sink == "parquet":
        out = Path(tempfile.mkdtemp(prefix="genbench-", dir=args.tmp))
        try:
            manifest = generate_to_files(params, out, formats=["parquet"], progress=progress)
            size = sum(f.stat().st_size for f in out.rglob("*.parquet"))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    else:
        topics = {s: f"bench.{s}" for s in params.topics.streams()}
        params = params.model_copy(update={"topics": params.topics.model_copy(update=topics)})
        manifest = generate_to_kafka(params, args.bootstrap, partitions=args.partitions,
                                     progress=progress)  # fmt: skip
        size = 0
    elapsed = time.perf_counter() - started
    records = manifest["totals"]["records"]
    queue.put({
        "sink": sink, "elapsed_s": elapsed,
        "clickstream": records["clickstream"]["delivered"],
        "all": sum(r["delivered"] for r in records.values()),
        "peak_rss_mb": peak_rss_mb(), "samples": samples, "bytes": size,
    })  # fmt: skip


def kafka_reachable(bootstrap: str) -> bool:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    try:
        AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=3)
    except KafkaException:
        return False
    return True


def default_bootstrap() -> str:
    try:
        from ecommerce_assets.settings import get_settings

        return get_settings().bootstrap_servers
    except Exception:  # the benchmark also runs without the platform package
        return "127.0.0.1:9092"


def report(result: dict[str, Any]) -> None:
    t = result["elapsed_s"]
    print(f"\n== {result['sink']} ==")
    print(f"clickstream events : {result['clickstream']:,} ({result['clickstream'] / t:,.0f}/s)")
    print(f"all records        : {result['all']:,} ({result['all'] / t:,.0f}/s) in {t:.1f}s")
    if result["bytes"]:
        print(f"parquet size       : {result['bytes'] / 2**20:,.0f} MiB")
    print(f"peak RSS           : {result['peak_rss_mb']:,.0f} MiB")
    print("RSS as the run grows (records -> MiB): " + ", ".join(
        f"{n / 1e6:.1f}M->{mb:.0f}" for n, mb in result["samples"]))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events",
        type=int,
        default=5_000_000,
        help="clickstream events to generate (spread over 10 days)",
    )
    parser.add_argument(
        "--sink",
        choices=["parquet", "kafka", "both"],
        default="both",
        help="kafka is skipped if no broker answers",
    )
    parser.add_argument(
        "--bootstrap",
        default=None,
        help="Kafka bootstrap servers (default: the lakehouse settings)",
    )
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=8, help="RSS samples during the run")
    parser.add_argument("--tmp", default=None, help="folder for the Parquet output")
    args = parser.parse_args()
    args.bootstrap = args.bootstrap or default_bootstrap()
    print(f"cpus={os.cpu_count()} events={args.events:,} customers={args.customers:,} "
          f"products={args.products:,}")  # fmt: skip
    sinks = ["parquet", "kafka"] if args.sink == "both" else [args.sink]
    ctx = mp.get_context("spawn")
    for sink in sinks:
        if sink == "kafka" and not kafka_reachable(args.bootstrap):
            print(f"\n== kafka == skipped: no broker at {args.bootstrap}")
            continue
        queue: mp.Queue = ctx.Queue()
        proc = ctx.Process(target=_run, args=(sink, args, queue))
        proc.start()
        result = queue.get()
        proc.join()
        report(result)


if __name__ == "__main__":
    main()
