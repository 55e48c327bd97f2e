"""``lakehouse dev``: the Dagster UI and daemon on the local profile.

``dagster dev`` runs as a child in a process group of its own (its webserver, daemon and
code servers join that group), and this process stays in front of it: it refuses to
start a second one on the same Dagster home or on a port already taken, and on Ctrl-C,
SIGTERM or SIGHUP it stops the whole group, killing what is left after a grace period.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import IO

import click

from ecommerce_assets.cli.instance import prepare_dagster_home
from ecommerce_assets.settings import PROJECT_ROOT, get_settings
from ecommerce_assets.stack.process import port_is_free

HOST = "127.0.0.1"
LOCK_FILE = "lakehouse-dev.lock"
#: How long Dagster gets to stop its webserver, daemon and code servers after a signal.
STOP_GRACE_S = 10.0


def claim_dagster_home(home: Path, url: str) -> IO[str]:
    """Lock ``home`` for this ``lakehouse dev``; keep the returned file open while serving.

    The lock is an flock, so it dies with the processes holding it: a file left behind by
    a killed ``lakehouse dev`` does not block the next one.
    """
    home.mkdir(parents=True, exist_ok=True)
    handle = (home / LOCK_FILE).open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise click.ClickException(
            f"{holder} already serves the Dagster home {home}; stop it first, or give this "
            "one its own LAKEHOUSE_DATA_DIR"
        ) from None
    handle.truncate(0)
    handle.write(f"lakehouse dev (pid {os.getpid()}, {url})\n")
    handle.flush()
    return handle


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is already gone
        os.killpg(pgid, signum)


def group_members(pgid: int) -> list[int]:
    """Live processes of group ``pgid``. Zombies do not count: an orphan's exit status
    waits for PID 1 to reap it, and in some containers that never happens."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited while we looked
        # stat(5): state, ppid, pgrp follow the command name.
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def run_supervised(
    command: list[str], *, pass_fds: tuple[int, ...] = (), grace_s: float = STOP_GRACE_S
) -> int:
    """Run ``command`` as the leader of a new process group; return an exit status.

    SIGINT, SIGTERM and SIGHUP are passed on to the whole group as SIGINT: Dagster's
    clean stop, the one a terminal's Ctrl-C gives a foreground ``dagster dev``. What
    still runs ``grace_s`` later, or after a second signal, is killed.
    """
    child: subprocess.Popen[bytes] | None = None
    stop_requested_at: float | None = None

    def forward(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stop_requested_at
        if stop_requested_at is not None:  # asked twice: do not make anyone wait
            if child is not None:
                _signal_group(child.pid, signal.SIGKILL)
            return
        stop_requested_at = time.monotonic()
        click.echo("stopping Dagster (Ctrl-C again kills it now)", err=True)
        if child is not None:
            _signal_group(child.pid, signal.SIGINT)

    # Installed before the child starts, for two reasons: a signal in between is not
    # lost, and the child starts with default handlers (exec resets caught signals, but
    # keeps ignored ones: a SIGINT ignored by a `&` in a script would leave Dagster
    # deaf to the SIGINT we forward).
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, forward) for signum in handled}
    try:
        # A group of its own: one killpg reaches the webserver, daemon and code servers,
        # and a Ctrl-C from the terminal reaches them only through us, once.
        child = subprocess.Popen(command, start_new_session=True, pass_fds=pass_fds)
        if stop_requested_at is not None:
            _signal_group(child.pid, signal.SIGINT)
        while True:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.2)
            if child.returncode is not None:
                if not group_members(child.pid):
                    break
                if stop_requested_at is None:
                    # dagster dev is gone but its webserver, daemon or code server is not.
                    stop_requested_at = time.monotonic()
                    _signal_group(child.pid, signal.SIGINT)
            if stop_requested_at is not None and time.monotonic() - stop_requested_at > grace_s:
                click.echo(f"Dagster did not stop within {grace_s:.0f} s; killing it", err=True)
                _signal_group(child.pid, signal.SIGKILL)
                child.wait()
                break
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    code = child.returncode
    return code if code >= 0 else 128 - code


@click.command("dev")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=3000,
    show_default=True,
    help="Port of the Dagster UI (on 127.0.0.1).",
)
def dev(port: int) -> None:
    """Open the Dagster UI (and daemon) on http://127.0.0.1:PORT for this code location.

    Refuses to start when the port is taken or another `lakehouse dev` already serves
    this Dagster home. Ctrl-C or SIGTERM stops the UI, the daemon and the code server.
    """
    settings = get_settings()
    url = f"http://{HOST}:{port}"
    lock = claim_dagster_home(settings.dagster_home, url)
    if not port_is_free(HOST, port):
        raise click.ClickException(
            f"port {port} on {HOST} is already in use; pick another with --port"
        )
    prepare_dagster_home(settings)
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    command = [sys.executable, "-m", "dagster", "dev", "-w", workspace, "-h", HOST, "-p", str(port)]
    # dagster dev holds the home's lock too, so the home stays claimed while Dagster
    # runs even if this process is killed outright.
    sys.exit(run_supervised(command, pass_fds=(lock.fileno(),)))
