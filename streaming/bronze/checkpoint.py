"""Read Spark's streaming checkpoint: which Kafka offsets are committed.

Layout (Spark 3/4)::

    <checkpoint>/offsets/<n>   "v1", a metadata JSON line, then one line per source:
                               {"<topic>":{"<partition>":<next offset>, ...}}
    <checkpoint>/commits/<n>   exists once batch n is committed (its sink writes done)
    <checkpoint>/sources/0/0   a NUL byte, "v1", then the offsets the query started from

The committed position is offsets/<n> of the highest n that also has commits/<n>; an
offsets file without a commit is a batch that was planned and may be replayed. Plain
Python reads local (``file:``) checkpoints without a Spark session, so a sensor can
poll cheaply; other file systems (s3a://, ...) go through Spark's Hadoop FileSystem.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from pyspark.sql import SparkSession

Offsets = dict[str, dict[int, int]]


class _Reader(Protocol):
    def list_names(self, folder: str) -> list[str]: ...
    def read_text(self, path: str) -> str: ...


def local_path(location: str) -> Path | None:
    """The local path of a ``file:`` URI or plain path; None for other schemes."""
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "" or (len(parsed.scheme) == 1 and location[1:3] in (":\\", ":/")):
        return Path(location)
    return None


class _LocalReader:
    def __init__(self, root: Path) -> None:
        self.root = root

    def list_names(self, folder: str) -> list[str]:
        path = self.root / folder
        return [p.name for p in path.iterdir()] if path.is_dir() else []

    def read_text(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8")


class _HadoopReader:
    def __init__(self, spark: SparkSession, root: str) -> None:
        jvm = spark.sparkContext._jvm
        assert jvm is not None
        self._jvm = jvm
        self._root = jvm.org.apache.hadoop.fs.Path(root)
        self._fs = self._root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())

    def _path(self, relative: str):  # type: ignore[no-untyped-def]
        return self._jvm.org.apache.hadoop.fs.Path(self._root, relative)

    def list_names(self, folder: str) -> list[str]:
        path = self._path(folder)
        if not self._fs.exists(path):
            return []
        return [status.getPath().getName() for status in self._fs.listStatus(path)]

    def read_text(self, path: str) -> str:
        stream = self._fs.open(self._path(path))
        try:
            data = self._jvm.org.apache.commons.io.IOUtils.toByteArray(stream)
        finally:
            stream.close()
        return bytes(data).decode("utf-8")


def _batch_ids(names: list[str]) -> set[int]:
    # Spark writes through temporary and .crc files; batch files are bare integers.
    return {int(name) for name in names if name.isdigit()}


def parse_offsets_file(text: str) -> Offsets:
    """The source offsets recorded in one offsets/<n> file."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("v"):
        raise ValueError(f"not a Spark offsets file (first line {lines[:1]!r})")
    return _source_offsets(lines[2:])


def _source_offsets(lines: list[str]) -> Offsets:
    """One JSON line per source, {"<topic>": {"<partition>": offset}}, merged."""
    offsets: Offsets = {}
    for line in lines:
        line = line.strip()
        if not line or line == "-":  # "-": a source with no offset yet
            continue
        for topic, partitions in json.loads(line).items():
            merged = offsets.setdefault(topic, {})
            merged.update({int(p): int(o) for p, o in partitions.items()})
    return offsets


def _reader(spark: SparkSession | None, checkpoint_location: str) -> _Reader:
    root = local_path(checkpoint_location)
    if root is not None:
        return _LocalReader(root)
    if spark is not None:
        return _HadoopReader(spark, checkpoint_location)
    raise ValueError(
        f"reading {checkpoint_location!r} needs a Spark session (only file: checkpoints "
        "are read without one)"
    )


def has_pending_batch(spark: SparkSession | None, checkpoint_location: str) -> bool:
    """Whether the checkpoint holds a planned batch that was never committed."""
    reader = _reader(spark, checkpoint_location)
    planned = _batch_ids(reader.list_names("offsets"))
    return bool(planned) and max(planned) not in _batch_ids(reader.list_names("commits"))


def committed_offsets(spark: SparkSession | None, checkpoint_location: str) -> Offsets:
    """Topic -> partition -> next offset to read, as of the latest committed batch.

    ``{}`` when the checkpoint does not exist or has no committed batch yet.
    """
    reader = _reader(spark, checkpoint_location)
    committed = _batch_ids(reader.list_names("commits")) & _batch_ids(reader.list_names("offsets"))
    if not committed:
        return {}
    return parse_offsets_file(reader.read_text(f"offsets/{max(committed)}"))


def planned_offsets(spark: SparkSession | None, checkpoint_location: str, batch_id: int) -> Offsets:
    """The end offsets of batch ``batch_id``: Spark logs them before the batch runs."""
    return parse_offsets_file(_reader(spark, checkpoint_location).read_text(f"offsets/{batch_id}"))


def planned_start(spark: SparkSession | None, checkpoint_location: str, batch_id: int) -> Offsets:
    """Where batch ``batch_id`` starts: the previous batch's end, or the query's start."""
    if batch_id == 0:
        return initial_offsets(spark, checkpoint_location)
    return planned_offsets(spark, checkpoint_location, batch_id - 1)


def initial_offsets(spark: SparkSession | None, checkpoint_location: str) -> Offsets:
    """Topic -> partition -> the offset the query's first batch started at ({} if none)."""
    reader = _reader(spark, checkpoint_location)
    if "0" not in reader.list_names("sources/0"):
        return {}
    lines = reader.read_text("sources/0/0").lstrip("\x00").splitlines()
    if not lines or not lines[0].startswith("v"):
        raise ValueError(f"not a Spark source offsets file (first line {lines[:1]!r})")
    return _source_offsets(lines[1:])
