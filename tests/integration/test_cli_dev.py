"""``lakehouse dev`` for real: a second one is refused, SIGTERM stops every process.

Needs Dagster only, no stack: the settings point Kafka, the catalog and Trino at ports
nothing listens on, so the daemon's sensor cannot touch a stack someone has running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecommerce_assets.cli.dev import group_members
from ecommerce_assets.stack.process import free_ports

LAKEHOUSE = str(Path(sys.executable).parent / "lakehouse")


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAKEHOUSE_", "DAGSTER_"))}
    names = ("KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "CATALOG_PORT", "TRINO_PORT")
    env.update({f"LAKEHOUSE_{n}": str(p) for n, p in zip(names, free_ports(4), strict=True)})
    env["LAKEHOUSE_DATA_DIR"] = str(data_dir)
    return env


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def _child_of(pid: int) -> int:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


@pytest.fixture
def running_dev(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, dict[str, str]]]:
    env = _environment(tmp_path / "data")
    (port,) = free_ports(1)
    log = (tmp_path / "dev.log").open("wb")
    first = subprocess.Popen(
        [LAKEHOUSE, "dev", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while not _answers(f"http://127.0.0.1:{port}/server_info"):
            assert first.poll() is None, (tmp_path / "dev.log").read_text()
            assert time.monotonic() < deadline, "the Dagster UI did not answer within 120 s"
            time.sleep(0.5)
        yield first, port, env
    finally:
        if first.poll() is None:
            os.killpg(_child_of(first.pid), signal.SIGKILL)
            first.kill()
        first.wait()
        log.close()


def test_second_dev_is_refused_and_sigterm_stops_everything(
    running_dev: tuple[subprocess.Popen[bytes], int, dict[str, str]], tmp_path: Path
) -> None:
    first, port, env = running_dev
    pgid = _child_of(first.pid)  # dagster dev leads the group of all Dagster processes
    members = group_members(pgid)
    assert len(members) >= 4, "dagster dev, webserver, daemon, code server"

    (other_port,) = free_ports(1)
    same_home = subprocess.run(
        [LAKEHOUSE, "dev", "--port", str(other_port)], env=env, capture_output=True, timeout=60
    )
    assert same_home.returncode == 1
    assert f"(pid {first.pid}, http://127.0.0.1:{port}) already serves" in same_home.stderr.decode()

    other_home = {**env, "LAKEHOUSE_DATA_DIR": str(tmp_path / "other")}
    same_port = subprocess.run(
        [LAKEHOUSE, "dev", "--port", str(port)], env=other_home, capture_output=True, timeout=60
    )
    assert same_port.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in same_port.stderr.decode()

    started = time.monotonic()
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=15) == 0
    while group_members(pgid) and time.monotonic() - started < 15:
        time.sleep(0.1)
    assert group_members(pgid) == [], "Dagster processes left after SIGTERM"
    assert not _answers(f"http://127.0.0.1:{port}/server_info")
