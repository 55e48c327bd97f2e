"""Scratch space of local Spark sessions: one folder per process, under the data folder.

Spark puts its temporary files (``spark-*`` with the session's copies of the jars,
``blockmgr-*`` with shuffle and spill files) under ``spark.local.dir``, /tmp by default,
and removes them at a clean JVM exit only. A killed run leaves them (~116 MB each).
So each session gets ``<data dir>/spark-scratch/<pid>-<start>``, and every new session
first removes the folders of processes that no longer exist.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ecommerce_assets.stack.process import process_start_time


def _owner_alive(folder: Path) -> bool:
    pid, _, started = folder.name.partition("-")
    try:
        start = process_start_time(int(pid))
        return start is not None and round(start) == int(started)
    except ValueError:
        return True  # not one of ours: leave it alone


def prune_scratch(root: Path) -> list[Path]:
    """Remove the scratch folders whose process is gone; the folders removed."""
    removed = []
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir() and not _owner_alive(folder):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def session_scratch_dir(root: Path) -> Path:
    """This process's scratch folder (created), after pruning what dead sessions left."""
    prune_scratch(root)
    pid = os.getpid()
    start = process_start_time(pid)
    assert start is not None, "the current process has a start time"
    folder = root / f"{pid}-{round(start)}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
