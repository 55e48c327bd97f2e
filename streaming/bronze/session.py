"""Spark settings the bronze jobs run with, applied around a job and then restored.

A streaming query clones the session's SQL settings when it starts, so setting them
just for the start (and for batch jobs, for the call) leaves the caller's shared
session as it was.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from pyspark.sql import SparkSession

JOB_CONF: Mapping[str, str] = {
    # Event days and zone-less timestamps are UTC whatever the caller's session says.
    "spark.sql.session.timeZone": "UTC",
    # Batches are written without a shuffle; the only ones left sort a table's snapshot
    # history (a few rows): more partitions would just be more empty tasks.
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.adaptive.enabled": "false",
    # No empty micro-batches in continuous mode: each would be a pointless table read.
    "spark.sql.streaming.noDataMicroBatches.enabled": "false",
}


@contextmanager
def job_conf(spark: SparkSession) -> Iterator[None]:
    previous = {key: spark.conf.get(key, None) for key in JOB_CONF}
    for key, value in JOB_CONF.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)
