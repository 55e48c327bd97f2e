"""`lakehouse stack` through its command line: status, idempotent up, clean down."""

import os
import subprocess
import time

import pytest

from ecommerce_assets.settings import LakehouseSettings, env_name
from ecommerce_assets.stack import manager
from ecommerce_assets.stack.process import pids_with_tag, port_is_free, service_tag

pytestmark = pytest.mark.integration


def run_cli(settings: LakehouseSettings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
    env[env_name("data_dir")] = str(settings.data_dir)
    for field in ("kafka_port", "kafka_controller_port", "catalog_port", "trino_port"):
        env[env_name(field)] = str(getattr(settings, field))
    return subprocess.run(
        ["lakehouse", *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_status_up_again_and_down(lakehouse_stack: LakehouseSettings) -> None:
    status = run_cli(lakehouse_stack, "stack", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    for name in ("kafka", "rest-catalog", "trino"):
        assert name in status.stdout
    assert status.stdout.count("healthy") == 3

    pids_before = {s.name: s.pid for s in manager.status(lakehouse_stack)}
    started = time.monotonic()
    again = run_cli(lakehouse_stack, "stack", "up")
    assert again.returncode == 0, again.stderr
    assert time.monotonic() - started < 30
    assert again.stderr.count("already running") == 3
    assert {s.name: s.pid for s in manager.status(lakehouse_stack)} == pids_before

    down = run_cli(lakehouse_stack, "stack", "down")
    assert down.returncode == 0, down.stderr
    for name in ("kafka", "rest-catalog", "trino"):
        assert pids_with_tag(service_tag(name, lakehouse_stack.data_dir)) == []
    for port in (
        lakehouse_stack.kafka_port,
        lakehouse_stack.kafka_controller_port,
        lakehouse_stack.catalog_port,
        lakehouse_stack.trino_port,
    ):
        assert port_is_free("127.0.0.1", port), f"port {port} still bound after down"
    stopped = run_cli(lakehouse_stack, "stack", "status")
    assert stopped.returncode == 1
    assert stopped.stdout.count("stopped") == 3

    # Later tests in the session still need the stack; data survives the restart.
    up = run_cli(lakehouse_stack, "stack", "up")
    assert up.returncode == 0, up.stderr


def test_bad_setting_fails_with_its_name(lakehouse_stack: LakehouseSettings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
    env["LAKEHOUSE_TRINO_PORT"] = "eighty"
    result = subprocess.run(
        ["lakehouse", "stack", "status"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "LAKEHOUSE_TRINO_PORT" in result.stderr
    assert "Traceback" not in result.stderr
