"""The run whose JVM writes the Spark class archive (see spark_class_archive).

Started as a child process with the Spark configuration on stdin, the archive's path in
its JVM options. It loads the classes a bronze run loads: the files backfill writes a
small generated landing set into Iceberg tables (parse, dead letters, Parquet, commits),
a streaming query runs one availableNow batch, and a Kafka stream is planned. The
catalog is swapped for a Hadoop catalog in a scratch folder, so no stack is needed and
nothing of the user's is touched. The JVM writes the archive when it exits, so this
process waits for that before it returns.

    python -m ecommerce_assets.stack.spark_class_training < conf.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pyspark import SparkContext
from pyspark.sql import DataFrame, SparkSession

from data_generators import generate_to_files, make_params
from streaming.bronze import BronzeConfig, ingest_files
from streaming.contracts.naming import DEAD_LETTERS_TABLE, bronze_table

#: The JVM writes ~200 MB after the session stops; generous for a slow disk.
JVM_EXIT_TIMEOUT_S = 300


def throwaway_catalog(conf: Mapping[str, str], warehouse: Path) -> dict[str, str]:
    """``conf`` with its default catalog replaced by a Hadoop catalog at ``warehouse``."""
    catalog = conf.get("spark.sql.defaultCatalog", "lakehouse")
    prefix = f"spark.sql.catalog.{catalog}"
    kept = {k: v for k, v in conf.items() if not k.startswith(prefix + ".")}
    kept[prefix] = "org.apache.iceberg.spark.SparkCatalog"
    kept[f"{prefix}.type"] = "hadoop"
    kept[f"{prefix}.warehouse"] = warehouse.as_uri()
    kept["spark.sql.defaultCatalog"] = catalog
    return kept


def workload(spark: SparkSession, scratch: Path) -> None:
    """What a bronze run does, at a few hundred records."""
    params = make_params(
        seed=1, customers=50, products=20, days=2, events_per_day=200,
        trouble={"duplicate_share": 0.02, "malformed_share": 0.02},
    )  # fmt: skip
    landing = scratch / "landing"
    generate_to_files(params, landing)
    topics = params.topics.streams()
    config = BronzeConfig(
        bootstrap_servers="127.0.0.1:9",
        streams={topic: bronze_table(stream) for stream, topic in topics.items()},
        dead_letter_table=DEAD_LETTERS_TABLE,
        checkpoint_root=(scratch / "checkpoints").as_uri(),
    )
    ingest_files(spark, config, [str(landing)])

    def count(batch: DataFrame, _batch_id: int) -> None:
        batch.groupBy("value").count().collect()

    stream = spark.readStream.format("text").load(str(landing / "*" / "*.jsonl"))
    query = (
        stream.writeStream.foreachBatch(count)
        .option("checkpointLocation", str(scratch / "checkpoints" / "text"))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    # Planned, not started: the Kafka source's classes, without a broker.
    kafka = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", config.bootstrap_servers)
        .option("subscribe", ",".join(topics.values()))
        .load()
    )
    kafka.selectExpr("CAST(value AS STRING)").schema  # noqa: B018


def main() -> None:
    conf = json.loads(sys.stdin.read())
    with tempfile.TemporaryDirectory(prefix="spark-class-training-") as folder:
        scratch = Path(folder)
        builder = SparkSession.builder
        for key, value in throwaway_catalog(conf, scratch / "warehouse").items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        workload(spark, scratch)
        gateway = SparkContext._gateway
        spark.stop()
        # The JVM exits when its stdin closes, and writes the archive as it exits.
        process = gateway.proc  # type: ignore[union-attr]
        gateway.shutdown()  # type: ignore[union-attr]
        process.stdin.close()
        process.wait(timeout=JVM_EXIT_TIMEOUT_S)


if __name__ == "__main__":
    main()
