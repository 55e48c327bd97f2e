"""Historical backfill: the generator's landing files -> bronze, once per file.

Files follow the generator's layout, ``<root>/<topic>/date=YYYY-MM-DD/part-*.parquet``
(columns key, value, timestamp) or ``part-*.jsonl`` (one envelope per line). Each row is
treated like a Kafka record of ``<topic>`` and goes through the same parser and
dead-letter rules. Its coordinates:

* ``source_file`` - the file's absolute local path
* ``kafka_partition`` - null (a file has no partition)
* ``kafka_offset`` - the row's 0-based index in the file (Parquet row / JSONL line)
* ``kafka_key`` / ``kafka_timestamp`` - the Parquet ``key`` / ``timestamp``; null for JSONL

so (source_file, kafka_offset) identifies a row. A folder stands for the part files
under it; where a ``.parquet`` and a ``.jsonl`` of the same name sit side by side (the
generator writes both by default) only the Parquet one is taken.

Once per file: every append lists in its snapshot summary (``lakehouse.files``) the
files it holds, by path, size and SHA-256; a file whose SHA-256 a table already lists
adds nothing to that table. Both tables get an append per call, even an empty one, so
a file with no dead letters is still recorded as done in the dead-letter table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial, reduce
from pathlib import Path

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from streaming.bronze.checkpoint import local_path
from streaming.bronze.config import BronzeConfig, StreamReport
from streaming.bronze.dead_letters import no_dead_letters, write_split
from streaming.bronze.parse import RECORD_COLUMNS, parse_records
from streaming.bronze.session import job_conf
from streaming.bronze.sink import (
    PROP_FILES,
    PROP_STREAM,
    AppendResult,
    append_observed,
    fail_at,
    stream_summaries,
)
from streaming.bronze.tables import ensure_bronze_tables

FORMATS = {".parquet": "parquet", ".jsonl": "jsonl"}


@dataclass(frozen=True)
class LandingFile:
    path: Path
    topic: str
    size: int
    sha256: str

    @property
    def format(self) -> str:
        return FORMATS[self.path.suffix]

    def describe(self) -> dict[str, object]:
        return {"path": str(self.path), "size": self.size, "sha256": self.sha256}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _topic_of(path: Path) -> str:
    folder = path.parent
    if folder.name.startswith("date="):
        folder = folder.parent
    return folder.name


def discover(paths: Iterable[str]) -> list[LandingFile]:
    """The landing files ``paths`` name (files, or folders searched recursively)."""
    found: dict[Path, None] = {}
    for given in paths:
        path = local_path(given)
        if path is None:
            raise ValueError(f"ingest_files reads local files only (got {given!r})")
        path = path.resolve()
        if path.is_dir():
            parts = sorted(p for p in path.rglob("*") if p.suffix in FORMATS and p.is_file())
            present = set(parts)
            for part in parts:
                if part.suffix == ".jsonl" and part.with_suffix(".parquet") in present:
                    continue
                found[part] = None
        elif path.is_file():
            if path.suffix not in FORMATS:
                raise ValueError(f"not a .parquet or .jsonl landing file: {path}")
            found[path] = None
        else:
            raise FileNotFoundError(f"no such landing file or folder: {given}")
    return [
        LandingFile(path, _topic_of(path), path.stat().st_size, _sha256(path)) for path in found
    ]


def _ingested(spark: SparkSession, table: str, stream: str) -> set[str]:
    done: set[str] = set()
    for summary in stream_summaries(spark, table, stream):
        done.update(item["sha256"] for item in json.loads(summary.get(PROP_FILES, "[]")))
    return done


def _parquet_records(spark: SparkSession, landing: LandingFile) -> DataFrame:
    return spark.read.parquet(f"file://{landing.path}").select(
        F.col("value").cast("binary").alias("value"),
        F.lit(landing.topic).alias("kafka_topic"),
        F.lit(None).cast("int").alias("kafka_partition"),
        F.col("_metadata.row_index").alias("kafka_offset"),
        F.col("key").cast("string").alias("kafka_key"),
        F.col("timestamp").cast("timestamp").alias("kafka_timestamp"),
        F.lit(str(landing.path)).alias("source_file"),
    )


def jsonl_lines(data: bytes) -> pa.BinaryArray:
    """The lines of a JSONL file as exact bytes (without the newline), vectorised.

    Dropping the newline bytes leaves the lines back to back, so one offsets buffer
    over the remaining bytes is the whole array: no Python object per line.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    newline = raw == ord("\n")
    ends = np.flatnonzero(newline)
    if len(raw) and not newline[-1]:
        ends = np.append(ends, len(raw))  # a last line without its newline
    if len(raw) - len(ends) >= 2**31:
        raise ValueError("a JSONL file over 2 GiB is not supported; split it")
    # Line i ends at ends[i] in the file, i.e. at ends[i] - i once i newlines are gone.
    offsets = np.r_[0, ends - np.arange(len(ends))].astype(np.int32)
    body = raw[~newline]
    return pa.BinaryArray.from_buffers(
        pa.binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(body)]
    )


def _jsonl_records(spark: SparkSession, landing: LandingFile) -> DataFrame:
    # Spark's text source has no row index, so lines are cut in numpy and handed to
    # Spark as one Arrow table (line number = offset).
    lines = jsonl_lines(landing.path.read_bytes())
    table = pa.table({"value": lines, "kafka_offset": pa.array(np.arange(len(lines)), pa.int64())})
    return spark.createDataFrame(table).select(
        "value",
        F.lit(landing.topic).alias("kafka_topic"),
        F.lit(None).cast("int").alias("kafka_partition"),
        "kafka_offset",
        F.lit(None).cast("string").alias("kafka_key"),
        F.lit(None).cast("timestamp").alias("kafka_timestamp"),
        F.lit(str(landing.path)).alias("source_file"),
    )


def _records(spark: SparkSession, files: list[LandingFile]) -> DataFrame:
    reads = [
        _parquet_records(spark, f) if f.format == "parquet" else _jsonl_records(spark, f)
        for f in files
    ]
    return reduce(DataFrame.unionByName, reads).select(*RECORD_COLUMNS)


def _append_files(
    rows: DataFrame, table: str, stream: str, files: list[LandingFile], *, event_days: bool
) -> AppendResult:
    chosen = [str(f.path) for f in files]
    return append_observed(
        rows.where(F.col("source_file").isin(chosen)),
        table,
        {PROP_STREAM: stream, PROP_FILES: json.dumps([f.describe() for f in files])},
        event_days=event_days,
    )


def _ingest_topic(
    spark: SparkSession, config: BronzeConfig, topic: str, files: list[LandingFile]
) -> StreamReport:
    started = time.perf_counter()
    table, dead_table = config.table_for(topic), config.dead_letter_table
    stream = f"files:{topic}"
    done_bronze = _ingested(spark, table, stream)
    done_dead = _ingested(spark, dead_table, stream)
    to_bronze = [f for f in files if f.sha256 not in done_bronze]
    to_dead = [f for f in files if f.sha256 not in done_dead]
    todo = {f.path: f for f in [*to_bronze, *to_dead]}
    written = dead = AppendResult(0)
    if todo:
        fail_at("before_write", config.fail_point)
        # One pass, as for Kafka (see streaming.bronze.dead_letters).
        parsed = parse_records(_records(spark, list(todo.values())))
        write_bronze = (
            partial(_append_files, table=table, stream=stream, files=to_bronze, event_days=True)
            if to_bronze
            else None
        )
        written, dead_rows = write_split(parsed, write_bronze, dt.datetime.now(dt.UTC))
        fail_at("after_bronze_write", config.fail_point)
        if to_dead:
            # Even with no dead letters: the append records the files as done.
            dead = _append_files(
                no_dead_letters(spark) if dead_rows is None else dead_rows,
                dead_table, stream, to_dead, event_days=False,
            )  # fmt: skip
        fail_at("after_all_writes", config.fail_point)
    return StreamReport(
        topic=topic,
        table=table,
        batches=1 if todo else 0,
        rows_written=written.rows,
        dead_letters=dead.rows,
        start_offsets={},
        end_offsets={},
        touched_days=sorted(written.days),
        duration_s=time.perf_counter() - started,
    )


def ingest_files(
    spark: SparkSession, config: BronzeConfig, paths: Iterable[str]
) -> list[StreamReport]:
    """Ingest landing files (or folders of them) into bronze; one report per topic.

    Files already ingested add nothing. Kafka offsets in the reports are empty: rows are
    identified by (source_file, kafka_offset = row index) instead.
    """
    files = discover(paths)
    by_topic: dict[str, list[LandingFile]] = {}
    for landing in files:
        config.table_for(landing.topic)  # unknown topic: fail before writing anything
        by_topic.setdefault(landing.topic, []).append(landing)
    ensure_bronze_tables(spark, config, by_topic)
    with job_conf(spark):
        return [_ingest_topic(spark, config, topic, group) for topic, group in by_topic.items()]
