"""The Spark session scripts, the CLI and the tests get on the local profile."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from ecommerce_assets.settings import LakehouseSettings

pytestmark = pytest.mark.integration


def test_the_local_session_starts_from_the_class_archive(
    lakehouse_stack: LakehouseSettings, spark: SparkSession
) -> None:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    runtime = jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()
    arguments = list(runtime.getInputArguments())
    archives = [a.split("=", 1)[1] for a in arguments if a.startswith("-XX:SharedArchiveFile=")]
    assert len(archives) == 1, arguments
    archive = Path(archives[0])
    assert archive.parent == lakehouse_stack.cache_dir / "spark-class-archive"
    # Mapped, not merely named: a JVM that cannot use the archive (another class path,
    # a changed jar) warns and goes on with the JDK's own ~12 MB archive alone.
    jcmd = Path(jvm.System.getProperty("java.home")) / "bin" / "jcmd"
    info = subprocess.run(
        [str(jcmd), str(jvm.java.lang.ProcessHandle.current().pid()), "VM.info"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    mapped = re.search(r"CDS archive\(s\) mapped at: .*?size (\d+)", info)
    assert mapped is not None, info[:2000]
    assert int(mapped.group(1)) > 100 * 2**20
