"""Bronze: Kafka topics and landing files -> Iceberg tables, exactly once.

Plain PySpark (no Dagster). Module map:

* ``config`` - BronzeConfig, StreamReport (table names: streaming.contracts.naming)
* ``schemas`` / ``tables`` - table layouts, envelope schemas, CREATE TABLE
* ``parse`` - records -> bronze rows or dead letters (the Java envelope parser, decision 0010)
* ``sink`` - exactly-once Iceberg appends (snapshot properties, high-water marks)
* ``checkpoint`` - committed Kafka offsets from a Spark checkpoint, Spark-free for file:
* ``session`` - the Spark SQL settings the jobs run with
* ``kafka_job`` - availableNow and continuous queries, one per topic
* ``files_job`` - backfill from the generator's Parquet/JSONL files, once per file
"""

from streaming.bronze.checkpoint import committed_offsets
from streaming.bronze.config import (
    FAIL_POINTS,
    BronzeConfig,
    InjectedFailure,
    StreamReport,
)
from streaming.bronze.files_job import ingest_files
from streaming.bronze.kafka_job import run_available_now, start_continuous
from streaming.bronze.tables import ensure_bronze_tables

__all__ = [
    "FAIL_POINTS",
    "BronzeConfig",
    "InjectedFailure",
    "StreamReport",
    "committed_offsets",
    "ensure_bronze_tables",
    "ingest_files",
    "run_available_now",
    "start_continuous",
]
