"""``lakehouse dev``: one per Dagster home and port; a signal stops its whole group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ecommerce_assets.cli import dev as dev_module
from ecommerce_assets.cli.dev import LOCK_FILE, claim_dagster_home, group_members
from ecommerce_assets.cli.main import cli
from ecommerce_assets.settings import get_settings


def test_a_home_is_claimed_once_and_a_stale_lock_file_does_not_block(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    first = claim_dagster_home(home, "http://127.0.0.1:3000")
    with pytest.raises(click.ClickException) as refused:
        claim_dagster_home(home, "http://127.0.0.1:3001")
    assert f"(pid {os.getpid()}, http://127.0.0.1:3000) already serves" in refused.value.message
    first.close()  # as if that process had died: the file stays, the flock does not
    assert (home / LOCK_FILE).exists()
    claim_dagster_home(home, "http://127.0.0.1:3001").close()


@pytest.fixture
def never_started(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> int:
        raise AssertionError("dagster dev must not start")

    monkeypatch.setattr(dev_module, "run_supervised", fail)


def _one_error_line(output: str) -> str:
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


@pytest.mark.usefixtures("never_started")
def test_refuses_a_port_already_bound() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["dev", "--port", str(port)])
    assert result.exit_code == 1
    line = _one_error_line(result.output)
    assert line == f"Error: port {port} on 127.0.0.1 is already in use; pick another with --port"


@pytest.mark.usefixtures("never_started")
def test_refuses_a_home_another_dev_serves() -> None:
    held = claim_dagster_home(get_settings().dagster_home, "http://127.0.0.1:3999")
    try:
        result = CliRunner().invoke(cli, ["dev", "--port", "3998"])
    finally:
        held.close()
    assert result.exit_code == 1
    assert "already serves the Dagster home" in _one_error_line(result.output)


# A stand-in for `dagster dev`: a leader and a helper process in one group. The leader
# stops on SIGINT; the helper either does too or ignores it (then only SIGKILL helps).
SUPERVISED = textwrap.dedent(
    """
    import subprocess, sys, time
    from ecommerce_assets.cli.dev import run_supervised
    helper = '''
    import os, signal, sys, time
    if sys.argv[1] == "stubborn":
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    print(os.getpgrp(), flush=True)
    try:
        time.sleep(120)
    except KeyboardInterrupt:
        sys.exit(0)
    '''
    leader = f'''
    import subprocess, sys, time
    subprocess.Popen([sys.executable, "-c", {helper!r}, sys.argv[1]])
    try:
        time.sleep(120)
    except KeyboardInterrupt:
        sys.exit(0)
    '''
    grace, helper_kind = float(sys.argv[1]), sys.argv[2]
    sys.exit(run_supervised([sys.executable, "-c", leader, helper_kind], grace_s=grace))
    """
)


def _stop(helper_kind: str, grace_s: float, signum: int) -> tuple[int, float, int]:
    """Start the stand-in, signal the supervisor; (exit status, seconds to stop, pgid)."""
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISED, str(grace_s), helper_kind],
        stdout=subprocess.PIPE,
        text=True,
        # As under `cmd &` in a script: SIGINT ignored from the start. Dagster must
        # still get a working SIGINT.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert supervisor.stdout is not None
        pgid = int(supervisor.stdout.readline())
        started = time.monotonic()
        supervisor.send_signal(signum)
        status = supervisor.wait(timeout=grace_s + 10)
        return status, time.monotonic() - started, pgid
    finally:
        supervisor.kill()
        supervisor.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_whole_group_promptly(signum: int) -> None:
    status, seconds, pgid = _stop("polite", grace_s=30, signum=signum)
    assert status == 0
    assert seconds < 5
    assert group_members(pgid) == []


def test_what_ignores_the_signal_is_killed_after_the_grace_period() -> None:
    status, seconds, pgid = _stop("stubborn", grace_s=1, signum=signal.SIGTERM)
    assert status == 0  # the leader itself stopped cleanly
    assert 1 <= seconds < 5
    assert group_members(pgid) == []
