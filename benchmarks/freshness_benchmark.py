"""Freshness of bronze: how long from producing a record to seeing it in a Trino query.

Two modes, on a stack of its own (spare ports, temporary folder):
- sensor: the Dagster sensor ticks every --tick-seconds (30 in production); when it asks
  for a run, the bronze job runs in process. Freshness = wait for the tick + the run.
- continuous: `lakehouse stream`'s queries, micro-batches every --interval.

For each sample one envelope with a unique id is produced to shop.orders, and Trino is
polled every 0.2 s until `SELECT ... WHERE event_id = <id>` finds it.

    uv run python benchmarks/freshness_benchmark.py --samples 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from dagster import DagsterInstance, SensorResult, build_sensor_context, materialize
from pyspark.sql import SparkSession
from rich.console import Console

from ecommerce_assets.defs.bronze.ingest import bronze_ingest
from ecommerce_assets.defs.bronze.sensor import bronze_kafka_sensor
from ecommerce_assets.resources import TrinoResource, build_resources
from ecommerce_assets.resources.spark import spark_session
from ecommerce_assets.settings import LakehouseSettings, load_settings
from ecommerce_assets.stack import manager
from streaming.bronze import start_continuous

PORTS = {
    "kafka_port": 49092,
    "kafka_controller_port": 49093,
    "catalog_port": 48181,
    "trino_port": 48080,
}
TOPIC = "shop.orders"


def produce_marker(producer: Producer) -> str:
    event_id = str(uuid.uuid4())
    envelope = {
        "id": event_id,
        "type": "order_placed",
        "event_time": datetime.now(UTC).isoformat(),
        "schema_version": 1,
        "payload": {"order_id": event_id, "customer_id": "c-1", "total": 1.0},
    }
    producer.produce(TOPIC, key=b"c-1", value=orjson.dumps(envelope))
    producer.flush(10)
    return event_id


def wait_visible(trino: TrinoResource, event_id: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            rows = trino.query(f"SELECT count(*) FROM bronze.orders WHERE event_id = '{event_id}'")
            if rows == [(1,)]:
                return
        except Exception:  # the table may not exist before the first run
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{event_id} not visible in bronze after {timeout} s")


def sensor_mode(
    settings: LakehouseSettings, producer: Producer, samples: int, tick_s: float
) -> list[float]:
    resources = build_resources(settings)
    trino = TrinoResource.from_settings(settings)
    results = []
    with DagsterInstance.ephemeral() as instance:
        # The daemon ticks on its own clock: start each sample at a random phase of it.
        next_tick = time.monotonic()
        for _ in range(samples):
            produced_at = time.monotonic()
            event_id = produce_marker(producer)
            while True:
                time.sleep(max(0.0, next_tick - time.monotonic()))
                next_tick = time.monotonic() + tick_s
                result = bronze_kafka_sensor(
                    build_sensor_context(instance=instance, resources=resources)
                )
                if isinstance(result, SensorResult) and result.run_requests:
                    materialize(
                        [bronze_ingest],
                        selection=result.run_requests[0].asset_selection,
                        resources=resources,
                        instance=instance,
                    )
                    break
            wait_visible(trino, event_id)
            results.append(time.monotonic() - produced_at)
            time.sleep(tick_s / 3)  # move the next sample to another phase of the tick
    return results


def continuous_mode(
    settings: LakehouseSettings, producer: Producer, samples: int, interval: str
) -> list[float]:
    from ecommerce_assets.resources import BronzeResource

    spark = SparkSession.getActiveSession()
    assert spark is not None
    config = BronzeResource.from_settings(settings).config(["orders"])
    queries = start_continuous(spark, config, trigger_interval=interval)
    trino = TrinoResource.from_settings(settings)
    results = []
    try:
        time.sleep(5)
        for _ in range(samples):
            produced_at = time.monotonic()
            wait_visible(trino, produce_marker(producer))
            results.append(time.monotonic() - produced_at)
            time.sleep(1.3)
    finally:
        for query in queries:
            query.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=5, help="records timed per mode")
    parser.add_argument("--tick-seconds", type=float, default=30, help="sensor interval")
    parser.add_argument("--interval", default="1 second", help="continuous micro-batch trigger")
    args = parser.parse_args()
    console = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="freshness-") as scratch:
        settings = load_settings(data_dir=str(Path(scratch) / "data"), **PORTS)
        manager.up(settings, console)
        try:
            admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
            admin.create_topics([NewTopic(TOPIC, num_partitions=3)])[TOPIC].result(30)
            spark_session(settings, console)
            producer = Producer({"bootstrap.servers": settings.bootstrap_servers})
            sensor = sensor_mode(settings, producer, args.samples, args.tick_seconds)
            continuous = continuous_mode(settings, producer, args.samples, args.interval)
        finally:
            manager.down(settings, console)
    print("| mode | samples | median | max |\n|---|---|---|---|")
    for name, values in (
        (f"sensor (tick {args.tick_seconds:.0f} s, run in process)", sensor),
        (f"continuous (trigger {args.interval})", continuous),
    ):
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} s | {max(values):.1f} s |"
        )


if __name__ == "__main__":
    main()
