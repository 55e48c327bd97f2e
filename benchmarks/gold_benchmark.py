"""Benchmark gold: one day's incremental `dbt build`, a full one, and dashboard queries.

Runs on a stack of its own (a temporary data folder, free ports), never yours, with the
silver benchmark's machinery (``silver_benchmark.py``: generation into Kafka, bronze
ingestion, bronze copied in growing steps, ``build_silver`` in fresh processes):

1. D days (default 30) of the shop are generated into Kafka at N/D clickstream events a
   day (default 10,000,000 over 30 days, i.e. ~11 M clickstream events delivered with
   the other six streams, duplicates and late events) and ingested once into staging
   tables.
2. For each case of the days held (default 1, 7, 30), ``bronze.*`` is filled from the
   staging tables and silver is built for the days it adds (untimed), exactly as the
   silver benchmark's history part does: first the last day T, then the days before.
   Then, timed, each a new process as a user runs it by hand
   (``uv run lakehouse dbt build ...``, dbt's target and logs in the stack's folder):

   - a full ``dbt build`` (no vars: every day of every fact, every other model whole,
     every test); more samples of it at the last case (the full build at >= 10 M events);
   - ONE day's incremental build, as Dagster's daily run meets it: ``dbt build --vars
     '{"min_date": T, "max_date": T+1}'`` (the four facts replace day T; staging,
     intermediate, dimensions and marts are rebuilt whole, as ``dbt build`` does them;
     the tests run scoped to the day for the facts).

   Every dbt command runs with ``--no-partial-parse``: Dagster's runs pass new vars
   each day, and changed vars make dbt parse the whole project again anyway. The parse
   is reported apart. Each fact's rows and sums, whole and for day T, are compared after
   the full build and after the day's rebuilds (they must not change).
3. At the last case: five dashboard queries on the marts (and channel attribution)
   through Trino, each run once to warm up and then ``--repetitions`` times; median and
   p95 (nearest rank) of the client's wall time (execute to the last row fetched).

Prints the machine, progress lines, then Markdown tables for docs/benchmarks.md. Wrap it
in the heavy-work lock so other heavy runs keep off the two cores; work that does not
take the lock is what ``--max-load`` (wait before each timed run) and
``--max-others-share`` (run a sample again when others took the cores meanwhile) are for:

    flock /tmp/lakehouse-heavy.lock uv run python benchmarks/gold_benchmark.py \\
        --max-load 3 --max-others-share 0.25
    flock /tmp/lakehouse-heavy.lock uv run python benchmarks/gold_benchmark.py \\
        --events 300000 --days 3 --cases 1,2,3 --samples 1 --repetitions 5   # a quick try
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import platform
import re
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from jvm_probe import (
    CLOCK_TICKS,
    HostState,
    _system_ticks,
    cpu_model,
    find_pid,
    meminfo_gib,
    process_cpu,
)
from rich.console import Console
from silver_benchmark import (
    HISTORY_CHUNK_DAYS,
    MARGIN,
    STAGE,
    START,
    Stack,
    _cases,
    spread,
    stack,
)

from ecommerce_assets.resources.trino import TrinoResource
from ecommerce_assets.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent
#: The facts (incremental, replace_days) with their day column and what to sum.
FACTS = {
    "fct_orders": ("order_date", "net_amount"),
    "fct_order_items": ("order_date", "line_amount"),
    "fct_payments": ("payment_date", "signed_amount"),
    "fct_sessions": ("session_date", "event_count"),
}
#: Namespaces dbt writes (dropped before a kept stack is measured again).
DBT_SCHEMAS = ("gold", "staging", "intermediate")
#: The dbt code a figure depends on.
GOLD_CODE = [
    "dbt_project/models",
    "dbt_project/macros",
    "dbt_project/tests",
    "dbt_project/dbt_project.yml",
]


# -- dbt runs --------------------------------------------------------------------------


@dataclass
class DbtRun:
    label: str
    wall_s: float
    #: Process start to the first node's START line: Python, dbt's start, the parse.
    parse_s: float
    #: dbt's own "Finished running ... (N s)".
    run_s: float
    exit_code: int
    #: PASS/WARN/ERROR/SKIP/TOTAL of dbt's "Done." line.
    done: dict[str, int]
    #: unique_id -> (status, execution seconds), from run_results.json.
    nodes: dict[str, tuple[str, float]]
    trino_cpu_s: float
    #: The machine's 1-minute load average when the run started.
    load: float = 0.0
    #: The dbt project's code it ran (code_version() at its launch).
    code: str = ""
    #: CPU the machine spent during the run outside Trino and the dbt process: other
    #: people's work (and the stack's idle Kafka and catalog).
    others_cpu_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    def by_kind(self) -> dict[str, float]:
        """Node seconds by kind (with 2 threads these overlap: they add up past the wall)."""
        out: dict[str, float] = defaultdict(float)
        for unique_id, (_, seconds) in self.nodes.items():
            out[node_kind(unique_id)] += seconds
        return out


def node_kind(unique_id: str) -> str:
    kind, _, name = unique_id.split(".", 2)
    if kind != "model":
        return "tests"
    if name.startswith(("stg_", "int_")):
        return "views (staging, intermediate)"
    if name.startswith("fct_"):
        return "facts (4, incremental)"
    if name.startswith("dim_"):
        return "dimensions"
    return "marts"


KINDS = ("facts (4, incremental)", "dimensions", "marts", "views (staging, intermediate)", "tests")
_FIRST_NODE = re.compile(r"\d+ of \d+ START ")
_FINISHED = re.compile(r"Finished running .*\(([\d.]+)s\)")
_DONE = re.compile(r"Done\. (.*)$")


def run_dbt(st: Stack, console: Console, dbt_args: list[str], label: str) -> DbtRun:
    """``lakehouse dbt <args>`` in a new process, against the stack; timed and parsed."""
    target = st.data_dir / "dbt-target"
    command = [
        str(BIN / "lakehouse"),
        "dbt",
        *dbt_args,
        "--no-partial-parse",
        "--target-path",
        str(target),
        "--log-path",
        str(st.data_dir / "dbt-logs"),
    ]
    log = st._log(label)
    trino = trino_pid(st)
    load = wait_for_quiet(console, label)
    cpu_before = process_cpu(trino) if trino else 0.0
    busy_before = _system_ticks()[0]
    children_before = _children_cpu()
    code_at_launch = code_version()
    first_node = run_s = None
    done: dict[str, int] = {}
    started = time.monotonic()
    with log.open("w") as out:
        out.write(f"$ {shlex.join(command)}\n")
        process = subprocess.Popen(
            command,
            # `lakehouse dbt` finds dbt on the PATH (`uv run` puts the environment's there).
            env={**st.env, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
            cwd=PROJECT_ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert process.stdout is not None
        for line in process.stdout:
            now = time.monotonic() - started
            out.write(f"{now:9.3f} {line}")
            if first_node is None and _FIRST_NODE.search(line):
                first_node = now
            elif match := _FINISHED.search(line):
                run_s = float(match.group(1))
            elif match := _DONE.search(line):
                done = {k: int(v) for k, v in re.findall(r"([A-Z-]+)=(\d+)", match.group(1))}
        code = process.wait()
    wall = time.monotonic() - started
    trino_cpu = (process_cpu(trino) - cpu_before) if trino else float("nan")
    busy = (_system_ticks()[0] - busy_before) / CLOCK_TICKS
    others = busy - trino_cpu - (_children_cpu() - children_before)
    results_file = target / "run_results.json"
    if first_node is None or run_s is None or not results_file.exists():
        tail = "\n".join(log.read_text().splitlines()[-40:])
        raise SystemExit(f"{label}: dbt failed (exit {code}); the end of {log}:\n{tail}")
    results = json.loads(results_file.read_text())
    (log.with_suffix(".run_results.json")).write_text(json.dumps(results))
    results_file.unlink()
    nodes = {r["unique_id"]: (r["status"], float(r["execution_time"])) for r in results["results"]}
    problems = [
        f"{uid.split('.', 2)[-1]}: {status} ({r.get('failures')} rows)"
        for r in results["results"]
        for uid, status in [(r["unique_id"], r["status"])]
        if status not in ("success", "pass")
    ]
    run = DbtRun(
        label,
        wall,
        first_node,
        run_s,
        code,
        done,
        nodes,
        trino_cpu,
        load,
        code_at_launch,
        others,
        problems,
    )
    console.print(
        f"  [{label}] {wall:.1f} s (parse {first_node:.1f} s, dbt's run {run_s:.1f} s, "
        f"Trino CPU {trino_cpu:.1f} s, others' CPU {others:.1f} s, load at start {load:.1f}); "
        f"exit {code}; " + " ".join(f"{k}={v}" for k, v in done.items())
    )
    for problem in problems:
        console.print(f"  [{label}] {problem}")
    return run


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: --max-load: wait for the machine's 1-minute load average to fall to this before each
#: timed run (0: do not wait), at most MAX_WAIT_S.
MAX_LOAD = [0.0]
MAX_WAIT_S = 900


def wait_for_quiet(console: Console, label: str) -> float:
    """Wait (bounded) until other work has left the cores; the load when we go on."""
    started = time.monotonic()
    while MAX_LOAD[0] and os.getloadavg()[0] > MAX_LOAD[0]:
        if time.monotonic() - started > MAX_WAIT_S:
            console.print(f"  [{label}] load still {os.getloadavg()[0]:.1f}; going on")
            break
        time.sleep(5)
    waited = time.monotonic() - started
    if waited >= 5:
        console.print(f"  [{label}] waited {waited:.0f} s for load <= {MAX_LOAD[0]}")
    return os.getloadavg()[0]


#: --max-others-share: a sample during which others used more CPU than this share of its
#: wall time is run again (at most RETRIES times; the discarded ones are listed).
MAX_OTHERS_SHARE = [0.0]
RETRIES = 3


def sample(
    st: Stack, console: Console, dbt_args: list[str], label: str, discarded: list[DbtRun]
) -> DbtRun:
    for attempt in range(RETRIES + 1):
        run = run_dbt(st, console, dbt_args, label if not attempt else f"{label}-again{attempt}")
        share = run.others_cpu_s / run.wall_s
        if not MAX_OTHERS_SHARE[0] or share <= MAX_OTHERS_SHARE[0] or attempt == RETRIES:
            return run
        console.print(f"  [{label}] discarded: others used {share:.0%} of a core meanwhile")
        discarded.append(run)
    raise AssertionError("unreachable")


def trino_pid(st: Stack) -> int | None:
    return find_pid(f"-Dlakehouse.service=trino@{st.settings.data_dir}", "TrinoServer")


# -- Trino -----------------------------------------------------------------------------


def trino(st: Stack, schema: str | None = None) -> Any:
    return TrinoResource.from_settings(st.settings).connect(schema)


def query(st: Stack, sql: str) -> list[tuple[Any, ...]]:
    with trino(st) as connection:
        cursor = connection.cursor()
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


def drop_gold(st: Stack) -> None:
    """Every table and view dbt made (a kept stack measured again starts from none)."""
    for schema, name, kind in query(
        st,
        "SELECT table_schema, table_name, table_type FROM information_schema.tables "
        f"WHERE table_schema IN ({', '.join(repr(s) for s in DBT_SCHEMAS)})",
    ):
        what = "VIEW" if kind == "VIEW" else "TABLE"
        query(st, f'DROP {what} IF EXISTS "{schema}"."{name}"')


def fact_sums(st: Stack, day: dt.date) -> dict[str, tuple[Any, ...]]:
    """Per fact: rows and the sum of its measure, whole table and day T."""
    out = {}
    for fact, (day_column, measure) in FACTS.items():
        where = f"{day_column} = date '{day}'"
        [row] = query(
            st,
            f"SELECT count(*), sum({measure}), count_if({where}), "
            f"sum({measure}) FILTER (WHERE {where}) FROM gold.{fact}",
        )
        out[fact] = row
    return out


def fact_files(st: Stack) -> dict[str, dict[str, int]]:
    """Per fact: data files, position-delete files, partitions and snapshots."""
    out = {}
    for fact in FACTS:
        files = dict(query(st, f'SELECT content, count(*) FROM gold."{fact}$files" GROUP BY 1'))
        [(partitions,)] = query(st, f'SELECT count(*) FROM gold."{fact}$partitions"')
        [(snapshots,)] = query(st, f'SELECT count(*) FROM gold."{fact}$snapshots"')
        out[fact] = {
            "data": files.get(0, 0),
            "deletes": files.get(1, 0) + files.get(2, 0),
            "partitions": partitions,
            "snapshots": snapshots,
        }
    return out


def held(st: Stack) -> dict[str, int]:
    """Rows silver and the gold facts hold."""
    tables = [
        "silver.clickstream_events",
        "silver.sessions",
        "silver.orders",
        *(f"gold.{f}" for f in FACTS),
    ]
    union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)
    return {name: count for name, count in query(st, union)}


# -- dashboard queries -----------------------------------------------------------------


def dashboard_queries(last: dt.date) -> dict[str, str]:
    """Typical dashboard reads of the marts; dates as a dashboard passes them."""
    month, week = last - dt.timedelta(days=29), last - dt.timedelta(days=6)
    months = ", ".join(
        f"max(retention_rate) FILTER (WHERE months_since_signup = {m}) AS m{m}" for m in range(6)
    )
    return {
        "daily sales, last 30 days": f"""
            SELECT sales_date, orders, gross_revenue, net_revenue, refunds, average_order_value
            FROM gold.daily_sales
            WHERE sales_date BETWEEN date '{month}' AND date '{last}'
            ORDER BY sales_date""",
        "top 10 products by net sales": """
            SELECT product_id, product_name, category, units_sold, net_sales, returned_units
            FROM gold.product_performance
            ORDER BY net_sales DESC, product_id
            LIMIT 10""",
        "conversion funnel per channel, last 7 days": f"""
            SELECT channel, sum(sessions) AS sessions,
                   sum(product_view_sessions) AS viewed, sum(cart_sessions) AS carted,
                   sum(checkout_sessions) AS checked_out, sum(purchase_sessions) AS purchased,
                   cast(sum(purchase_sessions) AS double) / sum(sessions) AS conversion_rate
            FROM gold.conversion_funnel
            WHERE session_date BETWEEN date '{week}' AND date '{last}'
            GROUP BY channel
            ORDER BY sessions DESC""",
        "RFM segment sizes, average monetary value": """
            SELECT segment, count(*) AS customers, round(avg(monetary), 2) AS avg_monetary,
                   avg(frequency) AS avg_orders, avg(recency_days) AS avg_recency_days
            FROM gold.rfm_segments
            GROUP BY segment
            ORDER BY customers DESC""",
        "cohort retention matrix (months 0-5)": f"""
            SELECT cohort_month, max(cohort_size) AS cohort_size, {months}
            FROM gold.cohort_retention
            GROUP BY cohort_month
            ORDER BY cohort_month""",
        "channel attribution, first vs last touch": """
            SELECT channel,
                   sum(gross_revenue) FILTER (WHERE attribution_model = 'first_touch')
                       AS first_touch,
                   sum(gross_revenue) FILTER (WHERE attribution_model = 'last_touch')
                       AS last_touch
            FROM gold.channel_attribution
            GROUP BY channel
            ORDER BY last_touch DESC""",
    }


@dataclass
class QueryTimes:
    name: str
    rows: int
    walls: list[float]
    #: Trino's own elapsed time per run (ms), and the rows it read (first run).
    server_ms: list[float]
    processed_rows: int


def time_queries(st: Stack, console: Console, last: dt.date, repetitions: int) -> list[QueryTimes]:
    out = []
    with trino(st) as connection:
        for name, sql in dashboard_queries(last).items():
            wait_for_quiet(console, name)
            cursor = connection.cursor()
            cursor.execute(sql)
            rows = cursor.fetchall()  # warm-up: plans, metadata and file footers cached
            walls, server = [], []
            processed = 0
            for _ in range(repetitions):
                cursor = connection.cursor()
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                walls.append(time.perf_counter() - started)
                stats = cursor.stats or {}
                server.append(float(stats.get("elapsedTimeMillis", "nan")))
                processed = int(stats.get("processedRows", 0))
            out.append(QueryTimes(name, len(rows), walls, server, processed))
            console.print(
                f"  {name}: median {statistics.median(walls) * 1000:.0f} ms, "
                f"p95 {p95(walls) * 1000:.0f} ms ({len(rows)} rows)"
            )
    return out


def p95(values: Sequence[float]) -> float:
    """Nearest rank: the smallest value at least 95 % of the runs did not exceed."""
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


# -- the run ---------------------------------------------------------------------------


@dataclass
class Case:
    days: int
    held: dict[str, int]
    bronze: dict[str, Any]
    full: list[DbtRun]
    day: list[DbtRun]
    sums_full: dict[str, tuple[Any, ...]]
    sums_after: dict[str, tuple[Any, ...]]
    files: dict[str, dict[str, int]]
    silver_s: float
    #: Samples run again because other work shared the cores (--max-others-share).
    discarded: list[DbtRun] = field(default_factory=list)


def run(args: argparse.Namespace, console: Console) -> tuple[list[Case], list[QueryTimes], str]:
    cases = sorted(args.cases)
    days = cases[-1]
    target = START + dt.timedelta(days=days - 1)
    day_vars = json.dumps(
        {"min_date": target.isoformat(), "max_date": (target + dt.timedelta(days=1)).isoformat()}
    )
    out: list[Case] = []
    queries: list[QueryTimes] = []
    with stack("gold", console, args) as st:
        trino_line = f"Trino heap {st.settings.trino_heap}; Spark driver memory " + (
            f"{st.settings.spark_driver_memory} (silver builds, untimed)"
        )
        if not args.skip_load:
            manifest = st.generate(days, args.events // days)
            clicks = manifest["totals"]["records"]["clickstream"]["delivered"]
            console.print(f"generated {clicks:,} clickstream records; ingesting into {STAGE} ...")
            started = time.monotonic()
            st.worker({"kind": "ingest", "namespace": STAGE}, "ingest-stage")
            console.print(f"  ingested in {time.monotonic() - started:.0f} s")
        elif not args.held:
            drop_gold(st)
        hi: str | None = None
        held_from = target
        for case in cases:
            first = target - dt.timedelta(days=case - 1)
            lo = dt.datetime.combine(first, dt.time(), dt.UTC) - MARGIN
            console.print(f"{case} days: bronze gets [{lo:%Y-%m-%d %H:%M}, {hi or 'end'}) ...")
            spec = {
                "kind": "copy",
                "lo": lo.isoformat(),
                "hi": hi,
                "reset": args.skip_load and hi is None,
            }
            if args.held:
                console.print(f"{case} days: held already (--held), no copy, no silver build")
                bronze = {}
            else:
                bronze = st.worker(spec, f"copy-{case}").result
            hi = lo.isoformat()
            started = time.monotonic()
            stop = held_from + dt.timedelta(days=1) if first == target else held_from
            if args.held:
                stop = first
            while stop > first:
                begin = max(first, stop - dt.timedelta(days=HISTORY_CHUNK_DAYS))
                console.print(f"  silver: building {begin}..{stop - dt.timedelta(days=1)} ...")
                spec = {"kind": "build", "start": begin.isoformat(), "end": stop.isoformat()}
                st.worker(spec, f"silver-{case}-{begin}")
                stop = begin
            silver_s = time.monotonic() - started
            held_from = first
            full_samples = args.full_samples if case == cases[-1] else 1
            discarded: list[DbtRun] = []
            full = []
            for i in range(full_samples):
                console.print(f"  full dbt build, {case} days, sample {i + 1} of {full_samples}")
                full.append(sample(st, console, ["build"], f"full-{case}-{i + 1}", discarded))
            sums_full = fact_sums(st, target)
            day = []
            for i in range(args.samples):
                console.print(f"  dbt build of {target}, {case} days, sample {i + 1}")
                day.append(
                    sample(
                        st, console, ["build", "--vars", day_vars], f"day-{case}-{i + 1}", discarded
                    )
                )
            sums_after = fact_sums(st, target)
            out.append(
                Case(
                    case,
                    held(st),
                    bronze,
                    full,
                    day,
                    sums_full,
                    sums_after,
                    fact_files(st),
                    silver_s,
                    discarded,
                )
            )
        console.print(f"dashboard queries, {args.repetitions} repetitions each ...")
        queries = time_queries(st, console, target, args.repetitions)
    return out, queries, trino_line


# -- figures ---------------------------------------------------------------------------


def cell(values: Sequence[float]) -> str:
    median, rng = spread(values)
    return f"{median} ({rng})" if rng else median


def figures(cases: list[Case], queries: list[QueryTimes], target: dt.date) -> list[str]:
    last = cases[-1]
    out = [
        f"\none day, {target}: rows of day T per fact "
        + ", ".join(f"{f} {last.sums_full[f][2]:,}" for f in FACTS)
        + "\n",
        "| days held | silver clickstream rows | gold fact rows | full `dbt build` | "
        "one day's `dbt build --vars` (median (range)) | … parse | … dbt's run | "
        + " | ".join(f"… {k} (node s)" for k in KINDS)
        + " | Trino CPU | others' CPU |",
        "|---|---|---|---|---|---|---|" + "---|" * len(KINDS) + "---|---|",
    ]
    for c in cases:
        facts = sum(c.held[f"gold.{f}"] for f in FACTS)
        kinds = [c_.by_kind() for c_ in c.day]
        out.append(
            f"| {c.days} | {c.held['silver.clickstream_events']:,} | {facts:,} | "
            f"{cell([r.wall_s for r in c.full])} | {cell([r.wall_s for r in c.day])} | "
            f"{cell([r.parse_s for r in c.day])} | {cell([r.run_s for r in c.day])} | "
            + " | ".join(cell([k.get(kind, 0.0) for k in kinds]) for kind in KINDS)
            + f" | {cell([r.trino_cpu_s for r in c.day])}"
            + f" | {cell([r.others_cpu_s for r in c.day])} |"
        )
    out.append(
        "\n(node s: the nodes' own execution times from run_results.json, summed; dbt runs "
        "two threads, so they overlap and add up past the wall.)\n"
    )
    # The models whose time grows with history: one day's build, per model, per case.
    models = sorted(
        {uid for c in cases for r in c.day for uid in r.nodes if uid.startswith("model.")},
        key=lambda uid: -statistics.median(r.nodes.get(uid, ("", 0.0))[1] for r in last.day),
    )
    out.append("one day's build, slowest models (median seconds per sample):\n")
    out.append("| model | " + " | ".join(days_held(c.days) for c in cases) + " |")
    out.append("|---|" + "---|" * len(cases))
    for uid in models[:12]:
        cells = [
            f"{statistics.median(r.nodes.get(uid, ('', 0.0))[1] for r in c.day):.1f}" for c in cases
        ]
        out.append(f"| {uid.split('.', 2)[-1]} | " + " | ".join(cells) + " |")
    slow = sorted(last.full[0].nodes.items(), key=lambda kv: -kv[1][1])[:8]
    out.append(
        f"\nfull build at {last.days} days, slowest nodes (first sample): "
        + ", ".join(f"{uid.split('.', 2)[-1]} {s:.1f} s" for uid, (_, s) in slow)
    )
    full = last.full
    out.append(
        f"\nfull `dbt build` at {last.days} days ({last.held['silver.clickstream_events']:,} "
        f"silver clickstream events): wall {cell([r.wall_s for r in full])}, parse "
        f"{cell([r.parse_s for r in full])}, dbt's run {cell([r.run_s for r in full])}, "
        f"Trino CPU {cell([r.trino_cpu_s for r in full])}, "
        f"others' CPU {cell([r.others_cpu_s for r in full])}; by kind (node s): "
        + ", ".join(f"{k} {cell([r.by_kind().get(k, 0.0) for r in full])}" for k in KINDS)
    )
    out.append(
        "\nIceberg files of the facts after the day's rebuilds (data / delete files, "
        "partitions, snapshots):"
    )
    for c in cases:
        out.append(
            f"- {days_held(c.days)}: "
            + "; ".join(
                f"{f} {v['data']} / {v['deletes']}, {v['partitions']} p, {v['snapshots']} s"
                for f, v in c.files.items()
            )
        )
    for c in cases:
        changed = [f for f in FACTS if c.sums_full[f] != c.sums_after[f]]
        if changed:
            out.append(
                f"- {days_held(c.days)}: the day's rebuilds CHANGED "
                + "; ".join(f"{f}: {_s(c.sums_full[f])} -> {_s(c.sums_after[f])}" for f in changed)
            )
        else:
            out.append(
                f"- {days_held(c.days)}: every fact's rows and sums, whole and day T, the same "
                "after the day's rebuilds as after the full build"
            )
        loads = ", ".join(
            f"{r.label} {r.load:.1f} / {r.others_cpu_s:.0f} s" for r in [*c.full, *c.day]
        )
        out.append(f"  - 1-minute load at each run's start / others' CPU during it: {loads}")
        if c.discarded:
            dropped = ", ".join(
                f"{r.label} {r.wall_s:.1f} s (others {r.others_cpu_s:.0f} s)" for r in c.discarded
            )
            out.append(f"  - run again, other work on the cores: {dropped}")
        for r in [*c.full, *c.day]:
            if r.exit_code or r.problems:
                out.append(f"  - {r.label}: exit {r.exit_code}; " + "; ".join(r.problems))
    runs = [r for c in cases for r in [*c.full, *c.day]]
    if len({r.code for r in runs}) > 1:
        changed = "; ".join(f"{r.label}: {r.code}" for r in runs)
        out.append(f"- the dbt project CHANGED between runs: {changed}")
    out.append(
        f"\ndashboard queries through Trino at {last.days} days, "
        f"{len(queries[0].walls)} repetitions each after one warm-up:\n"
    )
    out.append(
        "| query (mart) | rows | median | p95 | max | Trino elapsed, median | "
        "rows read | target p95 |"
    )
    out.append("|---|---|---|---|---|---|---|---|")
    for q in queries:
        out.append(
            f"| {q.name} | {q.rows} | {statistics.median(q.walls) * 1000:.0f} ms | "
            f"{p95(q.walls) * 1000:.0f} ms | {max(q.walls) * 1000:.0f} ms | "
            f"{statistics.median(q.server_ms):.0f} ms | {q.processed_rows:,} | ≤ 1 s |"
        )
    return out


def days_held(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _s(row: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(v) if isinstance(v, Decimal) else f"{v}" for v in row) + ")"


def code_version() -> str:
    """The dbt project's tree at HEAD, and its files that differ from it (a hash of the
    difference): two runs with the same text ran the same dbt code."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=PROJECT_ROOT, capture_output=True, text=True)
        return done.stdout

    tree = git("rev-parse", "--short", "HEAD:dbt_project").strip()
    changed = [line[3:] for line in git("status", "--short", "--", *GOLD_CODE).splitlines()]
    if not changed:
        return f"dbt_project tree {tree}, as committed"
    diff = git("diff", "HEAD", "--", *GOLD_CODE).encode()
    for path in sorted(p for p in changed if not git("ls-files", "--", p).strip()):
        target = PROJECT_ROOT / path  # untracked: a new file or folder
        files = sorted(f for f in target.rglob("*") if f.is_file()) if target.is_dir() else [target]
        diff += b"".join(f.read_bytes() for f in files)
    digest = hashlib.sha1(diff).hexdigest()[:10]
    return f"dbt_project tree {tree} + uncommitted {', '.join(changed)} (diff sha1 {digest})"


def git_head() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    return done.stdout.strip()


def machine() -> str:
    return (
        f"machine: {cpu_model()}, {os.cpu_count()} cores, "
        f"{meminfo_gib('MemTotal'):.0f} GiB RAM, kernel {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--events",
        type=int,
        default=10_000_000,
        help="clickstream events over --days (default 10,000,000)",
    )
    parser.add_argument(
        "--days", type=int, default=None, help="days generated (default: the largest case)"
    )
    parser.add_argument(
        "--cases",
        type=_cases,
        default=[1, 7, 30],
        help="days held, comma-separated (default 1,7,30)",
    )
    parser.add_argument(
        "--samples", type=int, default=3, help="one day's builds per case (default 3)"
    )
    parser.add_argument(
        "--full-samples",
        type=int,
        default=3,
        help="full builds at the last case (default 3; one at the others)",
    )
    parser.add_argument(
        "--repetitions",
        type=int,
        default=30,
        help="timed runs of each dashboard query (default 30)",
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--partitions", type=int, default=3, help="Kafka partitions per topic")
    parser.add_argument(
        "--driver-memory",
        default="4g",
        help="Spark driver memory of the (untimed) silver work (default 4g)",
    )
    parser.add_argument("--trino-heap", help="the stack's Trino heap (default: the settings', 1G)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="the stack's data under this folder (default: a temporary one)",
    )
    parser.add_argument(
        "--keep-stack",
        action="store_true",
        help="leave the stack and its data (again: --data-dir, --skip-load)",
    )
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help="the --data-dir stack holds the staged data: no generation",
    )
    parser.add_argument(
        "--max-load",
        type=float,
        default=0.0,
        help="before each timed run, wait (at most 15 min) for the 1-minute load average to "
        "fall to this (default 0: no wait); the machine is shared",
    )
    parser.add_argument(
        "--max-others-share",
        type=float,
        default=0.0,
        help="run a dbt sample again (up to 3 times) when other processes used more CPU "
        "than this share of its wall time, e.g. 0.25 (default 0: keep every sample)",
    )
    parser.add_argument(
        "--held",
        action="store_true",
        help="with --skip-load and one case: silver and gold already hold it (a kept stack "
        "after a run); measure it again without copying bronze or building silver",
    )
    args = parser.parse_args()
    if args.held and (not args.skip_load or len(args.cases) != 1):
        parser.error("--held needs --skip-load and a single case")
    if args.skip_load and args.data_dir is None:
        parser.error("--skip-load needs --data-dir (a stack kept with --keep-stack)")
    if args.days is not None and args.days != max(args.cases):
        parser.error("--days is the largest case (the history is the generated days)")
    MAX_LOAD[0] = args.max_load
    MAX_OTHERS_SHARE[0] = args.max_others_share
    if args.trino_heap:
        os.environ["LAKEHOUSE_TRINO_HEAP"] = args.trino_heap
    console = Console(stderr=True, soft_wrap=True)
    command = shlex.join(["uv", "run", "python", "benchmarks/gold_benchmark.py", *sys.argv[1:]])
    started = time.monotonic()
    head = [
        f"command: {command}",
        f"date: {dt.date.today()}; {machine()}; at start {HostState.now().describe()}",
        f"code: commit {git_head()}, {code_version()}",
    ]
    cases, queries, trino_line = run(args, console)
    target = START + dt.timedelta(days=max(args.cases) - 1)
    head.append(
        f"{trino_line}; {args.events // max(args.cases):,} clickstream events a day "
        f"generated; whole benchmark {(time.monotonic() - started) / 60:.0f} min"
    )
    print("\n".join([*head, *figures(cases, queries, target)]))


if __name__ == "__main__":
    main()
