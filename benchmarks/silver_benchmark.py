"""Benchmark silver: bronze -> every silver table, in fresh processes, as a Dagster run meets it.

Each part runs on a stack of its own (a temporary data folder, free ports), never yours,
and every measured run is a new process with a new JVM:

``throughput``
    Generates N clickstream events over D days (plus the other six streams; 1 % duplicate
    copies, 0.5 % malformed records, 1 % late events, schema version 2 from the middle
    day on) into Kafka and ingests them into bronze (``streaming.bronze``), then builds
    silver for the whole range, each sample a new process: the project's Spark session
    (``ecommerce_assets.resources.spark.spark_session``, the resource's settings) and
    ``streaming.silver.layer.build_silver`` for the D days. Events/s = the bronze rows of
    the range's days, every stream (what the build's outcomes add up to: valid +
    duplicates + quarantined) / the build's wall time; also with the session start, and
    for the whole process (Python start and imports too). Then ``dagster job execute -j
    silver_job`` for the range, split from its log into session start, build, the
    asset's checks (reconciliation, Great Expectations, orphans) and the bronze envelope
    check.

``history``
    The time to build ONE daily partition, the last day T, when the tables hold 1, 7 and
    30 days. D days are generated at a modest, fixed rate and ingested once into staging
    tables; ``bronze.*`` is then filled from them in growing steps, oldest days last:
    first T plus the six hours before it that the sessions' margin reads (so the day's
    build reads the same rows in every case), then the days before. Silver is built
    (untimed, one run) for the days before T that bronze holds, and day T once before the
    first sample, so every sample replaces a day that exists. Each sample: build_silver
    for T in a new process, and ``dagster job execute -j silver_job`` for the partition T.

Prints the machine, progress lines, then Markdown tables for docs/benchmarks.md.
``--profile`` writes Spark's event log in the build processes and splits each table's
time into what Spark ran for it (the SQL executions by action; planning and commits
apart), and samples the task threads with JFR (from_json, sort, shuffle, cache, ...).
Wrap it in the heavy-work lock so other heavy runs keep off the two cores:

    flock /tmp/lakehouse-heavy.lock uv run python benchmarks/silver_benchmark.py --part throughput
    flock /tmp/lakehouse-heavy.lock uv run python benchmarks/silver_benchmark.py --part history
    uv run python benchmarks/silver_benchmark.py --events 300000 --days 3 --history-cases 1,2,3 \\
        --history-events-per-day 20000 --samples 1   # a quick try
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jvm_probe import (
    CpuProbe,
    HostState,
    Sample,
    _jfr_samples,
    archive_status,
    cpu_report,
    machine_line,
)
from rich.console import Console

from data_generators import generate_to_kafka, make_params
from ecommerce_assets.settings import PROJECT_ROOT, LakehouseSettings, env_name, load_settings
from ecommerce_assets.stack import manager
from ecommerce_assets.stack.process import free_ports

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from data_generators.run import Progress

SCRIPT = Path(__file__).resolve()
BIN = Path(sys.executable).parent
PORT_SETTINGS = ("kafka_port", "kafka_controller_port", "catalog_port", "trino_port")
#: The generator's and the daily partitions' default first day.
START = dt.date(2024, 1, 1)
#: Where the history part's bronze rows wait before they are copied into bronze.*.
STAGE = "bench_stage"
#: The clickstream margin silver reads around a range (streaming.silver.sessions).
MARGIN = dt.timedelta(hours=6)
#: History part: silver for the days before T is built (untimed) this many days a run.
HISTORY_CHUNK_DAYS = 7
CLICKSTREAM_KEYS = ("silver.clickstream_events", "bronze.clickstream:unknown")


# -- worker: one fresh process, one Spark session --------------------------------------


def emit(kind: str, payload: object) -> None:
    """A line for the parent on stdout (Spark's own output goes to stderr)."""
    print(f"@{kind} {json.dumps(payload)}", flush=True)


def worker(spec: dict[str, Any]) -> None:
    """Run one step in this (fresh) process and report it as an ``@result`` line."""
    from ecommerce_assets.resources.spark import spark_session

    settings = load_settings()
    host = HostState.now()
    started = time.monotonic()
    spark = spark_session(settings)
    session_s = time.monotonic() - started
    spark.sparkContext.setLogLevel("ERROR")
    try:
        if spec["kind"] == "ingest":
            result = _ingest(spark, settings, spec.get("namespace"))
        elif spec["kind"] == "copy":
            if spec.get("reset"):
                _reset(spark)
            result = _copy(spark, spec["lo"], spec.get("hi"))
        else:
            result = _build(spark, spec)
            result["launch_to_built_s"] = result.pop("built_at") - spec["launched_at"]
        result["session_s"] = session_s
        result["machine"] = machine_line(spark, host)
        result["archive"] = archive_status(spark)
    finally:
        spark.stop()
    emit("result", result)


def _ingest(spark: SparkSession, settings: LakehouseSettings, namespace: str | None) -> dict:
    """Every topic from the start into bronze.* (or ``namespace``'s tables)."""
    from ecommerce_assets.resources.bronze import BronzeResource
    from streaming.bronze import BronzeConfig, run_available_now

    config = BronzeResource.from_settings(settings).config()
    if namespace is not None:
        assert settings.checkpoint_root is not None
        config = BronzeConfig(
            bootstrap_servers=config.bootstrap_servers,
            streams={topic: f"{namespace}.{t.rsplit('.', 1)[-1]}"
                     for topic, t in config.streams.items()},
            dead_letter_table=f"{namespace}.dead_letters",
            checkpoint_root=f"{settings.checkpoint_root}/{namespace}",
            kafka_options=config.kafka_options,
        )  # fmt: skip
    started = time.monotonic()
    reports = run_available_now(spark, config)
    return {
        "rows": sum(r.rows_written for r in reports),
        "dead_letters": sum(r.dead_letters for r in reports),
        "seconds": time.monotonic() - started,
    }


def _reset(spark: SparkSession) -> None:
    """Drop bronze.* and silver.* (a kept stack measured again starts from no history)."""
    from streaming.contracts import STREAMS
    from streaming.contracts.naming import bronze_table
    from streaming.silver.layer import TABLES

    for table in [*(bronze_table(s) for s in STREAMS), *(t.identifier for t in TABLES)]:
        spark.sql(f"DROP TABLE IF EXISTS {table} PURGE")


def _copy(spark: SparkSession, lo: str, hi: str | None) -> dict:
    """Staged bronze rows with ``lo <= event_time < hi`` appended to bronze.*."""
    from pyspark.sql import functions as F

    from streaming.bronze.schemas import create_bronze_table, create_namespace
    from streaming.contracts import STREAMS
    from streaming.contracts.naming import bronze_table

    create_namespace(spark, "bronze")
    start = dt.datetime.fromisoformat(lo)
    copied = held = files = 0
    for stream in STREAMS:
        table = bronze_table(stream)
        create_bronze_table(spark, table)
        rows = spark.table(f"{STAGE}.{stream}").where(F.col("event_time") >= F.lit(start))
        if hi is not None:
            rows = rows.where(F.col("event_time") < F.lit(dt.datetime.fromisoformat(hi)))
        copied += rows.count()
        rows.writeTo(table).append()
        held += spark.table(table).count()
        files += spark.table(f"{table}.files").count()
    return {"copied": copied, "bronze_rows": held, "bronze_files": files}


def _build(spark: SparkSession, spec: dict[str, Any]) -> dict:
    """``build_silver`` for the spec's days, with each table's time and the JVM's CPU."""
    from streaming.silver.days import DayRange
    from streaming.silver.layer import build_silver

    days = DayRange(dt.date.fromisoformat(spec["start"]), dt.date.fromisoformat(spec["end"]))
    marks: list[tuple[str, float, float]] = []
    started = time.monotonic()

    def log(line: str) -> None:
        now = time.monotonic() - started
        marks.append((line.split(":")[0], now, time.time()))
        emit("progress", f"{line} ({now:.1f} s)")

    probe = CpuProbe(spark, None)
    jfr = TaskSamples(spark) if spec.get("profile") else None
    before = probe.snapshot()
    build_started_at = time.time()
    if jfr is not None:
        jfr.start()
    report = build_silver(spark, days, {"lakehouse.benchmark": "silver"}, log=log)
    built_at = time.time()
    after = probe.snapshot()
    phases = jfr.stop() if jfr is not None else ""
    outcomes = {k: o.valid + o.duplicates + o.quarantined for k, o in report.outcomes.items()}
    return {
        "days": str(days),
        "build_s": report.duration_s,
        "events": sum(outcomes.values()),
        "clickstream": sum(outcomes.get(k, 0) for k in CLICKSTREAM_KEYS),
        "duplicates": sum(o.duplicates for o in report.outcomes.values()),
        "quarantined": sum(o.quarantined for o in report.outcomes.values()),
        "rows_written": report.rows_written,
        "marks": marks,
        "build_started_at": build_started_at,
        "built_at": built_at,
        "cpu": cpu_report(before, after),
        "phases": phases,
    }


#: What a task thread's sample was doing: the leaf-most frame in one of these packages
#: names it (compression libraries belong to their caller: shuffle or Parquet).
SILVER_PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("from_json (payload typing)", ("org.apache.spark.sql.catalyst.json.", "com.fasterxml.")),
    (
        # Generated code (projections: conforming, rules, casts), the window, aggregates:
        # named before the operator that pulls their rows (the cache builder, a writer).
        "Spark row code (generated code, window, aggregates)",
        (
            "org.apache.spark.sql.catalyst.expressions.",
            "org.apache.spark.sql.execution.window.",
            "org.apache.spark.sql.execution.aggregate.",
        ),
    ),
    ("regex (rules)", ("java.util.regex.",)),
    ("Janino", ("org.codehaus.",)),
    ("in-memory cache", ("org.apache.spark.sql.execution.columnar.",)),
    (
        "sort",
        (
            "org.apache.spark.util.collection.unsafe.sort.",
            "org.apache.spark.sql.execution.UnsafeExternalRowSorter",
            "org.apache.spark.sql.execution.UnsafeKVExternalSorter",
        ),
    ),
    (
        "shuffle, spill and block I/O",
        (
            "org.apache.spark.shuffle.",
            "org.apache.spark.storage.",
            "org.apache.spark.io.",
            "org.apache.spark.serializer.",
            "org.apache.spark.util.collection.",
        ),
    ),
    (
        "Parquet/Iceberg read and write",
        (
            "org.apache.iceberg.",
            "org.apache.parquet.",
            "shaded.parquet.",
            "org.apache.hadoop.",
            "org.apache.arrow.",
            "org.apache.spark.sql.execution.datasources.",
        ),
    ),
)
ROW_CODE = "other"


class TaskSamples:
    """JFR execution samples of the build's task threads, by what they were doing."""

    def __init__(self, spark: SparkSession, period_ms: int = 20) -> None:
        jvm = spark.sparkContext._jvm
        assert jvm is not None
        self._jvm = jvm
        self._recording = jvm.jdk.jfr.Recording()
        self._recording.enable("jdk.ExecutionSample").withPeriod(
            jvm.java.time.Duration.ofMillis(period_ms)
        )
        self._jfr = Path(str(jvm.System.getProperty("java.home"))) / "bin" / "jfr"

    def start(self) -> None:
        self._recording.start()

    def stop(self) -> str:
        self._recording.stop()
        with tempfile.TemporaryDirectory(prefix="silver-bench-jfr-") as scratch:
            dump = Path(scratch) / "build.jfr"
            self._recording.dump(self._jvm.java.io.File(str(dump)).toPath())
            self._recording.close()
            printed = subprocess.run(
                [str(self._jfr), "print", "--stack-depth", "64", "--events",
                 "jdk.ExecutionSample", str(dump)],
                capture_output=True, text=True, check=True, timeout=900,
            ).stdout  # fmt: skip
        return _phase_shares(_jfr_samples(printed))


def _phase(sample: Sample) -> tuple[str, str]:
    """The sample's phase, and the frame that named it (the leaf for "other")."""
    for frame in sample.frames:
        for phase, prefixes in SILVER_PHASES:
            if frame.startswith(prefixes):
                return phase, frame
    return ROW_CODE, sample.frames[0]


def _phase_shares(samples: Iterator[Sample]) -> str:
    counts: dict[str, int] = defaultdict(int)
    #: phase -> "Class.method" of the frame that named it -> samples
    frames: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sample in samples:
        if not sample.thread.startswith("Executor task launch worker") or not sample.frames:
            continue
        phase, frame = _phase(sample)
        counts[phase] += 1
        frames[phase][".".join(frame.rsplit(".", 2)[-2:])] += 1
    total = sum(counts.values()) or 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    shares = ", ".join(f"{name} {100 * n / total:.0f} %" for name, n in ranked)
    tops = []
    for name, _ in ranked[:3]:
        top = sorted(frames[name].items(), key=lambda kv: -kv[1])[:4]
        tops.append(f"{name}: " + ", ".join(f"{f} {100 * n / total:.0f} %" for f, n in top))
    return f"task-thread samples ({total:,}): {shares}; the top frames of the first three: " + (
        "; ".join(tops)
    )


# -- parent: the stack, the runs, the figures -------------------------------------------


@dataclass
class BuildRun:
    result: dict[str, Any]
    #: The whole process, from launch to exit (Python start, imports, session, build, stop).
    process_s: float
    #: The silver code it ran (code_version() at its launch).
    code: str = ""
    #: --profile: each table's time split into Spark jobs (Markdown table lines).
    profile: list[str] = field(default_factory=list)


@dataclass
class DagsterRun:
    wall_s: float
    code: str = ""
    #: step -> (started, finished), seconds after launch, from the log's arrival times.
    steps: dict[str, tuple[float, float]] = field(default_factory=dict)
    build_started: float = 0.0
    build_s: float = 0.0
    built: float = 0.0
    #: check name -> arrival time of its last evaluation (after the build).
    checks: dict[str, float] = field(default_factory=dict)
    last_materialization: float = 0.0
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    #: The exception a failed step logged (its first line).
    error: str = ""

    @property
    def silver_step(self) -> tuple[float, float]:
        return self.steps["silver_layer"]

    def phases(self) -> dict[str, float]:
        start, end = self.silver_step
        out = {
            "silver_layer step": end - start,
            # The Spark session, when this step is the run's first to use it.
            "step start to 'building silver'": self.build_started - start,
            "build_silver ('built in')": self.build_s,
            "materialization metadata (catalog)": self.last_materialization - self.built,
        }
        previous = self.last_materialization
        for name, moment in sorted(self.checks.items(), key=lambda kv: kv[1]):
            out[f"check {name}"] = moment - previous
            previous = moment
        out["rest of the step"] = end - previous
        for step, (s, e) in self.steps.items():
            if step != "silver_layer":
                out[f"{step} step"] = e - s
        return out


class Stack:
    """A stack of the benchmark's own and runs against it, each in a new process."""

    def __init__(self, data_dir: Path, console: Console, args: argparse.Namespace) -> None:
        self.data_dir = data_dir
        self.console = console
        self.args = args
        ports_file = data_dir / "bench-ports.json"
        if ports_file.exists():  # a kept stack: the same ports again
            ports = json.loads(ports_file.read_text())
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            ports = dict(zip(PORT_SETTINGS, free_ports(len(PORT_SETTINGS)), strict=True))
            ports_file.write_text(json.dumps(ports))
        overrides: dict[str, Any] = {"data_dir": data_dir, "partitions_start_date": START, **ports}
        if args.driver_memory:
            overrides["spark_driver_memory"] = args.driver_memory
        self.settings = load_settings(**overrides)
        self.env = {
            **os.environ,
            **{env_name(k): str(v) for k, v in overrides.items()},
            "DAGSTER_HOME": str(self.settings.dagster_home),
            "PYTHONUNBUFFERED": "1",
        }
        self.logs = data_dir / "bench-logs"
        self.logs.mkdir(exist_ok=True)
        home = self.settings.dagster_home
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
        self.runs = len(list(self.logs.glob("*.log")))  # a kept stack: numbering goes on

    def describe(self) -> str:
        ports = " ".join(f"{env_name(k)}={getattr(self.settings, k)}" for k in PORT_SETTINGS)
        return f"{env_name('data_dir')}={self.data_dir} {ports}"

    def _log(self, label: str) -> Path:
        self.runs += 1
        return self.logs / f"{self.runs:03d}-{label}.log"

    def generate(self, days: int, events_per_day: int) -> dict[str, Any]:
        a = self.args
        params = make_params(
            seed=a.seed, customers=a.customers, products=a.products, days=days,
            start_date=START, events_per_day=events_per_day,
            trouble={"duplicate_share": 0.01, "malformed_share": 0.005, "late_share": 0.01,
                     "schema_drift_from_day": days // 2},
        )  # fmt: skip
        total = days * events_per_day
        self.console.print(f"generating ~{total:,} clickstream events over {days} days ...")
        shown = [0.0]

        def progress(p: Progress) -> None:
            if p.elapsed_s - shown[0] >= 15:
                shown[0] = p.elapsed_s
                self.console.print(f"  {p.records:,} records, {p.elapsed_s:.0f} s")

        manifest = generate_to_kafka(
            params, self.settings.bootstrap_servers, partitions=a.partitions, progress=progress
        )
        # The broker's new segments are dirty pages: written back during a measurement
        # they would take kernel CPU from the cores being measured.
        os.sync()
        return manifest

    def worker(self, spec: dict[str, Any], label: str, profile: bool = False) -> BuildRun:
        env = dict(self.env)
        spec = {**spec, "profile": profile}
        event_dir: Path | None = None
        if profile:
            event_dir = self.logs / f"events-{self.runs + 1:03d}"
            event_dir.mkdir()
            conf = {
                "spark.eventLog.enabled": "true",
                "spark.eventLog.dir": event_dir.as_uri(),
                # One plain JSON file (Spark 4 rolls and compresses by default).
                "spark.eventLog.rolling.enabled": "false",
                "spark.eventLog.compress": "false",
            }
            args = " ".join(f"--conf {k}={v}" for k, v in conf.items())
            env["PYSPARK_SUBMIT_ARGS"] = f"{args} pyspark-shell"
        log = self._log(label)
        command = [sys.executable, str(SCRIPT), "--worker"]
        code = code_version()
        started = time.monotonic()
        result: dict[str, Any] | None = None
        with log.open("w") as stderr:
            spec = {**spec, "launched_at": time.time()}
            process = subprocess.Popen(
                [*command, json.dumps(spec)], env=env, cwd=PROJECT_ROOT, text=True,
                stdout=subprocess.PIPE, stderr=stderr,
            )  # fmt: skip
            assert process.stdout is not None
            for line in process.stdout:
                kind, _, payload = line.rstrip("\n").partition(" ")
                if kind == "@progress":
                    self.console.print(f"  [{label}] {json.loads(payload)}")
                elif kind == "@result":
                    result = json.loads(payload)
            code = process.wait()
        took = time.monotonic() - started
        log.with_suffix(".json").write_text(json.dumps(result))
        if code != 0 or result is None:
            tail = "\n".join(log.read_text().splitlines()[-40:])
            raise SystemExit(f"{label} failed (exit {code}); the end of {log}:\n{tail}")
        run = BuildRun(result, took, code)
        if event_dir is not None:
            # Read now: the stack's data folder (where the log is) goes with the stack.
            run.profile = job_profile(next(event_dir.iterdir()), result)
        return run

    def dagster(self, first: dt.date, last: dt.date, label: str) -> DagsterRun:
        if first == last:
            tags = {"dagster/partition": first.isoformat()}
        else:
            tags = {
                "dagster/asset_partition_range_start": first.isoformat(),
                "dagster/asset_partition_range_end": last.isoformat(),
            }
        command = [str(BIN / "dagster"), "job", "execute", "-m", "ecommerce_assets.definitions",
                   "-j", "silver_job", "--tags", json.dumps(tags)]  # fmt: skip
        log = self._log(label)
        started = time.monotonic()
        run = DagsterRun(0.0, code=code_version())
        step_start: dict[str, float] = {}
        with log.open("w") as out:
            process = subprocess.Popen(
                command, env=self.env, cwd=PROJECT_ROOT, text=True,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            )  # fmt: skip
            assert process.stdout is not None
            for line in process.stdout:
                now = time.monotonic() - started
                out.write(f"{now:9.3f} {line}")
                _parse_dagster_line(run, step_start, line, now, self.console, label)
            code = process.wait()
        run.wall_s = time.monotonic() - started
        if "silver_layer" not in run.steps or not run.build_s:
            tail = "\n".join(log.read_text().splitlines()[-40:])
            raise SystemExit(f"{label} failed (exit {code}); the end of {log}:\n{tail}")
        if code != 0:
            # Timed all the same (the build and the checks before the failure ran); the
            # figures name the failure.
            self.console.print(f"  [{label}] [red]run failed[/]: {run.error} (log: {log})")
        return run


_STEP = re.compile(r'(Started|Finished) execution of step "([\w.]+)"|step "([\w.]+)" (failed)')
_BUILT = re.compile(r"silver for \S+ built in ([\d.]+) s")
_CHECK = re.compile(r"ASSET_CHECK_EVALUATION - .*?check '(\w+)'.*?(passed|failed|succeeded)", re.I)


def _parse_dagster_line(
    run: DagsterRun, step_start: dict[str, float], line: str, now: float, console: Console,
    label: str,
) -> None:  # fmt: skip
    """Note the moments of the run's phases as its log lines arrive."""
    if match := _STEP.search(line):
        step = match.group(2) or match.group(3)
        if match.group(1) == "Started":
            step_start[step] = now
        else:
            run.steps[step] = (step_start.get(step, 0.0), now)
        if match.group(4):
            run.failed_steps.append(step)
        console.print(f"  [{label}] {match.group(0)} ({now:.1f} s)")
    elif run.failed_steps and not run.error and line.strip():
        run.error = line.strip()[:200]  # the line after STEP_FAILURE: the exception
    elif "building silver for" in line:
        run.build_started = now
        console.print(f"  [{label}] building silver ({now:.1f} s)")
    elif match := _BUILT.search(line):
        run.build_s, run.built = float(match.group(1)), now
        console.print(f"  [{label}] {match.group(0)} ({now:.1f} s)")
    elif "ASSET_MATERIALIZATION" in line and run.built:
        run.last_materialization = now
    elif "ASSET_CHECK_EVALUATION" in line and run.built:
        match = _CHECK.search(line)
        name = match.group(1) if match else "unnamed"
        run.checks[name] = now
        if match and match.group(2).lower() == "failed":
            run.failed_checks.append(line.strip()[-200:])


@contextmanager
def stack(name: str, console: Console, args: argparse.Namespace) -> Iterator[Stack]:
    """A stack of the benchmark's own; down (and its data removed) afterwards unless kept."""
    root = args.data_dir or Path(tempfile.mkdtemp(prefix="silver-bench-"))
    data_dir = (root / name).resolve()
    fresh = not data_dir.exists()
    st = Stack(data_dir, console, args)
    manager.up(st.settings, console)
    try:
        yield st
    finally:
        if args.keep_stack:
            console.print(f"stack kept: {st.describe()}")
        else:
            manager.down(st.settings, console)
            if fresh:
                shutil.rmtree(data_dir, ignore_errors=True)
            if args.data_dir is None:
                shutil.rmtree(root, ignore_errors=True)


# -- figures ---------------------------------------------------------------------------


def spread(values: Sequence[float], unit: str = "s") -> tuple[str, str]:
    """(median, range) as text."""
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.1f} {unit}", ""
    return f"{median:.1f} {unit}", f"{min(values):.1f}-{max(values):.1f} {unit}"


#: What the build's SQL executions do, by the action that started them.
_ACTIONS = {
    "collect": "counts by status (outcome)",
    "overwrite": "replace the days (write + commit)",
    "sql": "CREATE IF NOT EXISTS",
}


def job_profile(event_log: Path, build: dict[str, Any]) -> list[str]:
    """Each table's time split by what Spark ran for it (from Spark's event log): the
    SQL executions by action (their Spark jobs' time in brackets; the rest of an
    execution is the driver's: planning, the Iceberg commit), and the time outside any."""
    executions: dict[int, dict[str, Any]] = {}
    job_execution: dict[int, int] = {}
    job_start: dict[int, float] = {}
    for line in event_log.read_text().splitlines():
        event = json.loads(line)
        kind = event.get("Event", "").rsplit(".", 1)[-1]
        if kind == "SparkListenerSQLExecutionStart":
            action = str(event.get("description", "")).split(" ", 1)[0]
            executions[event["executionId"]] = {
                "action": action, "start": event["time"] / 1000, "jobs": 0.0,
            }  # fmt: skip
        elif kind == "SparkListenerSQLExecutionEnd" and event["executionId"] in executions:
            executions[event["executionId"]]["end"] = event["time"] / 1000
        elif kind == "SparkListenerJobStart":
            execution = (event.get("Properties") or {}).get("spark.sql.execution.id")
            if execution is not None:
                job_execution[event["Job ID"]] = int(execution)
                job_start[event["Job ID"]] = event["Submission Time"] / 1000
        elif kind == "SparkListenerJobEnd" and event["Job ID"] in job_execution:
            execution = executions.get(job_execution[event["Job ID"]])
            if execution is not None:
                execution["jobs"] += event["Completion Time"] / 1000 - job_start[event["Job ID"]]
    lines = [
        "| table (in build order) | seconds | Spark SQL executions: seconds (of it in Spark jobs) "
        "| outside them |",
        "|---|---|---|---|",
    ]
    previous = build["build_started_at"]
    for name, _, moment in build["marks"]:
        parts: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        for execution in executions.values():
            if previous <= execution["start"] < moment and "end" in execution:
                part = parts[_ACTIONS.get(execution["action"], execution["action"])]
                part[0] += 1
                part[1] += execution["end"] - execution["start"]
                part[2] += execution["jobs"]
        split = ", ".join(
            f"{action} x{n:.0f}: {s:.1f} ({jobs:.1f})" for action, (n, s, jobs) in parts.items()
        )
        took = moment - previous
        inside = sum(s for _, s, _ in parts.values())
        lines.append(f"| {name} | {took:.1f} | {split} | {took - inside:.1f} |")
        previous = moment
    return lines


def table_times(run: BuildRun) -> list[str]:
    result = run.result
    lines = ["| table (in build order) | rows written | seconds since the previous table |",
             "|---|---|---|"]  # fmt: skip
    previous = 0.0
    for name, at, _ in result["marks"]:
        lines.append(f"| {name} | {result['rows_written'].get(name, 0):,} | {at - previous:.1f} |")
        previous = at
    return lines


def failures(runs: list[DagsterRun]) -> list[str]:
    out = []
    for i, run in enumerate(runs, 1):
        if run.failed_steps:
            out.append(f"dagster run {i}: step {', '.join(run.failed_steps)} FAILED: {run.error}")
        out.extend(f"dagster run {i}: check failed: {line}" for line in run.failed_checks)
    return out


def dagster_table(runs: list[DagsterRun], events: int) -> list[str]:
    lines = ["| `dagster job execute -j silver_job`, fresh process | median | range | events/s |",
             "|---|---|---|---|"]  # fmt: skip
    walls = [r.wall_s for r in runs]
    median, rng = spread(walls)
    lines.append(f"| whole run (process start to exit) | {median} | {rng} | "
                 f"{events / statistics.median(walls):,.0f} |")  # fmt: skip
    phases: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        for name, value in run.phases().items():
            phases[name].append(value)
    for name, values in phases.items():
        median, rng = spread(values)
        rate = f"{events / statistics.median(values):,.0f}" if name.startswith("build_") else ""
        lines.append(f"| … {name} | {median} | {rng} | {rate} |")
    return lines


def run_throughput(args: argparse.Namespace, console: Console) -> list[str]:
    out: list[str] = []
    first, last = START, START + dt.timedelta(days=args.days - 1)
    with stack("throughput", console, args) as st:
        if not args.skip_load:
            manifest = st.generate(args.days, args.events // args.days)
            records = manifest["totals"]["records"]
            delivered = sum(r["delivered"] for r in records.values())
            console.print(f"generated {delivered:,} records; ingesting into bronze ...")
            ingest = st.worker({"kind": "ingest"}, "ingest").result
            console.print(f"bronze: {ingest['rows']:,} rows, {ingest['dead_letters']:,} dead "
                          f"letters in {ingest['seconds']:.0f} s")  # fmt: skip
        builds = []
        for i in range(args.samples):
            console.print(f"build_silver {first}..{last}, sample {i + 1} of {args.samples} ...")
            spec = {"kind": "build", "start": first.isoformat(),
                    "end": (last + dt.timedelta(days=1)).isoformat()}  # fmt: skip
            builds.append(st.worker(spec, f"build-{i + 1}", profile=args.profile))
            r = builds[-1].result
            console.print(f"  build {r['build_s']:.1f} s, session {r['session_s']:.1f} s, "
                          f"process {builds[-1].process_s:.1f} s")  # fmt: skip
        dagster_runs = []
        for i in range(args.dagster_samples):
            console.print(f"dagster job execute silver_job {first}...{last}, run {i + 1} ...")
            dagster_runs.append(st.dagster(first, last, f"dagster-{i + 1}"))
    result = builds[0].result
    events = result["events"]
    out.append(f"machine (first build's process): {result['machine']}")
    out.append(f"Spark session start {result['session_s']:.1f} s; {result['archive']}")
    codes = {b.code for b in builds} | {r.code for r in dagster_runs}
    if len(codes) > 1:
        out.append(
            "the silver code changed between samples: "
            + "; ".join(f"build {i}: {b.code}" for i, b in enumerate(builds, 1))
            + "; "
            + "; ".join(f"dagster run {i}: {r.code}" for i, r in enumerate(dagster_runs, 1))
        )
    for i, b in enumerate(builds, 1):
        out.append(f"build {i}: {b.result['cpu']}")
        if b.result.get("phases"):
            out.append(f"build {i}: {b.result['phases']}")
    out.append(
        f"\nsilver for {result['days']} ({args.days} days): {events:,} bronze rows of the "
        f"range, every stream (clickstream {result['clickstream']:,}; duplicates removed "
        f"{result['duplicates']:,}, quarantined {result['quarantined']:,}); driver memory "
        f"{st.settings.spark_driver_memory}\n"
    )
    out.append("| silver for the whole range, fresh process each | samples | median | range | "
               "events/s (median) |\n|---|---|---|---|---|")  # fmt: skip
    figures = {
        "`build_silver` alone": [b.result["build_s"] for b in builds],
        "Spark session start + `build_silver`": [
            b.result["build_s"] + b.result["session_s"] for b in builds
        ],
        "process launch to build end (Python start, imports, session, build)": [
            b.result["launch_to_built_s"] for b in builds
        ],
        "whole process, to exit": [b.process_s for b in builds],
    }
    for name, values in figures.items():
        median, rng = spread(values)
        out.append(f"| {name} | {len(values)} | {median} | {rng} | "
                   f"{events / statistics.median(values):,.0f} |")  # fmt: skip
    middle = sorted(builds, key=lambda b: b.result["build_s"])[len(builds) // 2]
    out.append("\nwhere the build's time goes (the median sample):\n")
    out.extend(table_times(middle))
    if middle.profile:
        out.append("\nwhat Spark ran for each table (event log of the median sample):\n")
        out.extend(middle.profile)
    if dagster_runs:
        out.append("")
        out.extend(dagster_table(dagster_runs, events))
        out.extend(failures(dagster_runs))
    return out


def run_history(args: argparse.Namespace, console: Console) -> list[str]:
    cases = sorted(args.history_cases)
    days = cases[-1]
    target = START + dt.timedelta(days=days - 1)
    target_range = {"kind": "build", "start": target.isoformat(),
                    "end": (target + dt.timedelta(days=1)).isoformat()}  # fmt: skip
    rows: list[tuple[int, dict[str, Any], list[BuildRun], list[DagsterRun]]] = []
    with stack("history", console, args) as st:
        if not args.skip_load:
            manifest = st.generate(days, args.history_events_per_day)
            clicks = manifest["totals"]["records"]["clickstream"]["delivered"]
            console.print(f"generated {clicks:,} clickstream records; ingesting into {STAGE} ...")
            st.worker({"kind": "ingest", "namespace": STAGE}, "ingest-stage")
        hi: str | None = None
        held_from = target
        for case in cases:
            first = target - dt.timedelta(days=case - 1)
            lo = dt.datetime.combine(first, dt.time(), dt.UTC) - MARGIN
            console.print(f"bronze: adding [{lo:%Y-%m-%d %H:%M}, {hi or 'end'}) ...")
            spec = {"kind": "copy", "lo": lo.isoformat(), "hi": hi}
            # Measured again on a kept stack: from empty bronze.* and silver.* tables.
            spec["reset"] = args.skip_load and hi is None
            copy = st.worker(spec, f"copy-{case}")
            bronze = copy.result
            hi = lo.isoformat()
            if first < held_from:
                # A week per run, so the default driver memory does (a 10-day range of
                # ~1 M events a day does not fit 2 GiB: see the throughput part).
                for end in range((held_from - first).days, 0, -HISTORY_CHUNK_DAYS):
                    stop = first + dt.timedelta(days=end)
                    begin = max(first, stop - dt.timedelta(days=HISTORY_CHUNK_DAYS))
                    console.print(f"silver: building {begin}..{stop - dt.timedelta(days=1)} ...")
                    spec = {"kind": "build", "start": begin.isoformat(), "end": stop.isoformat()}
                    st.worker(spec, f"history-{case}-{begin}")
            else:
                console.print(f"silver: building {target} once before the samples ...")
                st.worker(target_range, "warm-up")
            held_from = first
            builds, runs = [], []
            for i in range(args.samples):
                console.print(f"{case} days held: sample {i + 1} of {args.samples} ...")
                builds.append(st.worker(target_range, f"day-{case}-{i + 1}", args.profile))
                if not args.no_dagster:
                    runs.append(st.dagster(target, target, f"dagster-day-{case}-{i + 1}"))
            rows.append((case, bronze, builds, runs))
    out = [f"machine (first build's process): {rows[0][2][0].result['machine']}"]
    out.append(f"\none day, {target}: {rows[0][2][0].result['events']:,} bronze rows of the "
               f"day (clickstream {rows[0][2][0].result['clickstream']:,}); driver memory "
               f"{st.settings.spark_driver_memory}; {args.samples} samples per case, "
               "each a fresh process: median (range)\n")  # fmt: skip
    header = "| days held | bronze rows held | bronze files | `build_silver` | session + build |"
    rule = "|---|---|---|---|---|"
    if not args.no_dagster:
        header += " `dagster job execute` (whole run) | … its build_silver | … its checks |"
        rule += "---|---|---|"
    out += [header, rule]
    for case, bronze, builds, runs in rows:
        cells = [
            str(case),
            f"{bronze['bronze_rows']:,}",
            f"{bronze['bronze_files']:,}",
            _cell([b.result["build_s"] for b in builds]),
            _cell([b.result["build_s"] + b.result["session_s"] for b in builds]),
        ]
        if runs:
            cells.append(_cell([r.wall_s for r in runs]))
            cells.append(_cell([r.build_s for r in runs]))
            cells.append(_cell([r.silver_step[1] - r.last_materialization for r in runs]))
        out.append("| " + " | ".join(cells) + " |")
    codes = {x.code for _, _, builds, runs in rows for x in [*builds, *runs]}
    if len(codes) > 1:
        for case, _, builds, runs in rows:
            used = sorted({x.code for x in [*builds, *runs]})
            out.append(f"the silver code changed: {case} days held ran {'; '.join(used)}")
    for case, _, builds, runs in rows:
        events = {b.result["events"] for b in builds}
        if len(events) != 1:
            out.append(f"note: {case} days held: the day's bronze rows differ: {events}")
        out.extend(failures(runs))
        for r in runs:
            phases = ", ".join(f"{name} {value:.1f} s" for name, value in r.phases().items())
            out.append(f"{case} days held, a dagster run: {phases}")
        if builds[0].profile:
            out.append(f"\n{case} days held, what Spark ran for each table (first sample):\n")
            out.extend(builds[0].profile)
            out.append(f"\n{case} days held, first sample: {builds[0].result['phases']}")
    return out


#: The code a silver figure depends on (others change it while benchmarks run).
SILVER_CODE = ["streaming/silver", "ecommerce_assets/defs/silver", "ecommerce_assets/lib"]


def code_version() -> str:
    """The commit, and the silver code's files that differ from it, with a hash of the
    difference so two figures can tell whether they ran the same code."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=PROJECT_ROOT, capture_output=True, text=True)
        return done.stdout

    commit = git("rev-parse", "--short", "HEAD").strip()
    changed = [line[3:] for line in git("status", "--short", "--", *SILVER_CODE).splitlines()]
    if not changed:
        return f"commit {commit}, silver code as committed"
    diff = git("diff", "HEAD", "--", *SILVER_CODE).encode()
    untracked = [p for p in changed if not git("ls-files", "--", p).strip()]
    for path in sorted(untracked):
        target = PROJECT_ROOT / path
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        diff += b"".join(f.read_bytes() for f in files)
    digest = hashlib.sha1(diff).hexdigest()[:10]
    return f"commit {commit} + uncommitted {', '.join(changed)} (diff sha1 {digest})"


def _cell(values: Sequence[float]) -> str:
    median, rng = spread(values)
    return f"{median} ({rng})" if rng else median


def _cases(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive day counts")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument(
        "--part",
        choices=("throughput", "history", "both"),
        default="both",
        help="which measurement (default: both, one stack after the other)",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=10_000_000,
        help="throughput: clickstream events over --days (default 10,000,000)",
    )
    parser.add_argument("--days", type=int, default=10, help="throughput: days (default 10)")
    parser.add_argument(
        "--samples", type=int, default=3, help="fresh-process builds per measurement (default 3)"
    )
    parser.add_argument(
        "--dagster-samples",
        type=int,
        default=1,
        help="throughput: `dagster job execute` runs of the range (default 1)",
    )
    parser.add_argument(
        "--history-cases",
        type=_cases,
        default=[1, 7, 30],
        help="history: days the tables hold, comma-separated (default 1,7,30)",
    )
    parser.add_argument(
        "--history-events-per-day",
        type=int,
        default=100_000,
        help="history: clickstream events per day (default 100,000)",
    )
    parser.add_argument(
        "--no-dagster",
        action="store_true",
        help="history: time build_silver only, no `dagster job execute`",
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--partitions", type=int, default=3, help="Kafka partitions per topic")
    parser.add_argument(
        "--driver-memory",
        help="spark_driver_memory for every run (e.g. 4g; default: the settings', 2g)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Spark event log in the build processes; each table's time split into Spark jobs",
    )
    parser.add_argument(
        "--data-dir", type=Path, help="stacks' data under this folder (default: a temporary one)"
    )
    parser.add_argument(
        "--keep-stack",
        action="store_true",
        help="leave the stack running and its data (measure again with --data-dir and --skip-load)",
    )
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help="the --data-dir stack already holds the data: no generation or ingestion",
    )
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return
    if args.skip_load and args.data_dir is None:
        parser.error("--skip-load needs --data-dir (a stack kept with --keep-stack)")
    console = Console(stderr=True)
    command = shlex.join(["uv", "run", "python", "benchmarks/silver_benchmark.py", *sys.argv[1:]])
    out = [
        f"command: {command}",
        f"date: {dt.date.today()}; at start {HostState.now().describe()}",
        f"code: {code_version()}",
    ]
    if args.part in ("throughput", "both"):
        out += ["", "## throughput", *run_throughput(args, console)]
    if args.part in ("history", "both"):
        out += ["", "## one day with history", *run_history(args, console)]
    print("\n".join(out))


if __name__ == "__main__":
    main()
