"""Per-process Spark scratch folders: a dead process's folder goes, a live one's stays."""

import os
import subprocess
import sys
from pathlib import Path

from ecommerce_assets.stack.process import process_start_time
from ecommerce_assets.stack.spark_scratch import prune_scratch, session_scratch_dir


def test_a_session_prunes_what_dead_sessions_left(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = process_start_time(child.pid)
        assert started is not None
        live = tmp_path / f"{child.pid}-{round(started)}"
        dead = tmp_path / f"{child.pid}-{round(started) - 1000}"  # same pid, earlier process
        gone = tmp_path / "999999999-1"
        foreign = tmp_path / "not-ours"
        for folder in (live, dead, gone, foreign):
            (folder / "spark-123").mkdir(parents=True)

        mine = session_scratch_dir(tmp_path)

        assert mine.name.startswith(f"{os.getpid()}-") and mine.is_dir()
        assert live.exists() and foreign.exists()
        assert not dead.exists() and not gone.exists()
    finally:
        child.kill()
        child.wait()
    assert prune_scratch(tmp_path) == [live]


def test_a_zombie_or_missing_process_has_no_start_time() -> None:
    assert process_start_time(999_999_999) is None
    assert process_start_time(os.getpid()) is not None
