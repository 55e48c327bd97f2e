"""Start, find, measure and stop the stack's background processes.

Each process is started in its own session (so it outlives the ``lakehouse`` command and
can be stopped as a group), writes its output to ``<data_dir>/logs/<name>.log``, and has
its pid in ``<data_dir>/run/<name>.pid``. Every JVM also carries the system property
``-Dlakehouse.service=<name>@<data_dir>``: even if a pid file is lost, ``down`` finds the
process by that tag, so it never leaves one of ours behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from ecommerce_assets.stack.errors import StackError

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def service_tag(name: str, data_dir: Path) -> str:
    return f"-Dlakehouse.service={name}@{data_dir}"


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """Ports free right now on 127.0.0.1, so parallel stacks (tests, benchmarks) never collide."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_accepts(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def process_start_time(pid: int) -> float | None:
    """Epoch seconds a live process started at; None if there is none (or a zombie).

    With the pid it identifies a process: a pid reused later has a later start time.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, IndexError, StopIteration):
        return None
    if fields[0] == "Z":  # exited; only its exit status is left
        return None
    # starttime is field 22 of stat(5): the 20th after the command name, in clock ticks.
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def pids_with_tag(tag: str) -> list[int]:
    """Processes whose command line carries ``tag`` (ours, even without a pid file)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and tag in _cmdline(int(entry.name)):
            found.append(int(entry.name))
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            pages = int(Path(f"/proc/{current}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += pages * PAGE_SIZE
        children = Path(f"/proc/{current}/task/{current}/children")
        with contextlib.suppress(OSError):
            stack.extend(int(c) for c in children.read_text().split())
    return total


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return f"(no log at {path})"
    with path.open(errors="replace") as handle:
        return "".join(deque(handle, maxlen=lines)).rstrip()


@dataclass
class ManagedProcess:
    """One background process of the stack, known by its name and data folder."""

    name: str
    data_dir: Path

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "run" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "logs" / f"{self.name}.log"

    @property
    def tag(self) -> str:
        return service_tag(self.name, self.data_dir)

    def pid(self) -> int | None:
        """The live pid of this process, or None if it is not running."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid is not None and self.tag in _cmdline(pid):
            return pid
        tagged = pids_with_tag(self.tag)
        return tagged[0] if tagged else None

    def start(self, command: list[str], env: dict[str, str], cwd: Path) -> int:
        if self.tag not in " ".join(command):
            raise ValueError(f"the command of {self.name} must carry {self.tag}")
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            log.write(f"\n==== starting {self.name} at {time.ctime()} ====\n".encode())
            log.flush()
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        # /proc shows the new command line only once exec has finished; wait for it so
        # that an immediate pid() or stop() recognises the process as ours.
        deadline = time.monotonic() + 5
        while self.tag not in _cmdline(process.pid) and time.monotonic() < deadline:
            if process.poll() is not None:
                break
            time.sleep(0.01)
        return process.pid

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the process group gracefully, then forcefully. True if something was stopped."""
        pids = set(pids_with_tag(self.tag))
        if (pid := self.pid()) is not None:
            pids.add(pid)
        for pid in pids:
            self._signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(self._alive(pid) for pid in pids):
            time.sleep(0.2)
        for pid in pids:
            if self._alive(pid):
                self._signal(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(self._alive(pid) for pid in pids):
            time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return bool(pids)

    @staticmethod
    def _signal(pid: int, sig: signal.Signals) -> None:
        # The service is its session's leader, so its group holds any child it forked.
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    @staticmethod
    def _alive(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state != "Z"

    def require_alive(self, pid: int) -> None:
        if not self._alive(pid):
            raise StackError(
                f"{self.name} exited during start-up. Last lines of {self.log_file}:\n"
                f"{tail(self.log_file)}"
            )
