"""A bronze run killed under a real Dagster daemon does not stop the platform.

The daemon's sensor launches a bronze run; its run worker is SIGKILLed mid-run. Run
monitoring (dagster.yaml, LocalRunLauncher) marks the run failed, the sensor's next tick
launches a new run, and bronze ends exactly equal to Kafka. The dead run's Spark scratch
folder does not survive the next session's start.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, RunsFilter

from data_generators import DEFAULT_TOPICS, generate_to_kafka, make_params
from ecommerce_assets.cli.run import expected_counts
from ecommerce_assets.defs.bronze.sensor import bronze_ingest_job
from ecommerce_assets.lib.bronze_reconciliation import reconcile_bronze
from ecommerce_assets.lib.local_run_launcher import run_worker
from ecommerce_assets.resources import BronzeResource, TrinoResource
from ecommerce_assets.settings import PROJECT_ROOT, LakehouseSettings, env_name
from tests.integration.conftest import PORT_SETTINGS

T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout: float) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := probe()) is not None:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def bronze_runs(instance: DagsterInstance) -> list[DagsterRun]:
    return list(reversed(instance.get_runs(RunsFilter(job_name=bronze_ingest_job.name))))


@pytest.fixture
def daemon(
    lakehouse_stack: LakehouseSettings, tmp_path: Path
) -> Iterator[tuple[DagsterInstance, dict[str, str]]]:
    prefix = f"it.crash.{uuid.uuid4().hex[:8]}"
    topics = {stream: f"{prefix}.{stream}" for stream in DEFAULT_TOPICS}
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        env_name("data_dir"): str(lakehouse_stack.data_dir),
        env_name("topics"): json.dumps(topics),
        **{env_name(f): str(getattr(lakehouse_stack, f)) for f in PORT_SETTINGS},
    }
    log = (tmp_path / "daemon.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    instance = DagsterInstance.from_config(str(home))
    try:
        yield instance, topics
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        instance.dispose()
        log.close()


STARTED = DagsterRunStatus.STARTED


@pytest.mark.slow
def test_killed_bronze_run_is_failed_and_the_sensor_recovers(
    lakehouse_stack: LakehouseSettings, daemon: tuple[DagsterInstance, dict[str, str]]
) -> None:
    instance, topics = daemon
    params = make_params(
        seed=21, customers=300, products=50, days=2, events_per_day=4_000, topics=topics,
        trouble={"duplicate_share": 0.01, "malformed_share": 0.005},
    )  # fmt: skip
    manifest = generate_to_kafka(params, lakehouse_stack.bootstrap_servers, partitions=2)

    # The sensor's first tick launches a run; kill its worker once Spark is working.
    first = wait_for(
        "the sensor's first bronze run to start",
        lambda: next(
            (r for r in bronze_runs(instance) if r.status == DagsterRunStatus.STARTED), None
        ),
        timeout=180,
    )
    pid, _ = wait_for("the run worker's pid", lambda: run_worker(instance, first.run_id), 30)
    scratch = lakehouse_stack.spark_scratch_dir
    wait_for(
        "the run's Spark session",
        lambda: next(iter(scratch.glob(f"{pid}-*")), None) if scratch.is_dir() else None,
        timeout=120,
    )
    time.sleep(3)
    os.kill(pid, signal.SIGKILL)

    # Run monitoring notices the dead worker (poll interval 10 s) and fails the run.
    def first_failed() -> DagsterRun | None:
        run = instance.get_run_by_id(first.run_id)
        return run if run and run.status == DagsterRunStatus.FAILURE else None

    failed = wait_for("run monitoring to fail the killed run", first_failed, timeout=90)
    assert failed.status == DagsterRunStatus.FAILURE

    # The next tick launches again; that run ingests what the dead one did not commit.
    second = wait_for(
        "a new bronze run to succeed",
        lambda: next(
            (
                r
                for r in bronze_runs(instance)
                if r.run_id != first.run_id and r.status == DagsterRunStatus.SUCCESS
            ),
            None,
        ),
        timeout=300,
    )
    assert second.tags.get("dagster/sensor_name") == "bronze_kafka_sensor"

    bronze = BronzeResource(
        bootstrap_servers=lakehouse_stack.bootstrap_servers,
        checkpoint_root=lakehouse_stack.checkpoint_root or "",
        topics=topics,
    )
    results = reconcile_bronze(TrinoResource.from_settings(lakehouse_stack), bronze)
    expected = expected_counts(manifest)
    for result in results:
        assert result.ok, result.describe()
        assert (result.bronze_rows, result.dead_letters) == expected[result.stream], result.stream
    # The second run's session pruned the dead run's scratch folder.
    assert not list(scratch.glob(f"{pid}-*"))
