"""What a benchmark figure depends on: the machine, the Spark JVM, and where the time went.

A records/s figure alone cannot be compared across machines: it moves with the CPU, the
JDK Spark really runs on, whether the class archive was mapped, what else was running.
This module gathers, cheaply enough to leave on:

* the machine line (CPU model, cores, the JVM's own count, JDK, GC, load, free memory);
* whether the JVM mapped the class archive (``/proc/<pid>/maps``, not just the option);
* CPU by thread group of the Spark JVM from ``/proc`` (task threads, JIT compilers, GC,
  the rest), the JVM's own GC and compilation totals (MXBeans), the broker's and this
  Python process's CPU, how busy the machine's cores were and what everything else on
  it used;
* Spark's per-batch progress durations (a streaming query listener);
* optionally (``--profile``), JFR execution samples of the task threads, split into
  Kafka read / envelope and event-time parse / Iceberg+Parquet write / the rest of
  Spark's row code.

All of it is read from outside the measured work (``/proc``, a few py4j calls per
phase, one listener call per batch); JFR, when asked for, costs a few per cent.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyspark.sql.streaming import StreamingQueryListener

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def meminfo_gib(key: str) -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def _cpuinfo() -> dict[str, str]:
    """The first processor's fields of /proc/cpuinfo."""
    fields: dict[str, str] = {}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


#: Instruction-set flags that tell CPU generations apart when a hypervisor shows only a
#: family name ("AMD EPYC"): Zen 2 and 3 lack AVX-512, Zen 4 has it, Zen 5 adds
#: VP2INTERSECT; on Intel, AMX came with Sapphire Rapids.
_GENERATION_FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vp2intersect", "avx_vnni",
                     "amx_tile")  # fmt: skip


def cpu_model() -> str:
    """Model name, family/model/stepping, clock, L2 and the flags that date the CPU.

    Virtual machines often show a generic model name: two "2-core AMD EPYC" machines
    may be CPU generations apart, and a JVM workload and a C consumer need not gain
    alike from the newer one.
    """
    info = _cpuinfo()
    flags = set(info.get("flags", "").split())
    generation = "+".join(flag for flag in _GENERATION_FLAGS if flag in flags) or "no AVX2"
    return (
        f"{info.get('model name', platform.processor() or 'unknown')} "
        f"(family {info.get('cpu family', '?')} model {info.get('model', '?')} "
        f"stepping {info.get('stepping', '?')}, {info.get('cpu MHz', '?')} MHz, "
        f"L2 {info.get('cache size', '?')}, {generation})"
    )


@dataclass(frozen=True)
class HostState:
    """The machine before a measurement: what else was running, how much memory was free."""

    load: tuple[float, float, float]
    mem_available_gib: float

    @classmethod
    def now(cls) -> HostState:
        return cls(os.getloadavg(), meminfo_gib("MemAvailable"))

    def describe(self) -> str:
        one, five, fifteen = self.load
        return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}, {self.mem_available_gib:.1f} GiB free"


def jvm_pid(spark: SparkSession) -> int:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    return int(jvm.java.lang.ProcessHandle.current().pid())


def jvm_description(spark: SparkSession) -> str:
    """The JDK Spark runs on, the JVM's processor count, heap and GC, from the JVM itself."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    prop = jvm.System.getProperty
    runtime = jvm.java.lang.Runtime.getRuntime()
    gcs = "+".join(
        str(bean.getName())
        for bean in jvm.java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()
    )
    management = jvm.java.lang.management.ManagementFactory
    hotspot = management.getPlatformMXBean(
        jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    )
    # The options that change what a run costs: ours (JIT thresholds, archive), the GC's.
    options = []
    for arg in map(str, management.getRuntimeMXBean().getInputArguments()):
        if arg.startswith("-XX:SharedArchiveFile="):
            arg = f"-XX:SharedArchiveFile={Path(arg.split('=', 1)[1]).name}"
        if arg.startswith(("-XX:", "-Xm", "-Xs")):
            options.append(arg)
    return (
        f"{prop('java.vm.name')} {prop('java.runtime.version')} ({prop('java.home')}), "
        f"{runtime.availableProcessors()} CPUs seen, heap max "
        f"{runtime.maxMemory() / 2**30:.1f} GiB, GC {gcs}, "
        f"UseAVX={hotspot.getVMOption('UseAVX').getValue()}, options: {' '.join(options)}"
    )


def machine_line(spark: SparkSession, host: HostState) -> str:
    return (
        f"machine: {cpu_model()}, {os.cpu_count()} cores, "
        f"{meminfo_gib('MemTotal'):.0f} GiB RAM, kernel {platform.release()}; "
        f"at start {host.describe()}; JVM: {jvm_description(spark)}"
    )


def archive_status(spark: SparkSession) -> str:
    """Whether the session asked for the class archive, and whether the JVM mapped it.

    A JVM that refuses an archive (another runtime, a changed jar) only warns and starts
    without it; its memory map is what tells.
    """
    conf = spark.sparkContext.getConf().get("spark.driver.extraJavaOptions", "") or ""
    asked = re.search(r"-XX:SharedArchiveFile=(\S+)", conf)
    if asked is None:
        return "class archive: not used"
    path = asked.group(1)
    maps = Path(f"/proc/{jvm_pid(spark)}/maps").read_text()
    mapped = sum(
        int(end, 16) - int(start, 16)
        for start, end, name in re.findall(r"^([0-9a-f]+)-([0-9a-f]+) .* (\S+)$", maps, re.M)
        if name == path
    )
    state = f"mapped ({mapped / 2**20:.0f} MiB)" if mapped else "NOT mapped (refused)"
    return f"class archive: {Path(path).name}, {state}"


# -- CPU accounting -------------------------------------------------------------------

#: Spark JVM threads by their Linux name (15 characters at most).
_THREAD_GROUPS = (
    ("tasks", ("Executor task l",)),
    ("JIT", ("C1 CompilerThre", "C2 CompilerThre")),
    ("GC", ("GC Thread", "G1 ", "VM Thread", "ParGC", "Parallel")),
)


def _thread_group(name: str) -> str:
    for group, prefixes in _THREAD_GROUPS:
        if name.startswith(prefixes):
            return group
    return "other"


def _ticks(stat: str) -> int:
    # The name in parentheses may hold spaces; utime and stime follow it.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of a process by thread group; "all" and "kernel" (system time) are the
    whole process's, threads that ended included."""
    groups: dict[str, float] = defaultdict(float)
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            seconds = _ticks((task / "stat").read_text()) / CLOCK_TICKS
        except OSError:
            continue  # the thread ended meanwhile
        groups[_thread_group(name)] += seconds
    stat = Path(f"/proc/{pid}/stat").read_text()
    groups["all"] = _ticks(stat) / CLOCK_TICKS
    # Page faults on fresh memory (a VM's host may have to supply each page) show here.
    groups["kernel"] = int(stat.rsplit(")", 1)[1].split()[12]) / CLOCK_TICKS
    groups["minor faults"] = int(stat.rsplit(")", 1)[1].split()[7])
    return dict(groups)


def process_cpu(pid: int) -> float:
    try:
        return _ticks(Path(f"/proc/{pid}/stat").read_text()) / CLOCK_TICKS
    except OSError:
        return 0.0


def find_pid(*needles: str) -> int | None:
    """A process whose command line holds all ``needles`` (the stack's broker, say)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if all(needle in cmdline for needle in needles):
            return int(entry.name)
    return None


def _system_ticks() -> tuple[int, int, int]:
    """(busy, steal, all) CPU ticks of the whole machine; steal is time the hypervisor
    gave our virtual cores to someone else."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, fields[7], sum(fields)


def _vmstat(*keys: str) -> dict[str, int]:
    values = dict(line.split() for line in Path("/proc/vmstat").read_text().splitlines())
    return {key: int(values.get(key, 0)) for key in keys}


@dataclass
class CpuSnapshot:
    wall: float
    threads: dict[str, float]
    gc_ms: dict[str, tuple[int, int]]  # collector -> (count, milliseconds)
    jit_ms: int
    classes: int
    python: float
    broker: float
    system: tuple[int, int, int]
    vm: dict[str, int]


class CpuProbe:
    """Snapshots of the Spark JVM, the broker, this process and the machine."""

    def __init__(self, spark: SparkSession, broker_pid: int | None) -> None:
        self.spark = spark
        self.pid = jvm_pid(spark)
        self.broker_pid = broker_pid

    def snapshot(self) -> CpuSnapshot:
        jvm = self.spark.sparkContext._jvm
        assert jvm is not None
        management = jvm.java.lang.management.ManagementFactory
        gc_ms = {
            str(bean.getName()): (int(bean.getCollectionCount()), int(bean.getCollectionTime()))
            for bean in management.getGarbageCollectorMXBeans()
        }
        times = os.times()
        return CpuSnapshot(
            wall=time.perf_counter(),
            threads=thread_cpu(self.pid),
            gc_ms=gc_ms,
            jit_ms=int(management.getCompilationMXBean().getTotalCompilationTime()),
            classes=int(management.getClassLoadingMXBean().getTotalLoadedClassCount()),
            python=times.user + times.system,
            broker=process_cpu(self.broker_pid) if self.broker_pid else 0.0,
            system=_system_ticks(),
            vm=_vmstat("pgmajfault", "pgpgin"),
        )


def cpu_report(before: CpuSnapshot, after: CpuSnapshot) -> str:
    """One line: where the CPU of a phase went (seconds), and how busy the cores were."""
    wall = after.wall - before.wall

    def delta(group: str) -> float:
        return after.threads.get(group, 0.0) - before.threads.get(group, 0.0)

    gc_count = sum(c for c, _ in after.gc_ms.values()) - sum(c for c, _ in before.gc_ms.values())
    gc_pause_ms = sum(ms for _, ms in after.gc_ms.values()) - sum(
        ms for _, ms in before.gc_ms.values()
    )
    busy, steal, total = (a - b for a, b in zip(after.system, before.system, strict=True))
    python = after.python - before.python
    broker = after.broker - before.broker
    return (
        f"wall {wall:.1f} s; Spark JVM CPU {delta('all'):.1f} s = tasks {delta('tasks'):.1f} "
        f"+ JIT {delta('JIT'):.1f} + GC threads {delta('GC'):.1f} + other {delta('other'):.1f} "
        f"(kernel {delta('kernel'):.1f}, {delta('minor faults') / 1e6:.2f} M minor faults); "
        f"GC {gc_count} collections, {gc_pause_ms / 1000:.1f} s (MXBeans); "
        f"JIT compile time {(after.jit_ms - before.jit_ms) / 1000:.1f} s (MXBean); "
        f"classes loaded {after.classes - before.classes:,}; "
        f"python {python:.1f} s; broker {broker:.1f} s; "
        f"cores busy {100 * busy / max(total, 1):.0f} % "
        f"(steal {100 * steal / max(total, 1):.0f} %), everything else "
        # The rest of the machine: the stack's idle servers, the kernel's own threads, and
        # anything else running; a large figure means a disturbed measurement.
        f"{busy / CLOCK_TICKS - delta('all') - python - broker:.1f} s CPU; "
        f"major faults {after.vm['pgmajfault'] - before.vm['pgmajfault']:,}, "
        f"read {(after.vm['pgpgin'] - before.vm['pgpgin']) / 2**10:.0f} MiB"
    )


# -- Streaming progress ----------------------------------------------------------------


@dataclass
class _QueryProgress:
    batches: int = 0
    rows: int = 0
    durations: Counter[str] = field(default_factory=Counter)
    first_trigger_ms: int | None = None


class CpuTimeline:
    """The Spark JVM's CPU by thread group every ``period`` seconds (``/proc`` reads only,
    ~1 ms each), to tell what a stretch of a run such as its first batch used."""

    def __init__(self, pid: int, period: float = 0.5) -> None:
        self.pid = pid
        self.period = period
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> CpuTimeline:
        self.samples = [(time.time(), thread_cpu(self.pid))]
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cpu-timeline", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self.samples.append((time.time(), thread_cpu(self.pid)))

    def until(self, moment: float) -> tuple[float, dict[str, float]]:
        """Seconds from the start to the first sample at or after ``moment``, and the CPU
        used by then."""
        first_time, first = self.samples[0]
        when, cpu = next(((t, c) for t, c in self.samples if t >= moment), self.samples[-1])
        return when - first_time, {group: cpu[group] - first.get(group, 0.0) for group in cpu}


class ProgressProbe(StreamingQueryListener):
    """Spark's per-batch durations, summed by query name; the first batch kept apart.

    Spark's listener bus delivers the events asynchronously, some after the query ended:
    :meth:`wait_for` waits for the batches a run reported before they are read.
    """

    def __init__(self, main_query: str) -> None:
        self._lock = threading.Lock()
        self.main_query = main_query
        self.queries: dict[str, _QueryProgress] = defaultdict(_QueryProgress)
        #: When the main query's first batch ended (epoch seconds).
        self.first_batch_end: float | None = None

    def onQueryStarted(self, event: Any) -> None:
        pass

    def onQueryProgress(self, event: Any) -> None:
        progress = event.progress
        name = progress.name or str(progress.id)
        with self._lock:
            query = self.queries[name]
            query.batches += 1
            query.rows += progress.numInputRows
            query.durations.update(progress.durationMs)
            if query.first_trigger_ms is None:
                query.first_trigger_ms = progress.durationMs.get("triggerExecution", 0)
                if name == self.main_query:
                    started = dt.datetime.fromisoformat(progress.timestamp.replace("Z", "+00:00"))
                    self.first_batch_end = started.timestamp() + query.first_trigger_ms / 1000

    def onQueryIdle(self, event: Any) -> None:
        pass

    def onQueryTerminated(self, event: Any) -> None:
        pass

    def reset(self) -> None:
        with self._lock:
            self.queries = defaultdict(_QueryProgress)
            self.first_batch_end = None

    def wait_for(self, batches: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if sum(q.batches for q in self.queries.values()) >= batches:
                    return
            time.sleep(0.1)

    def report(self, timeline: CpuTimeline) -> str:
        """The main query's batch durations (seconds, summed), its first batch and what
        the Spark JVM's threads used meanwhile."""
        with self._lock:
            queries = dict(self.queries)
            first_end = self.first_batch_end
        main = queries.get(self.main_query)
        if main is None:
            return "progress: no batches seen"
        keys = ("latestOffset", "queryPlanning", "addBatch", "walCommit", "commitOffsets")
        parts = ", ".join(f"{key} {main.durations.get(key, 0) / 1000:.1f}" for key in keys)
        line = (
            f"progress of {self.main_query}: {main.batches} batches, seconds summed: {parts} "
            "(addBatch = read + parse + write + dead letters + commit)"
        )
        if first_end is not None:
            since_start, cpu = timeline.until(first_end)
            line += (
                f"\nfirst batch: {(main.first_trigger_ms or 0) / 1000:.1f} s, ended "
                f"{since_start:.1f} s into the run; Spark JVM CPU by then {cpu['all']:.1f} s = "
                f"tasks {cpu.get('tasks', 0):.1f} + JIT {cpu.get('JIT', 0):.1f} + GC threads "
                f"{cpu.get('GC', 0):.1f} + other {cpu.get('other', 0):.1f} "
                f"(kernel {cpu['kernel']:.1f})"
            )
        return line


# -- Where the task threads' CPU went (JFR samples) -------------------------------------

#: The most leafward frame in one of these packages names a sample's phase; stacks with
#: none are Spark's own row code (generated code, casts, copies, the observation).
PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Kafka read", ("org.apache.kafka.", "org.apache.spark.sql.kafka010.")),
    (
        "envelope and event-time parse",
        ("lakehouse.bronze.", "com.fasterxml.jackson.", "org.apache.spark.sql.catalyst.json."),
    ),
    ("Janino (compiling generated code)", ("org.codehaus.",)),
    (
        "Iceberg/Parquet write",
        (
            "org.apache.iceberg.",
            "org.apache.parquet.",
            "com.github.luben.zstd.",
            "io.airlift.compress.",
            "org.apache.hadoop.",
            "shaded.parquet.",
        ),
    ),
)
_SPARK_ROWS = "Spark row code (codegen, casts, copies, observation)"


def sample_phase(frames: Iterable[str]) -> str:
    """The phase of one sample, given its frames (dotted names) from the leaf outwards."""
    for name in frames:
        for phase, prefixes in PHASES:
            if name.startswith(prefixes):
                return phase
    return _SPARK_ROWS


class JfrProbe:
    """A JFR recording of execution samples, read back by the JDK's ``jfr`` tool."""

    def __init__(self, spark: SparkSession, period_ms: int = 10) -> None:
        jvm = spark.sparkContext._jvm
        assert jvm is not None
        self._jvm = jvm
        self._recording = jvm.jdk.jfr.Recording()
        period = jvm.java.time.Duration.ofMillis(period_ms)
        for event in ("jdk.ExecutionSample", "jdk.NativeMethodSample"):
            self._recording.enable(event).withPeriod(period)
        java_home = Path(str(jvm.System.getProperty("java.home")))
        self._jfr = shutil.which("jfr", path=str(java_home / "bin"))

    def start(self) -> None:
        self._recording.start()

    def stop(self, keep: Path | None = None) -> str:
        """Stop; the task threads' samples by phase, as one line (``keep``: where to copy
        the recording for a closer look, e.g. with JDK Mission Control)."""
        self._recording.stop()
        if self._jfr is None:
            return "phases: the JDK has no jfr tool"
        with tempfile.TemporaryDirectory(prefix="bench-jfr-") as scratch:
            dump = Path(scratch) / "run.jfr"
            self._recording.dump(self._jvm.java.io.File(str(dump)).toPath())
            self._recording.close()
            if keep is not None:
                shutil.copyfile(dump, keep)
            # The text form: a tenth of the JSON's size, class names dotted.
            printed = subprocess.run(
                [self._jfr, "print", "--stack-depth", "64",
                 "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", str(dump)],
                capture_output=True, text=True, check=True, timeout=600,
            ).stdout  # fmt: skip
        return phase_report(_jfr_samples(printed))


@dataclass
class Sample:
    event: str
    thread: str
    frames: list[str]  # "package.Class.method", leaf first


def _jfr_samples(printed: str) -> Iterable[Sample]:
    """The samples in ``jfr print``'s text output."""
    sample: Sample | None = None
    for line in printed.splitlines():
        stripped = line.strip()
        if line.startswith("jdk.") and stripped.endswith("{"):
            sample = Sample(stripped.split()[0], "", [])
        elif sample is None:
            continue
        elif stripped.startswith("sampledThread = "):
            sample.thread = stripped.split('"')[1]
        elif line == "}":
            yield sample
            sample = None
        elif line.startswith("    ") and "(" in stripped:
            sample.frames.append(stripped.split("(", 1)[0])


def phase_report(samples: Iterable[Sample]) -> str:
    counts: Counter[str] = Counter()
    rest: Counter[str] = Counter()
    for sample in samples:
        if not sample.thread.startswith("Executor task launch worker"):
            continue
        # A task thread in native code that is not Parquet's compressor is waiting (on a
        # socket read, say): not CPU.
        if sample.event == "jdk.NativeMethodSample" and not any(
            "zstd" in frame.lower() for frame in sample.frames[:3]
        ):
            continue
        phase = sample_phase(sample.frames)
        counts[phase] += 1
        if phase == _SPARK_ROWS and sample.frames:
            rest[sample.frames[0].rsplit(".", 1)[0]] += 1
    total = sum(counts.values())
    if not total:
        return "phases: no task samples"
    phases = [name for name, _ in PHASES] + [_SPARK_ROWS]
    shares = ", ".join(f"{name} {100 * counts[name] / total:.0f} %" for name in phases)
    top = ", ".join(f"{name.rsplit('.', 1)[-1]} {100 * n / total:.0f} %"
                    for name, n in rest.most_common(5))  # fmt: skip
    return f"task-thread samples by phase ({total:,} samples): {shares}; of the last: {top}"
