"""How the Kafka job sizes a micro-batch's Spark tasks."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import SparkSession

from streaming.bronze import BronzeConfig
from streaming.bronze.kafka_job import KafkaBatchProcessor, records_per_task

TOPIC = "shop.orders"


def _offsets_file(folder: Path, name: str, partitions: dict[int, int], header: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = ",".join(f'"{p}":{o}' for p, o in partitions.items())
    (folder / name).write_text(f'{header}{{"{TOPIC}":{{{body}}}}}')


def test_only_a_batch_that_fits_one_task_is_read_by_one(
    local_spark: SparkSession, tmp_path: Path
) -> None:
    config = BronzeConfig(
        "127.0.0.1:9092", {TOPIC: "bronze.orders"}, "bronze.dead_letters",
        tmp_path.as_uri(), max_offsets_per_trigger=300,
    )  # fmt: skip
    # local[1]: three tasks per core cut a full batch of 300 into tasks of 100.
    assert records_per_task(local_spark, config) == 100
    root = Path(config.checkpoint_for(TOPIC).removeprefix("file://"))
    _offsets_file(root / "sources" / "0", "0", {0: 0, 1: 0}, "\x00v1\n")
    log = 'v1\n{"batchWatermarkMs":0,"batchTimestampMs":0,"conf":{}}\n'
    _offsets_file(root / "offsets", "0", {0: 60, 1: 40}, log)
    _offsets_file(root / "offsets", "1", {0: 60, 1: 141}, log)
    _offsets_file(root / "offsets", "2", {0: 61, 1: 141, 2: 1}, log)
    processor = KafkaBatchProcessor(config, TOPIC)
    assert processor._fits_one_task(local_spark, 0, {0: 60, 1: 40})  # 100 records
    assert not processor._fits_one_task(local_spark, 1, {0: 60, 1: 141})  # 101
    # A partition the previous batch did not have: its size is unknown.
    assert not processor._fits_one_task(local_spark, 2, {0: 61, 1: 141, 2: 1})
