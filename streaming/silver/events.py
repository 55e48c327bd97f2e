"""From bronze rows to typed events, each marked valid, duplicate or quarantined.

Every silver table of events goes through the same steps:

1. **Deduplicate** by event id: the first arrival wins, by Kafka coordinates (partition,
   offset; a record's copies share its key, so its partition), then landing file. Copies
   of one event carry the same event time, so they fall in the same day.
2. **Type** the payload with the event contract's types (one ``from_json`` per table,
   the fields of all its event types and schema versions: a field an older version lacks
   reads as null), flattening structs into ``<struct>_<member>`` columns.
3. **Conform** closed-set strings (trimmed; codes upper case, enums lower case).
4. **Judge** each event by the contract's rules and its table's business rules: the
   names of the rules it breaks are kept; any at all sends it to quarantine.

The result keeps the bronze lineage (raw record, Kafka coordinates) so a quarantined
event can be written with everything needed to replay or inspect it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from streaming.contracts import Field, stream_contract
from streaming.contracts.naming import bronze_table
from streaming.contracts.sql import spark_type
from streaming.contracts.types import STRUCT, element_type
from streaming.silver.columns import (
    ENVELOPE_COLUMNS,
    Column,
    PayloadColumn,
    merged_fields,
    payload_columns,
)
from streaming.silver.days import time_between, utc_date
from streaming.silver.rules import UNKNOWN_EVENT_TYPE, Rule, contract_rules, failed_rules
from streaming.silver.table import SilverTable

VALID = "valid"
DUPLICATE = "duplicate"
QUARANTINED = "quarantined"

#: Bronze columns carried along for the quarantine.
LINEAGE = ("raw_value", "kafka_topic", "kafka_partition", "kafka_offset", "source_file")
#: Working columns: the event's status and the rules it breaks.
STATUS = "_status"
FAILED_RULES = "_failed_rules"


def read_bronze(
    spark: SparkSession, stream: str, start: dt.datetime, end: dt.datetime
) -> DataFrame:
    """Bronze rows of ``stream`` with ``start <= event_time < end`` (days pruned)."""
    return spark.table(bronze_table(stream)).where(time_between("event_time", start, end))


def mark_duplicates(bronze: DataFrame) -> DataFrame:
    """Adds ``_duplicate``: true for every copy of an event but its first arrival.

    Only events that arrived more than once need ranking, and they are few: their ids
    are found from the ids alone (a narrow aggregate), and only their rows are shuffled
    and ranked. Ranking every row would sort the whole range, raw records included, by
    event id - most of a silver run's time at 10 M events (docs/benchmarks.md).
    """
    repeated = (
        bronze.groupBy("event_id")
        .agg(F.count(F.lit(1)).alias("_copies"))
        .where(F.col("_copies") > 1)
        .select("event_id", F.lit(True).alias("_repeated"))
    )
    # Broadcast: the repeated ids are a small share of the range (a copy per event would
    # still be a few hundred bytes per id on the driver).
    flagged = bronze.join(F.broadcast(repeated), "event_id", "left")
    first_arrival = Window.partitionBy("event_id").orderBy(
        F.col("kafka_partition").asc_nulls_last(),
        F.col("kafka_offset").asc_nulls_last(),
        F.col("source_file").asc_nulls_last(),
        F.col("ingested_at"),
        F.col("raw_value"),
    )
    once = flagged.where(F.col("_repeated").isNull()).withColumn("_duplicate", F.lit(False))
    copies = flagged.where(F.col("_repeated")).withColumn(
        "_duplicate", F.row_number().over(first_arrival) > 1
    )
    return once.unionByName(copies).drop("_repeated")


@dataclass(frozen=True)
class EventGroup:
    """The events one silver table is made of: some event types of one stream."""

    stream: str
    event_types: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    #: Column descriptions that say more than the contract's (e.g. merged event types).
    descriptions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = stream_contract(self.stream).event_types
        unknown = [t for t in self.event_types if t not in known]
        if unknown:
            raise ValueError(f"{self.stream} has no event types {unknown}")

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        return merged_fields(self.event_types)

    @cached_property
    def payload(self) -> tuple[PayloadColumn, ...]:
        return payload_columns(self.fields)

    @cached_property
    def all_rules(self) -> tuple[Rule, ...]:
        return (*contract_rules(self.event_types, self.payload), *self.rules)


def _conformed(column: SparkColumn, payload_column: PayloadColumn) -> SparkColumn:
    values = payload_column.field.values
    if not values:
        return column
    case = F.upper if all(v == v.upper() for v in values) else F.lower
    if element_type(payload_column.field.type) is not None:
        return F.transform(column, lambda v: case(F.trim(v)))
    return case(F.trim(column))


def _status(duplicate: SparkColumn) -> SparkColumn:
    return (
        F.when(duplicate, F.lit(DUPLICATE))
        .when(F.size(FAILED_RULES) > 0, F.lit(QUARANTINED))
        .otherwise(F.lit(VALID))
    )


def typed_events(bronze: DataFrame, group: EventGroup) -> DataFrame:
    """The group's events of bronze rows, deduplicated, typed, conformed and judged.

    Columns: the envelope (with ``event_date``), the flattened payload, the lineage,
    ``_failed_rules`` and ``_status``. Copies of an event are the same bytes, so keeping
    only the group's event types before deduplicating changes nothing but the cost.
    """
    schema = "payload " + spark_type(Field("payload", STRUCT, "", fields=group.fields))
    payload = F.from_json("raw_value", schema)["payload"]
    flattened = []
    for payload_column in group.payload:
        value = payload
        for part in payload_column.path:
            value = value[part]
        flattened.append(_conformed(value, payload_column).alias(payload_column.column.name))
    mine = bronze.where(F.col("event_type").isin(*group.event_types))
    typed = mark_duplicates(mine).select(
        "event_id",
        "event_type",
        "event_time",
        utc_date("event_time").alias("event_date"),
        "schema_version",
        *flattened,
        *LINEAGE,
        "_duplicate",
    )
    judged = typed.withColumn(FAILED_RULES, failed_rules(group.all_rules))
    judged = judged.withColumn(STATUS, _status(F.col("_duplicate"))).drop("_duplicate")
    # Only the quarantine keeps the raw record: carrying it for every valid event (into
    # the layer's cache, too) cost more than typing the payload.
    held = F.when(F.col(STATUS) == QUARANTINED, F.col("raw_value"))
    return judged.withColumn("raw_value", held)


def unknown_events(bronze: DataFrame, stream: str) -> DataFrame:
    """Bronze rows whose type is not one of the stream's: quarantined (or duplicates)."""
    known = stream_contract(stream).event_types
    rows = mark_duplicates(bronze.where(~F.col("event_type").isin(*known))).select(
        "event_id",
        "event_type",
        "event_time",
        utc_date("event_time").alias("event_date"),
        "schema_version",
        *LINEAGE,
        F.array(F.lit(UNKNOWN_EVENT_TYPE)).alias(FAILED_RULES),
        "_duplicate",
    )
    return rows.withColumn(STATUS, _status(F.col("_duplicate"))).drop("_duplicate")


def valid(events: DataFrame) -> DataFrame:
    return events.where(F.col(STATUS) == VALID)


def quarantined(events: DataFrame) -> DataFrame:
    return events.where(F.col(STATUS) == QUARANTINED)


def event_table(
    name: str,
    description: str,
    group: EventGroup,
    key: tuple[str, ...],
    *,
    exclude: tuple[str, ...] = (),
    derived: tuple[Column, ...] = (),
) -> SilverTable:
    """A table of one row per event: the envelope, the payload columns (less
    ``exclude``, described as the contract or the group says) and ``derived`` ones."""
    payload = tuple(
        Column(
            p.column.name,
            p.column.type,
            group.descriptions.get(p.column.name, p.column.description),
        )
        for p in group.payload
        if p.column.name not in exclude
    )
    return SilverTable(name, description, (*ENVELOPE_COLUMNS, *payload, *derived), key)
