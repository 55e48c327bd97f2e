"""The bronze sensor and assets in Dagster, on the real broker, catalog and Spark.

A tick with new offsets launches one run; that run lands exactly the records Kafka holds
(bad ones as dead letters); a tick with nothing new launches nothing; a new record on one
topic launches a run for that stream only; an in-flight run holds back the next one.
"""

import uuid
from pathlib import Path

import pytest
from confluent_kafka import Producer
from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRunStatus,
    RunRequest,
    SensorResult,
    SkipReason,
    build_sensor_context,
    materialize,
)
from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteRepositoryOrigin
from dagster._core.test_utils import create_run_for_test
from pyspark.sql import SparkSession

from data_generators import DEFAULT_TOPICS, generate_to_files, generate_to_kafka, make_params
from ecommerce_assets.cli.run import expected_counts
from ecommerce_assets.defs.bronze.ingest import bronze_ingest
from ecommerce_assets.defs.bronze.sensor import bronze_ingest_job, bronze_kafka_sensor
from ecommerce_assets.lib.naming import DEAD_LETTERS_KEY, bronze_key
from ecommerce_assets.resources import BronzeResource, build_resources
from ecommerce_assets.settings import LakehouseSettings

pytestmark = pytest.mark.integration


def tick(instance: DagsterInstance, resources: dict) -> SensorResult | SkipReason:
    context = build_sensor_context(instance=instance, resources=resources)
    return bronze_kafka_sensor(context)


def rows_written(result, key: AssetKey) -> tuple[int, int]:
    event = next(e for e in result.get_asset_materialization_events() if e.asset_key == key)
    metadata = event.materialization.metadata
    dead = metadata.get("dead_letters_written")
    return metadata.get("rows_written", dead).value, dead.value


def test_sensor_launches_runs_only_for_new_offsets(
    lakehouse_stack: LakehouseSettings, spark: SparkSession, tmp_path: Path
) -> None:
    prefix = f"it.sensor.{uuid.uuid4().hex[:8]}"
    topics = {stream: f"{prefix}.{stream}" for stream in DEFAULT_TOPICS}
    params = make_params(
        seed=5, customers=300, products=60, days=2, events_per_day=2_000, topics=topics,
        trouble={"duplicate_share": 0.01, "late_share": 0.02, "malformed_share": 0.01},
    )  # fmt: skip
    manifest = generate_to_kafka(params, lakehouse_stack.bootstrap_servers, partitions=2)
    bronze = BronzeResource(
        bootstrap_servers=lakehouse_stack.bootstrap_servers,
        checkpoint_root=(tmp_path / "checkpoints").as_uri(),
        topics=topics,
    )
    resources = {**build_resources(lakehouse_stack), "bronze": bronze}

    with DagsterInstance.ephemeral() as instance:
        first = tick(instance, resources)
        assert isinstance(first, SensorResult)
        [request] = first.run_requests
        assert isinstance(request, RunRequest)
        assert set(request.asset_selection) == {bronze_key(s) for s in topics} | {DEAD_LETTERS_KEY}

        result = materialize(
            [bronze_ingest],
            selection=request.asset_selection,
            resources=resources,
            instance=instance,
        )
        assert result.success
        expected = expected_counts(manifest)
        for stream, (want_rows, want_dead) in expected.items():
            assert rows_written(result, bronze_key(stream)) == (want_rows, want_dead), stream
        dead_total = sum(dead for _, dead in expected.values())
        assert dead_total > 0
        assert rows_written(result, DEAD_LETTERS_KEY) == (dead_total, dead_total)

        # Nothing new: the checkpoints hold every end offset.
        assert isinstance(tick(instance, resources), SkipReason)

        # One new record on one topic: a run for that stream only.
        producer = Producer({"bootstrap.servers": lakehouse_stack.bootstrap_servers})
        producer.produce(topics["orders"], key=b"c-1", value=b'{"not": "an envelope"}')
        assert producer.flush(10) == 0
        second = tick(instance, resources)
        assert isinstance(second, SensorResult)
        assert set(second.run_requests[0].asset_selection) == {
            bronze_key("orders"),
            DEAD_LETTERS_KEY,
        }

        # While a bronze run is queued or running, the sensor waits instead of launching.
        # A queued run must name its code location (the queue launches it from there).
        origin = RemoteRepositoryOrigin(
            RegisteredCodeLocationOrigin("ecommerce_assets"), "__repository__"
        ).get_job_origin(bronze_ingest_job.name)
        queued = create_run_for_test(
            instance,
            job_name=bronze_ingest_job.name,
            status=DagsterRunStatus.QUEUED,
            remote_job_origin=origin,
        )
        held = tick(instance, resources)
        assert isinstance(held, SkipReason)
        assert "still queued" in (held.skip_message or "")
        instance.delete_run(queued.run_id)
        create_run_for_test(
            instance, job_name=bronze_ingest_job.name, status=DagsterRunStatus.STARTED
        )
        held = tick(instance, resources)
        assert isinstance(held, SkipReason)
        assert "still started" in (held.skip_message or "")


def test_bronze_assets_backfill_from_landing_files_once(
    lakehouse_stack: LakehouseSettings, spark: SparkSession, tmp_path: Path
) -> None:
    params = make_params(
        seed=8, customers=200, products=40, days=2, events_per_day=1_000,
        trouble={"duplicate_share": 0.01, "malformed_share": 0.01},
    )  # fmt: skip
    manifest = generate_to_files(params, tmp_path / "landing")
    resources = build_resources(lakehouse_stack)
    run_config = {"ops": {"bronze_ingest": {"config": {"files": [str(tmp_path / "landing")]}}}}
    with DagsterInstance.ephemeral() as instance:
        first = materialize(
            [bronze_ingest], resources=resources, instance=instance, run_config=run_config
        )
        assert first.success
        for stream, (want_rows, want_dead) in expected_counts(manifest).items():
            assert rows_written(first, bronze_key(stream)) == (want_rows, want_dead), stream
        # The same files again: the ledger in the snapshot summaries says they are in.
        again = materialize(
            [bronze_ingest], resources=resources, instance=instance, run_config=run_config
        )
        assert again.success
        for stream in DEFAULT_TOPICS:
            assert rows_written(again, bronze_key(stream)) == (0, 0), stream
