"""Bronze against Kafka: every committed offset is a bronze row or a dead letter, once.

Per topic and partition, the records bronze has committed (checkpoint offset minus the
offset its query started from) must equal the bronze rows plus the dead letters that
came from that partition. Bronze keeps duplicate *event ids* on purpose (silver
deduplicates them); duplicate *Kafka coordinates* would be a broken exactly-once sink.
The bronze asset checks and `lakehouse run` both call :func:`reconcile_bronze`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecommerce_assets.resources import BronzeResource, TrinoResource
from streaming.bronze.checkpoint import committed_offsets, initial_offsets
from streaming.contracts.naming import DEAD_LETTERS_TABLE, bronze_table


@dataclass(frozen=True)
class PartitionCounts:
    partition: int
    committed_records: int
    bronze_rows: int
    dead_letters: int

    @property
    def missing(self) -> int:
        """Committed records found in neither table (negative: more rows than records)."""
        return self.committed_records - self.bronze_rows - self.dead_letters


@dataclass(frozen=True)
class TopicReconciliation:
    stream: str
    topic: str
    table: str
    partitions: tuple[PartitionCounts, ...]
    duplicate_coordinates: int
    duplicate_event_ids: int

    @property
    def committed_records(self) -> int:
        return sum(p.committed_records for p in self.partitions)

    @property
    def bronze_rows(self) -> int:
        return sum(p.bronze_rows for p in self.partitions)

    @property
    def dead_letters(self) -> int:
        return sum(p.dead_letters for p in self.partitions)

    @property
    def missing(self) -> int:
        return self.committed_records - self.bronze_rows - self.dead_letters

    @property
    def ok(self) -> bool:
        return self.duplicate_coordinates == 0 and all(p.missing == 0 for p in self.partitions)

    @property
    def dead_letter_share(self) -> float:
        total = self.bronze_rows + self.dead_letters
        return self.dead_letters / total if total else 0.0

    def describe(self) -> str:
        if self.ok:
            return (
                f"{self.topic}: {self.committed_records:,} committed records = "
                f"{self.bronze_rows:,} rows in {self.table} + {self.dead_letters:,} dead letters"
            )
        off = [
            f"partition {p.partition}: {p.committed_records:,} committed, {p.bronze_rows:,} rows "
            f"+ {p.dead_letters:,} dead letters ({_signed(p.missing)} missing)"
            for p in self.partitions
            if p.missing
        ]
        if self.duplicate_coordinates:
            off.append(f"{self.duplicate_coordinates:,} rows repeat a Kafka coordinate")
        return f"{self.topic} does not reconcile with {self.table}: " + "; ".join(off)


def _signed(value: int) -> str:
    return f"{value:,}" if value >= 0 else f"{value:,} (extra)"


def _counts_by_partition(trino: TrinoResource, table: str, topic: str) -> dict[int, int]:
    # Rows backfilled from landing files carry no partition: they are not Kafka's.
    rows = trino.query(
        f"SELECT kafka_partition, count(*) FROM {table} "
        "WHERE kafka_topic = ? AND kafka_partition IS NOT NULL GROUP BY 1",
        [topic],
    )
    return {int(partition): int(count) for partition, count in rows}


def reconcile_bronze(
    trino: TrinoResource, bronze: BronzeResource, streams: list[str] | None = None
) -> list[TopicReconciliation]:
    """Reconcile each stream's bronze table and dead letters with its committed offsets."""
    results = []
    for stream in streams if streams is not None else list(bronze.topics):
        topic, table = bronze.topics[stream], bronze_table(stream)
        checkpoint = bronze.checkpoint_for(stream)
        committed = committed_offsets(None, checkpoint).get(topic, {})
        started = initial_offsets(None, checkpoint).get(topic, {})
        rows = _counts_by_partition(trino, table, topic) if committed else {}
        dead = _counts_by_partition(trino, DEAD_LETTERS_TABLE, topic) if committed else {}
        partitions = tuple(
            PartitionCounts(
                partition=p,
                committed_records=committed.get(p, 0) - started.get(p, 0),
                bronze_rows=rows.get(p, 0),
                dead_letters=dead.get(p, 0),
            )
            for p in sorted(set(committed) | set(rows) | set(dead))
        )
        duplicate_coordinates = duplicate_event_ids = 0
        if committed:
            [(total, coordinates, event_ids)] = trino.query(
                "SELECT count(*), count(DISTINCT (kafka_partition, kafka_offset)), "
                f"count(DISTINCT event_id) FROM {table} "
                "WHERE kafka_topic = ? AND kafka_partition IS NOT NULL",
                [topic],
            )
            duplicate_coordinates = int(total) - int(coordinates)
            duplicate_event_ids = int(total) - int(event_ids)
        results.append(
            TopicReconciliation(
                stream, topic, table, partitions, duplicate_coordinates, duplicate_event_ids
            )
        )
    return results
