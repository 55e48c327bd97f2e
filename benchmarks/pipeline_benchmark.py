"""Benchmark the whole pipeline: ``lakehouse run``, freshness under the daemon, idle runs.

Every part runs on a stack of its own: a data folder under /tmp (``--data-dir``, default
a new temporary one) and spare ports (``--kafka-port`` etc., default 39092/39093/38181/
38080), never the defaults of a developer's stack. The stack and every process started
here (``lakehouse run``, the Dagster daemon, their run workers) are stopped at the end,
also on Ctrl-C or a failure (``--keep-stack`` leaves the stack up).

Parts (``--part``, repeatable; default all three):

``run``
    ``lakehouse run --days D --events-per-day N`` from a clean data folder, for each
    ``--scale`` (default 20000 and 200000 events a day, i.e. the default and 10x).
    Wall time; the share of stack start, generation, the bronze, silver and gold runs
    (each run's start to end from the Dagster instance under <data dir>/dagster_home)
    and the rest (launching runs, reconciling with the manifest, summaries); and peak
    memory of the whole stack plus Dagster, sampled every ``--interval`` s: RSS and PSS
    of the lakehouse CLI's process tree, the stack's JVMs (found by their
    ``-Dlakehouse.service=<name>@<data dir>`` tag) and any process started with this
    LAKEHOUSE_DATA_DIR (run workers, code servers, the Spark JVM, dbt), per kind too.

``idle``
    The fixed cost of runs with nothing to do, each launched through the instance as
    ``lakehouse run`` launches them (``launch_and_wait``): bronze_ingest_job when every
    topic is committed, silver_job and gold_job for a day without any data and for one
    small day already built. On a stack loaded by ``lakehouse run --days 1
    --events-per-day 2000`` (``--load-events``).

``freshness``
    The same stack, with ``dagster-daemon run`` started as ``lakehouse dev`` starts it
    (DAGSTER_HOME=<data dir>/dagster_home, workspace.yaml, the LAKEHOUSE_* settings in its
    environment) and nothing done by hand. Each sample produces ONE complete valid
    order for today (UTC): ``order_placed`` with its lines and its ``payment_captured``,
    built with the generator's totals rule, then polls ``gold.daily_sales`` for today
    through Trino every second until its ``orders`` count goes up. The time is broken
    down with the instance's run records: waiting for the bronze sensor, the bronze run,
    waiting for the refresh sensor, the refresh run (silver + gold). A sample that does
    not arrive within ``--sample-timeout`` prints the sensors' ticks, the runs and the
    daemon's log, and stops the part.

Each measured command (a ``lakehouse run``, an idle run, a freshness sample) takes the
heavy-work lock ``/tmp/lakehouse-heavy.lock`` for itself only, and the 1-minute load
average is recorded with every figure. Prints progress to stderr and Markdown tables
to stdout. Examples:

    uv run python benchmarks/pipeline_benchmark.py --part run
    uv run python benchmarks/pipeline_benchmark.py --part idle --part freshness --samples 6
    uv run python benchmarks/pipeline_benchmark.py --part run --scale 2000 --days 1   # quick
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import random
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

BIN = Path(sys.executable).parent
LOCK_FILE = Path("/tmp/lakehouse-heavy.lock")
PAGE = os.sysconf("SC_PAGE_SIZE")
SERVICES = ("kafka", "rest-catalog", "trino")
#: Where ``lakehouse run`` puts its days (its fixed --start-date).
RUN_START = dt.date(2024, 11, 25)
#: A day inside the daily partitions that no generation here touches.
EMPTY_DAY = dt.date(2024, 6, 1)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


# -- the environment of our stack ------------------------------------------------------


@dataclass
class Env:
    data_dir: Path
    ports: dict[str, int]

    def variables(self) -> dict[str, str]:
        return {
            "LAKEHOUSE_DATA_DIR": str(self.data_dir),
            "LAKEHOUSE_KAFKA_PORT": str(self.ports["kafka"]),
            "LAKEHOUSE_KAFKA_CONTROLLER_PORT": str(self.ports["kafka_controller"]),
            "LAKEHOUSE_CATALOG_PORT": str(self.ports["catalog"]),
            "LAKEHOUSE_TRINO_PORT": str(self.ports["trino"]),
            "DAGSTER_HOME": str(self.data_dir / "dagster_home"),
        }

    def apply(self) -> dict[str, str]:
        """Point this process (and every child) at our stack; return the full env."""
        os.environ.update(self.variables())
        os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
        from ecommerce_assets.settings import get_settings

        get_settings.cache_clear()
        return dict(os.environ)

    @property
    def home(self) -> Path:
        return self.data_dir / "dagster_home"


#: --no-lock (a smoke test, not a measurement): do not take the heavy-work lock.
USE_LOCK = [True]


@contextlib.contextmanager
def heavy_lock(label: str) -> Iterator[float]:
    """Hold /tmp/lakehouse-heavy.lock for one measured command; yields the wait."""
    started = time.monotonic()
    if not USE_LOCK[0]:
        yield 0.0
        return
    with LOCK_FILE.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"  [{label}] waiting for {LOCK_FILE} (other heavy work)")
            fcntl.flock(handle, fcntl.LOCK_EX)
        waited = time.monotonic() - started
        try:
            yield waited
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def stack_down(env: Env) -> None:
    log(f"stopping the stack of {env.data_dir}")
    subprocess.run(
        [str(BIN / "lakehouse"), "stack", "down"],
        env={**os.environ, **env.variables()},
        check=False,
        stdout=subprocess.DEVNULL,
    )


# -- processes and memory --------------------------------------------------------------


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def _environ_has(pid: int, needle: bytes) -> bool:
    try:
        return needle in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _rss_pss(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        with contextlib.suppress(OSError, IndexError, ValueError):
            rss = pss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return rss, pss


def kind_of(cmdline: str, data_dir: Path) -> str:
    for service in SERVICES:
        if f"-Dlakehouse.service={service}@{data_dir}" in cmdline:
            return service
    argv = cmdline.split()
    if "org.apache.spark" in cmdline:
        return "spark JVM"
    if "dagster-daemon" in cmdline or "dagster_daemon" in cmdline:
        return "dagster daemon"
    # The code server starts each run worker as a multiprocessing "spawn" child.
    if "execute_run" in cmdline or "multiprocessing.spawn" in cmdline:
        return "run worker"
    if "resource_tracker" in cmdline or "watch_orphans" in cmdline:
        return "dagster helpers"
    if "api grpc" in cmdline or "code-server" in cmdline:
        return "code server"
    if any(Path(arg).name == "dbt" for arg in argv[:2]):
        return "dbt"
    if "lakehouse" in cmdline and " run" in cmdline:
        return "lakehouse CLI"
    if argv and Path(argv[0]).name == "java":
        return "other JVM"
    return "other"


class MemorySampler:
    """Sums RSS and PSS of our processes every ``interval`` s in a thread."""

    def __init__(self, data_dir: Path, roots: list[int], interval: float) -> None:
        self.data_dir = data_dir
        self.roots = set(roots)
        self.interval = interval
        self.needle = f"LAKEHOUSE_DATA_DIR={data_dir}".encode()
        self._known: dict[int, tuple[str, str] | None] = {}  # pid -> (kind, cmdline) or None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.samples = 0
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_at = 0.0
        self.peak_parts: dict[str, int] = {}
        self.kind_peak_rss: dict[str, int] = defaultdict(int)
        self.kind_peak_pss: dict[str, int] = defaultdict(int)
        self.max_procs = 0
        #: The command lines (shortened) of processes of kind "other": what they are.
        self.others: set[str] = set()
        self.started = time.monotonic()

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def ours(self) -> dict[int, str]:
        pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
        tree: set[int] = set()
        parents = {pid: _ppid(pid) for pid in pids}
        for pid in pids:  # descendants of the roots
            seen, current = 0, pid
            while current > 1 and seen < 64:
                if current in self.roots:
                    tree.add(pid)
                    break
                current, seen = parents.get(current, 0), seen + 1
        found = {}
        for pid in pids:
            if pid == os.getpid():
                continue
            if pid not in self._known:
                cmd = _cmdline(pid)
                mine = pid in tree or str(self.data_dir) in cmd or _environ_has(pid, self.needle)
                self._known[pid] = (kind_of(cmd, self.data_dir), cmd) if mine else None
            entry = self._known[pid]
            if entry is not None and not entry[1]:
                # Seen between fork and exec (no command line yet): look again.
                cmd = _cmdline(pid)
                entry = self._known[pid] = (kind_of(cmd, self.data_dir), cmd)
            if entry is None and pid in tree:
                cmd = _cmdline(pid)
                entry = self._known[pid] = (kind_of(cmd, self.data_dir), cmd)
            if entry is not None:
                found[pid] = entry[0]
                if entry[0].startswith("other"):
                    self.others.add(" ".join(Path(a).name for a in entry[1].split()[:4])[:100])
        return found

    def _loop(self) -> None:
        while not self._stop.is_set():
            by_kind_rss: dict[str, int] = defaultdict(int)
            by_kind_pss: dict[str, int] = defaultdict(int)
            procs = self.ours()
            for pid, kind in procs.items():
                rss, pss = _rss_pss(pid)
                by_kind_rss[kind] += rss
                by_kind_pss[kind] += pss
            total_rss, total_pss = sum(by_kind_rss.values()), sum(by_kind_pss.values())
            self.samples += 1
            self.max_procs = max(self.max_procs, len(procs))
            for kind, value in by_kind_rss.items():
                self.kind_peak_rss[kind] = max(self.kind_peak_rss[kind], value)
            for kind, value in by_kind_pss.items():
                self.kind_peak_pss[kind] = max(self.kind_peak_pss[kind], value)
            if total_rss > self.peak_rss:
                self.peak_rss, self.peak_parts = total_rss, dict(by_kind_rss)
                self.peak_at = time.monotonic() - self.started
            self.peak_pss = max(self.peak_pss, total_pss)
            self._stop.wait(self.interval)


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def kill_ours(data_dir: Path, label: str) -> None:
    """SIGTERM, then SIGKILL, every process started with our LAKEHOUSE_DATA_DIR except the
    stack's services (``stack down`` stops those): leftover run workers, Spark JVMs, dbt.
    Only processes this script started (directly or not) carry that environment."""
    needle = f"LAKEHOUSE_DATA_DIR={data_dir}".encode()
    me = os.getpid()
    victims = [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit()
        and int(p.name) != me
        and _environ_has(int(p.name), needle)
        and "-Dlakehouse.service=" not in _cmdline(int(p.name))
    ]
    if not victims:
        return
    log(f"  [{label}] stopping {len(victims)} leftover processes: {victims}")
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in victims):
        time.sleep(0.2)
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def stop_group(process: subprocess.Popen[Any], label: str, grace: float = 15) -> None:
    """Stop a child we started in a session of its own, and its group."""
    if process.poll() is not None:
        return
    log(f"  stopping {label} (pid {process.pid})")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# -- Dagster instance ------------------------------------------------------------------


@dataclass
class RunTimes:
    run_id: str
    job: str
    status: str
    created: float
    start: float | None
    end: float | None
    tags: dict[str, str]

    @property
    def seconds(self) -> float:
        return (self.end or 0) - (self.start or 0)


def run_times(home: Path) -> list[RunTimes]:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records()
    out = [
        RunTimes(
            r.dagster_run.run_id,
            r.dagster_run.job_name,
            r.dagster_run.status.value,
            r.create_timestamp.timestamp(),
            r.start_time,
            r.end_time,
            dict(r.dagster_run.tags),
        )
        for r in records
    ]
    return sorted(out, key=lambda r: r.created)


# -- part: lakehouse run ---------------------------------------------------------------

#: Lines of `lakehouse run`'s output that end a phase (the first one seen).
MARKS = {
    "stack up": "generating the shop into Kafka",
    "generation": "running bronze_ingest_job",
}


@dataclass
class RunResult:
    scale: int
    days: int
    exit_code: int
    wall: float
    lock_wait: float
    load_before: str
    load_after: str
    marks: dict[str, float]
    runs: list[RunTimes]
    started_epoch: float
    memory: MemorySampler
    interval: float
    log_file: Path
    tail: list[str] = field(default_factory=list)

    def phases(self) -> dict[str, float]:
        out: dict[str, float] = {}
        out["stack up"] = self.marks.get("stack up", float("nan"))
        out["generation"] = self.marks.get("generation", float("nan")) - out["stack up"]
        for layer, job in (
            ("bronze", "bronze_ingest_job"),
            ("silver", "silver_job"),
            ("gold", "gold_job"),
        ):
            runs = [r for r in self.runs if r.job == job]
            out[f"{layer} run"] = sum(r.seconds for r in runs) if runs else float("nan")
        out["rest (launching runs, reconciling, summaries)"] = self.wall - sum(out.values())
        return out


def lakehouse_run(
    env: Env, days: int, events: int, interval: float, label: str, extra: list[str] | None = None
) -> RunResult:
    command = [
        str(BIN / "lakehouse"),
        "run",
        "--days",
        str(days),
        "--events-per-day",
        str(events),
        *(extra or []),
    ]
    log_file = env.data_dir.parent / f"{label}.log"
    marks: dict[str, float] = {}
    tail: list[str] = []
    with heavy_lock(label) as waited:
        load_before = loadavg()
        log(f"  [{label}] $ {shlex.join(command)} (load {load_before})")
        started = time.monotonic()
        started_epoch = time.time()
        process = subprocess.Popen(
            command,
            env={**os.environ, **env.variables()},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            with (
                MemorySampler(env.data_dir, [process.pid], interval) as memory,
                log_file.open("w") as out,
            ):
                assert process.stdout is not None
                for line in process.stdout:
                    now = time.monotonic() - started
                    out.write(f"{now:8.2f} {line}")
                    out.flush()
                    tail = [*tail[-39:], line.rstrip()]
                    for phase, text in MARKS.items():
                        if phase not in marks and text in line:
                            marks[phase] = now
                            log(f"  [{label}] {phase} done at {now:.1f} s")
                    if "running silver_job" in line or "running gold_job" in line:
                        log(f"  [{label}] {line.strip()} at {now:.1f} s")
                code = process.wait()
        finally:
            stop_group(process, "lakehouse run")
        wall = time.monotonic() - started
        load_after = loadavg()
    runs = [r for r in run_times(env.home) if r.created >= started_epoch - 1]
    log(
        f"  [{label}] exit {code} after {wall:.1f} s; peak RSS {gib(memory.peak_rss)}, "
        f"PSS {gib(memory.peak_pss)}; load {load_after}"
    )
    return RunResult(
        events,
        days,
        code,
        wall,
        waited,
        load_before,
        load_after,
        marks,
        runs,
        started_epoch,
        memory,
        interval,
        log_file,
        tail,
    )


def part_run(args: argparse.Namespace, root: Path) -> list[str]:
    out = ["### `lakehouse run`", ""]
    results = []
    for events in args.scale:
        env = Env(root / f"run-{events}", ports(args))
        shutil.rmtree(env.data_dir, ignore_errors=True)
        env.data_dir.mkdir(parents=True)
        env.apply()
        prepare_dbt_manifest()
        try:
            result = lakehouse_run(env, args.days, events, args.interval, f"run-{events}")
        finally:
            kill_ours(env.data_dir, f"run-{events}")
            stack_down(env)
        results.append(result)
        if result.exit_code:
            log("  lakehouse run FAILED; its last lines:\n" + "\n".join(result.tail))
        if not args.keep_data:
            shutil.rmtree(env.data_dir, ignore_errors=True)
    out += run_tables(results)
    return out


def run_tables(results: list[RunResult]) -> list[str]:
    out = [
        "| events/day x days | exit | wall | load (1/5/15 min) before → after | peak RSS "
        "(sum) | peak PSS (sum) | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        out.append(
            f"| {r.scale:,} x {r.days} | {r.exit_code} | {r.wall:.1f} s | {r.load_before} → "
            f"{r.load_after} | {gib(r.memory.peak_rss)} | {gib(r.memory.peak_pss)} | ≤ 8 GB |"
        )
    out += ["", "Where the time went (share of the wall time):", ""]
    header = "| phase | " + " | ".join(f"{r.scale:,}/day" for r in results) + " |"
    out += [header, "|---|" + "---|" * len(results)]
    phases = [r.phases() for r in results]
    for name in phases[0]:
        cells = [
            f"{p[name]:.1f} s ({p[name] / r.wall:.0%})"
            for p, r in zip(phases, results, strict=True)
        ]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    out.append("| **total** | " + " | ".join(f"{r.wall:.1f} s" for r in results) + " |")
    out += ["", "Peak memory per kind of process (each kind's own peak, RSS / PSS):", ""]
    kinds = sorted(
        {k for r in results for k in r.memory.kind_peak_rss},
        key=lambda k: -max(r.memory.kind_peak_rss.get(k, 0) for r in results),
    )
    out += [header.replace("phase", "process kind"), "|---|" + "---|" * len(results)]
    for kind in kinds:
        cells = [
            f"{mib(r.memory.kind_peak_rss.get(kind, 0))} / "
            f"{mib(r.memory.kind_peak_pss.get(kind, 0))}"
            for r in results
        ]
        out.append(f"| {kind} | " + " | ".join(cells) + " |")
    out.append("")
    for r in results:
        parts = ", ".join(
            f"{k} {mib(v)}" for k, v in sorted(r.memory.peak_parts.items(), key=lambda kv: -kv[1])
        )
        runs = "; ".join(
            f"{x.job} {x.status} {x.seconds:.1f} s (started "
            f"{(x.start or 0) - x.created:.1f} s after its creation)"
            for x in r.runs
        )
        out.append(
            f"- {r.scale:,}/day: total RSS peak at {r.memory.peak_at:.0f} s into the run: {parts}; "
            f"{r.memory.samples} samples every {r.interval} s, up to {r.memory.max_procs} "
            f"processes; heavy lock waited {r.lock_wait:.0f} s; runs: {runs}; log {r.log_file}"
        )
        if r.memory.others:
            out.append(f'  - "other" processes: {"; ".join(sorted(r.memory.others))}')
    return out


def prepare_dbt_manifest() -> None:
    """Parse the dbt project for these settings now (untimed), as a second run finds it."""
    from ecommerce_assets.lib.dbt_manifest import prepare_manifest

    started = time.monotonic()
    prepare_manifest()
    log(f"dbt manifest ready for these settings ({time.monotonic() - started:.1f} s, untimed)")


# -- the shared stack of idle and freshness --------------------------------------------


def load_small(env: Env, args: argparse.Namespace) -> None:
    result = lakehouse_run(env, 1, args.load_events, args.interval, "load")
    if result.exit_code:
        raise SystemExit("the initial `lakehouse run` failed:\n" + "\n".join(result.tail))
    log(f"  loaded {RUN_START} ({args.load_events:,} events) in {result.wall:.0f} s")


# -- part: idle runs -------------------------------------------------------------------


@dataclass
class IdleSample:
    case: str
    wall: float
    run_s: float
    launch_s: float
    status: str
    load: float


def part_idle(args: argparse.Namespace, env: Env) -> list[str]:
    from dagster import DagsterInstance

    from ecommerce_assets.cli.instance import prepare_dagster_home
    from ecommerce_assets.cli.launch import launch_and_wait
    from ecommerce_assets.settings import get_settings

    prepare_dagster_home(get_settings())

    def tags(day: dt.date) -> dict[str, str]:
        return {
            "dagster/asset_partition_range_start": str(day),
            "dagster/asset_partition_range_end": str(day),
        }

    cases: list[tuple[str, str, dict[str, str] | None]] = [
        ("bronze_ingest_job, every topic committed", "bronze_ingest_job", None),
        (f"silver_job, a day without data ({EMPTY_DAY})", "silver_job", tags(EMPTY_DAY)),
        (
            f"silver_job, a built day again ({RUN_START}, {args.load_events:,} events)",
            "silver_job",
            tags(RUN_START),
        ),
        (f"gold_job, a day without data ({EMPTY_DAY})", "gold_job", tags(EMPTY_DAY)),
        (f"gold_job, a built day again ({RUN_START})", "gold_job", tags(RUN_START)),
    ]
    samples: list[IdleSample] = []
    for label, job, job_tags in cases:
        for n in range(args.idle_samples):
            with heavy_lock(label), DagsterInstance.get() as instance:
                load = load1()
                started = time.monotonic()
                run = launch_and_wait(instance, job, job_tags)
                wall = time.monotonic() - started
                record = instance.get_run_record_by_id(run.run_id)
                assert record is not None
                run_s = (record.end_time or 0) - (record.start_time or 0)
            sample = IdleSample(label, wall, run_s, wall - run_s, run.status.value, load)
            samples.append(sample)
            log(
                f"  [idle] {label} #{n + 1}: {run.status.value}, launch_and_wait {wall:.1f} s, "
                f"run {run_s:.1f} s, load {load:.2f}"
            )
    out = [
        "### Runs with nothing to do",
        "",
        "| run (launched like `lakehouse run` does) | samples | `launch_and_wait` median "
        "(min-max) | the run's own start → end, median (min-max) | launch overhead, median "
        "| status | 1-min load at start |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, _, _ in cases:
        mine = [s for s in samples if s.case == label]
        walls = [s.wall for s in mine]
        runs = [s.run_s for s in mine]
        out.append(
            f"| {label} | {len(mine)} | {spread(walls)} | {spread(runs)} | "
            f"{statistics.median(s.launch_s for s in mine):.1f} s | "
            f"{', '.join(sorted({s.status for s in mine}))} | "
            f"{', '.join(f'{s.load:.2f}' for s in mine)} |"
        )
    return out


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s ({min(values):.1f}-{max(values):.1f})"


# -- part: freshness -------------------------------------------------------------------


def today_order(today: dt.date) -> tuple[str, list[tuple[str, str, bytes]]]:
    """One complete valid order placed now: (order id, [(stream, key, envelope)])."""
    import orjson

    from data_generators.commerce import order_totals
    from data_generators.envelope import money
    from streaming.contracts.vocabulary import CHANNELS, DEVICES, PAYMENT_METHODS

    now = dt.datetime.now(dt.UTC)
    assert now.date() == today, "the UTC day changed during the sample"
    stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    order_id = f"bench-{uuid.uuid4()}"
    customer = 1
    lines = [
        {
            "line_number": 1,
            "product_id": 1,
            "quantity": 2,
            "unit_price_cents": 1999,
            "discount_cents": 200,
        },
        {
            "line_number": 2,
            "product_id": 2,
            "quantity": 1,
            "unit_price_cents": 2450,
            "discount_cents": 0,
        },
    ]
    totals = order_totals(lines)
    method = PAYMENT_METHODS[0]
    order = {
        "id": str(uuid.uuid4()),
        "type": "order_placed",
        "event_time": stamp,
        "schema_version": 1,
        "payload": {
            "order_id": order_id,
            "customer_id": customer,
            "session_id": f"bench-session-{order_id}",
            "channel": CHANNELS[0],
            "campaign_id": None,
            "device": DEVICES[0],
            "items": [
                {
                    "line_number": line["line_number"],
                    "product_id": line["product_id"],
                    "quantity": line["quantity"],
                    "unit_price": money(line["unit_price_cents"]),
                    "discount": money(line["discount_cents"]),
                }
                for line in lines
            ],
            "subtotal": money(totals["subtotal"]),
            "discount": money(totals["discount"]),
            "shipping": money(totals["shipping"]),
            "total": money(totals["total"]),
            "currency": "EUR",
            "payment_method": method,
            "shipping_address": {"city": "Berlin", "postcode": "10115", "country": "DE"},
        },
    }
    payment = {
        "id": str(uuid.uuid4()),
        "type": "payment_captured",
        "event_time": stamp,
        "schema_version": 1,
        "payload": {
            "payment_id": str(uuid.uuid4()),
            "order_id": order_id,
            "customer_id": customer,
            "method": method,
            "amount": money(totals["total"]),
            "currency": "EUR",
            "decline_reason": None,
        },
    }
    return order_id, [
        ("orders", str(customer), orjson.dumps(order)),
        ("payments", str(customer), orjson.dumps(payment)),
    ]


@dataclass
class FreshSample:
    n: int
    #: When every other topic got a malformed record too (None: the order alone).
    poked: float | None
    seconds: float
    load_before: str
    load_after: str
    produced: float
    visible: float
    bronze: RunTimes | None
    refresh: RunTimes | None
    other_runs: list[str]

    def breakdown(self) -> dict[str, float]:
        b, r = self.bronze, self.refresh
        nan = float("nan")
        if b is None or r is None or b.start is None or b.end is None or r.start is None:
            return {}
        start = self.poked or self.produced
        return {
            "stalled before the other topics got records": start - self.produced,
            "bronze sensor tick": b.created - start,
            "bronze queued → started": b.start - b.created,
            "bronze run": b.end - b.start,
            "refresh sensor tick": r.created - b.end,
            "refresh queued → started": r.start - r.created,
            "refresh run until counted": self.visible - r.start,
            "(refresh run, whole)": (r.end or nan) - r.start,
        }


#: The five streams besides orders and payments (a freshness sample's order uses those).
OTHER_STREAMS = ("clickstream", "customers", "products", "inventory", "campaigns")


def pokes(order_id: str) -> list[tuple[str, str, bytes]]:
    """One malformed record (not JSON) for each other stream: bronze sends them to the dead
    letters, nothing reaches silver; they only give every topic new offsets, so the
    bronze sensor asks for all seven streams."""
    return [
        (s, "bench", f"benchmark poke for {order_id}: not JSON".encode()) for s in OTHER_STREAMS
    ]


def bronze_stall(home: Path, daemon_log: Path, since: float) -> list[str]:
    """Why no bronze run came: the bronze sensor's ticks since ``since`` and the daemon's
    first error line about it."""
    from dagster import DagsterInstance
    from dagster._core.definitions.run_request import InstigatorType

    out = []
    with DagsterInstance.from_config(str(home)) as instance:
        for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
            if state.instigator_name != "bronze_kafka_sensor":
                continue
            ticks = [
                t
                for t in instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=20)
                if t.timestamp >= since
            ]
            statuses = ", ".join(
                f"{dt.datetime.fromtimestamp(t.timestamp, dt.UTC):%H:%M:%S} {t.status.value}"
                for t in reversed(ticks)
            )
            out.append(f"bronze_kafka_sensor ticks since the order: {statuses}")
            errors = [t.error for t in ticks if t.error is not None]
            if errors:
                message = " ".join(errors[0].message.split())
                out.append(f"tick error: {message[:900]}")
    lines = daemon_log.read_text(errors="replace").splitlines()
    errors_logged = [
        line for line in lines if "caught an error for sensor bronze_kafka_sensor" in line
    ]
    first = next((line for line in lines if "DagsterInvalidSubsetError:" in line), None)
    out.append(
        f"daemon log: {len(errors_logged)} x 'Sensor daemon caught an error for sensor "
        "bronze_kafka_sensor'"
    )
    if first:
        out.append(f"daemon log: {first.strip()[:400]}")
    return out


def daily_orders(trino: Any, today: dt.date) -> int:
    try:
        rows = trino.query(f"SELECT orders FROM gold.daily_sales WHERE sales_date = DATE '{today}'")
    except Exception as error:  # Trino restarting, a table replaced mid-read
        log(f"    (query failed: {str(error)[:120]})")
        return -1
    return int(rows[0][0]) if rows else 0


def sensor_ticks(home: Path, limit: int = 8) -> list[str]:
    from dagster import DagsterInstance
    from dagster._core.definitions.run_request import InstigatorType

    out = []
    with DagsterInstance.from_config(str(home)) as instance:
        for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
            out.append(f"sensor {state.instigator_name}: {state.status.value}")
            for tick in instance.get_ticks(
                state.instigator_origin_id, state.selector_id, limit=limit
            ):
                when = dt.datetime.fromtimestamp(tick.timestamp, dt.UTC).strftime("%H:%M:%S")
                error = tick.error.message.strip().splitlines()[-1][:200] if tick.error else ""
                out.append(
                    f"  {when} {tick.status.value} runs={list(tick.run_ids)} "
                    f"skip={tick.skip_reason!r} cursor={tick.cursor!r} {error}"
                )
    return out


def wait_for_ticks(home: Path, names: tuple[str, ...], timeout: float) -> None:
    from dagster import DagsterInstance
    from dagster._core.definitions.run_request import InstigatorType

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with DagsterInstance.from_config(str(home)) as instance:
            ticked = {
                state.instigator_name
                for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
                if instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=1)
            }
        if set(names) <= ticked:
            return
        time.sleep(2)
    raise TimeoutError(f"the sensors {names} did not tick within {timeout:.0f} s")


def runs_idle(home: Path) -> bool:
    return all(r.status in ("SUCCESS", "FAILURE", "CANCELED") for r in run_times(home))


def start_daemon(env: Env, log_path: Path) -> subprocess.Popen[bytes]:
    from ecommerce_assets.cli.instance import prepare_dagster_home
    from ecommerce_assets.settings import PROJECT_ROOT, get_settings

    prepare_dagster_home(get_settings())
    command = [str(BIN / "dagster-daemon"), "run", "-w", str(PROJECT_ROOT / "workspace.yaml")]
    log(f"starting the daemon: DAGSTER_HOME={env.home} {shlex.join(command)} (log {log_path})")
    handle: IO[bytes] = log_path.open("ab")
    return subprocess.Popen(
        command,
        env={**os.environ, **env.variables()},
        cwd=PROJECT_ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def part_freshness(args: argparse.Namespace, env: Env) -> list[str]:
    from confluent_kafka import Producer

    from ecommerce_assets.resources import TrinoResource
    from ecommerce_assets.settings import get_settings

    settings = get_settings()
    topics = settings.topics
    trino = TrinoResource.from_settings(settings)
    producer = Producer({"bootstrap.servers": settings.bootstrap_servers})
    daemon_log = env.data_dir / "logs" / "dagster-daemon.log"
    daemon_log.parent.mkdir(parents=True, exist_ok=True)
    daemon = start_daemon(env, daemon_log)
    samples: list[FreshSample] = []
    failure: list[str] = []
    stalls: list[str] = []
    all_topics = args.all_topics
    rng = random.Random(args.seed)
    try:
        wait_for_ticks(env.home, ("bronze_kafka_sensor", "refresh_touched_days_sensor"), 180)
        log("  both sensors have ticked; first ticks:")
        for line in sensor_ticks(env.home, 3):
            log(f"    {line}")
        for n in range(1, args.samples + 1):
            # Settle: no run in flight, then a random phase of the sensors' 30 s ticks.
            while not runs_idle(env.home):
                time.sleep(2)
            time.sleep(rng.uniform(5, 35))
            today = dt.datetime.now(dt.UTC).date()
            with heavy_lock(f"freshness #{n}"):
                before = daily_orders(trino, today)
                for _ in range(5):  # -1: the query failed; the count must be known
                    if before >= 0:
                        break
                    time.sleep(2)
                    before = daily_orders(trino, today)
                load_before = loadavg()
                order_id, records = today_order(today)
                if all_topics:
                    records += pokes(order_id)
                for stream, key, value in records:
                    producer.produce(topics[stream], key=key.encode(), value=value)
                producer.flush(10)
                produced = time.time()
                poked: float | None = produced if all_topics else None
                log(
                    f"  [freshness #{n}] produced order {order_id} for {today}"
                    + (" and a malformed record to each other topic" if all_topics else "")
                    + f" (gold counted {before}; load {load_before})"
                )
                deadline = time.monotonic() + args.sample_timeout
                count = before
                while time.monotonic() < deadline:
                    count = daily_orders(trino, today)
                    if count > max(before, 0):
                        break
                    if (
                        poked is None
                        and time.time() - produced > args.bronze_timeout
                        and not [r for r in run_times(env.home) if r.created >= produced - 1]
                    ):
                        # No bronze run since the order: say why (the sensor's ticks),
                        # then give every topic a record, so the sensor selects them all.
                        stall = bronze_stall(env.home, daemon_log, produced)
                        stalls.append(f"sample {n}, order {order_id}:")
                        stalls += [f"  {line}" for line in stall]
                        for line in stall:
                            log(f"    {line}")
                        for stream, key, value in pokes(order_id):
                            producer.produce(topics[stream], key=key.encode(), value=value)
                        producer.flush(10)
                        poked = time.time()
                        all_topics = True
                        log(
                            f"  [freshness #{n}] no bronze run {poked - produced:.0f} s after "
                            "the order; produced a malformed record to each other topic"
                        )
                    time.sleep(args.poll)
                visible = time.time()
                load_after = loadavg()
            if count <= max(before, 0):
                failure = [
                    f"sample {n}: order {order_id} not counted in gold.daily_sales for {today} "
                    f"after {args.sample_timeout:.0f} s (count {count}, before {before})",
                    *sensor_ticks(env.home),
                    "runs: "
                    + "; ".join(
                        f"{r.job} {r.status} {r.tags.get('dagster/partition', '')}"
                        for r in run_times(env.home)[-6:]
                    ),
                    "daemon log (last 40 lines):",
                    *daemon_log.read_text(errors="replace").splitlines()[-40:],
                ]
                for line in failure:
                    log(f"    {line}")
                break
            # gold.daily_sales counts the order before the refresh run ends (the marts'
            # tests and the steps after them still run): wait for its end, then attribute.
            settle = time.monotonic() + args.sample_timeout
            while not runs_idle(env.home) and time.monotonic() < settle:
                time.sleep(2)
            runs = [r for r in run_times(env.home) if r.created >= produced - 1]
            bronze = next((r for r in runs if r.job == "bronze_ingest_job"), None)
            refresh = next(
                (
                    r
                    for r in runs
                    if r.job == "refresh_days_job"
                    and (bronze is None or r.created >= (bronze.end or 0) - 1)
                ),
                None,
            )
            others = [f"{r.job} ({r.status})" for r in runs if r not in (bronze, refresh)]
            sample = FreshSample(
                n,
                poked,
                visible - produced,
                load_before,
                load_after,
                produced,
                visible,
                bronze,
                refresh,
                others,
            )
            samples.append(sample)
            parts = ", ".join(f"{k} {v:.1f} s" for k, v in sample.breakdown().items())
            log(
                f"  [freshness #{n}] counted after {sample.seconds:.1f} s: {parts}"
                + (f"; other runs: {others}" if others else "")
            )
    finally:
        stop_group(daemon, "the Dagster daemon")
        kill_ours(env.data_dir, "freshness")
    out = ["### Freshness (Kafka → gold.daily_sales, daemon running)", ""]
    if samples:
        out += [
            "| samples, timed from | n | median | max | min | target |",
            "|---|---|---|---|---|---|",
        ]
        groups = {
            "the order, every sample": [s.seconds for s in samples],
            "the order, samples whose order went with records to every topic": [
                s.seconds for s in samples if s.poked == s.produced
            ],
            "the last records produced (the pokes after a stall)": [
                s.visible - (s.poked or s.produced) for s in samples
            ],
        }
        for label, values in groups.items():
            if values:
                out.append(
                    f"| {label} | {len(values)} | {statistics.median(values):.1f} s | "
                    f"{max(values):.1f} s | {min(values):.1f} s | ≤ 180 s |"
                )
        out.append("")
        names = list(samples[0].breakdown())
        out += [
            "| # | total | "
            + " | ".join(names)
            + " | refresh partition(s) | load before → after |",
            "|---|---|" + "---|" * len(names) + "---|---|",
        ]
        for s in samples:
            b = s.breakdown()
            tags = s.refresh.tags if s.refresh else {}
            part = tags.get("dagster/partition") or "..".join(
                filter(
                    None,
                    (
                        tags.get("dagster/asset_partition_range_start"),
                        tags.get("dagster/asset_partition_range_end"),
                    ),
                )
            )
            out.append(
                f"| {s.n} | {s.seconds:.1f} s | "
                + " | ".join(f"{b.get(k, float('nan')):.1f}" for k in names)
                + f" | {part} | {s.load_before} → {s.load_after} |"
            )
        if names:
            out.append(
                "| median | "
                f"{statistics.median(s.seconds for s in samples):.1f} s | "
                + " | ".join(
                    f"{statistics.median(s.breakdown().get(k, float('nan')) for s in samples):.1f}"
                    for k in names
                )
                + " | | |"
            )
        extra = [f"#{s.n}: {', '.join(s.other_runs)}" for s in samples if s.other_runs]
        if extra:
            out.append("\nOther runs during samples: " + "; ".join(extra))
    if stalls:
        out += [
            "",
            "**The bronze sensor launched no run for an order alone:**",
            "",
            "```",
            *stalls,
            "```",
        ]
    if failure:
        out += ["", "**Did not refresh:**", "", "```", *failure, "```"]
    return out


# -- main ------------------------------------------------------------------------------


def ports(args: argparse.Namespace) -> dict[str, int]:
    return {
        "kafka": args.kafka_port,
        "kafka_controller": args.kafka_controller_port,
        "catalog": args.catalog_port,
        "trino": args.trino_port,
    }


def _scales(text: str) -> list[int]:
    return [int(x) for x in text.split(",")]


def code_line() -> str:
    from ecommerce_assets.settings import PROJECT_ROOT

    snapshot = PROJECT_ROOT / ".snapshot-commit"
    if snapshot.exists():
        return f"code: {PROJECT_ROOT}, a `git archive` of commit {snapshot.read_text().strip()}"
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--short", "--untracked-files=no"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()[1::2]
    return f"code: {PROJECT_ROOT} at {head}" + (
        f", uncommitted: {', '.join(dirty)}" if dirty else ""
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--part",
        action="append",
        choices=["run", "idle", "freshness"],
        help="what to measure (repeatable; default: all three)",
    )
    parser.add_argument(
        "--scale",
        type=_scales,
        default=[20_000, 200_000],
        help="run part: events per day, comma-separated (default 20000,200000)",
    )
    parser.add_argument("--days", type=int, default=3, help="run part: days (default 3)")
    parser.add_argument(
        "--load-events",
        type=int,
        default=2_000,
        help="idle/freshness: events of the one day loaded first (default 2000)",
    )
    parser.add_argument("--samples", type=int, default=6, help="freshness samples (default 6)")
    parser.add_argument(
        "--idle-samples", type=int, default=3, help="samples per idle run kind (default 3)"
    )
    parser.add_argument(
        "--sample-timeout",
        type=float,
        default=600,
        help="freshness: give up on a sample after this many s (default 600)",
    )
    parser.add_argument(
        "--bronze-timeout",
        type=float,
        default=150,
        help="freshness: with no bronze run this long after an order, report the bronze "
        "sensor's ticks and give every other topic a malformed record (default 150 s)",
    )
    parser.add_argument(
        "--all-topics",
        action="store_true",
        help="freshness: from the first sample, a malformed record to every other topic with "
        "each order (the bronze sensor then selects all seven streams)",
    )
    parser.add_argument("--poll", type=float, default=1.0, help="freshness: Trino poll interval")
    parser.add_argument("--interval", type=float, default=0.5, help="memory sampling interval")
    parser.add_argument("--seed", type=int, default=15, help="phases of the freshness samples")
    parser.add_argument(
        "--data-dir", type=Path, help="parent folder of the data (default: /tmp/pipebench-*)"
    )
    parser.add_argument(
        "--no-lock",
        action="store_true",
        help="do not take the heavy-work lock (a smoke test of the script: no figures)",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the data folders")
    parser.add_argument("--kafka-port", type=int, default=39092)
    parser.add_argument("--kafka-controller-port", type=int, default=39093)
    parser.add_argument("--catalog-port", type=int, default=38181)
    parser.add_argument("--trino-port", type=int, default=38080)
    args = parser.parse_args()
    parts = args.part or ["run", "idle", "freshness"]
    USE_LOCK[0] = not args.no_lock
    if any(p in (9092, 9093, 8181, 8080, 3000) for p in ports(args).values()):
        parser.error("use spare ports, not a developer stack's defaults")
    root = (args.data_dir or Path(tempfile.mkdtemp(prefix="pipebench-", dir="/tmp"))).resolve()
    root.mkdir(parents=True, exist_ok=True)

    def interrupted(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    Env(root / "shared", ports(args)).apply()  # before anything reads the settings
    from ecommerce_assets.settings import PROJECT_ROOT

    # Dagster's code servers put their working directory first on sys.path: from another
    # checkout's folder, the runs would import that checkout's code, not this one's.
    os.chdir(PROJECT_ROOT)
    from jvm_probe import cpu_model

    head = [
        "command: "
        + shlex.join(["uv", "run", "python", "benchmarks/pipeline_benchmark.py", *sys.argv[1:]]),
        f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {cpu_model()}, "
        f"{os.cpu_count()} cores; load at start {loadavg()}",
        code_line(),
        f"data under {root}; ports {ports(args)}",
    ]
    for line in head:
        log(line)
    out: list[str] = []
    try:
        if "run" in parts:
            out += part_run(args, root)
        if "idle" in parts or "freshness" in parts:
            env = Env(root / "shared", ports(args))
            shutil.rmtree(env.data_dir, ignore_errors=True)
            env.data_dir.mkdir(parents=True)
            env.apply()
            prepare_dbt_manifest()
            try:
                load_small(env, args)
                if "idle" in parts:
                    out += ["", *part_idle(args, env)]
                if "freshness" in parts:
                    out += ["", *part_freshness(args, env)]
            finally:
                kill_ours(env.data_dir, "shared")
                stack_down(env)
    except KeyboardInterrupt:
        log("interrupted; stopped what was started")
        raise
    finally:
        if not args.keep_data and not args.data_dir:
            shutil.rmtree(root, ignore_errors=True)
        print("\n".join([*head, "", *out]))
        sys.stdout.flush()
    if out:
        (Path(tempfile.gettempdir()) / "pipebench-last.json").write_text(
            json.dumps({"head": head, "out": out})
        )


if __name__ == "__main__":
    main()
