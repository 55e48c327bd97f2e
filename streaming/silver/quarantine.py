"""``silver.quarantine``: events that broke a rule, with the rule and the raw record.

One row per quarantined event (duplicates of it are counted as duplicates, not here):
which bronze table and silver table it was meant for, its envelope, the first rule it
broke (``rule``) and all of them (``failed_rules``), and the record as it arrived with
its Kafka coordinates, so it can be inspected, fixed upstream and replayed.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming.contracts.naming import bronze_table
from streaming.silver.columns import ENVELOPE_COLUMNS, Column
from streaming.silver.events import FAILED_RULES, quarantined
from streaming.silver.table import SilverTable

TABLE = SilverTable(
    name="quarantine",
    description=(
        "Events that broke a business or contract rule, with the rule and the raw record; "
        "one row per event (first arrival), partitioned by event day."
    ),
    columns=(
        Column("source_table", "STRING", "The bronze table the event came from."),
        Column(
            "silver_table",
            "STRING",
            "The silver table it was meant for (null for an unknown event type).",
        ),
        *ENVELOPE_COLUMNS,
        Column("rule", "STRING", "The first rule the event broke, e.g. order_total_mismatch."),
        Column("failed_rules", "ARRAY<STRING>", "Every rule the event broke."),
        Column("raw_value", "STRING", "The record as it arrived (the JSON envelope)."),
        Column("kafka_topic", "STRING", "Kafka topic it was read from (null for a file)."),
        Column("kafka_partition", "INT", "Kafka partition."),
        Column("kafka_offset", "BIGINT", "Kafka offset."),
        Column("source_file", "STRING", "Landing file it was read from (null for Kafka)."),
    ),
    key=("event_id",),
)


def rows(events: DataFrame, stream: str, silver_table: str | None) -> DataFrame:
    """Quarantine rows of judged events (:mod:`streaming.silver.events`)."""
    return TABLE.select(
        quarantined(events)
        .withColumn("source_table", F.lit(bronze_table(stream)))
        .withColumn("silver_table", F.lit(silver_table).cast("string"))
        .withColumn("failed_rules", F.col(FAILED_RULES))
        .withColumn("rule", F.get(F.col(FAILED_RULES), 0))
    )
