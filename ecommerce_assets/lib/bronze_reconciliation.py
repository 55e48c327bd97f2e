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


def _bronze_counts(trino: TrinoResource, table: str, topic: str) -> tuple[dict[int, int], int, int]:
    """Rows per partition, duplicate Kafka coordinates and duplicate event ids, one scan."""
    # Rows backfilled from landing files carry no partition: they are not Kafka's.
    rows = trino.query(
        f"SELECT kafka_partition, count(*), count(DISTINCT kafka_offset), "
        f"count(DISTINCT event_id) FROM {table} "
        "WHERE kafka_topic = ? AND kafka_partition IS NOT NULL "
        "GROUP BY GROUPING SETS ((kafka_partition), ())",
        [topic],
    )
    by_partition = {int(p): int(n) for p, n, _, _ in rows if p is not None}
    duplicate_coordinates = sum(int(n) - int(o) for p, n, o, _ in rows if p is not None)
    totals = [(int(n), int(ids)) for p, n, _, ids in rows if p is None]
    duplicate_ids = totals[0][0] - totals[0][1] if totals else 0
    return by_partition, duplicate_coordinates, duplicate_ids


def _dead_letters(trino: TrinoResource, topics: list[str]) -> dict[tuple[str, int], int]:
    """Dead letters per (topic, partition) of the given topics, in one query."""
    marks = ", ".join("?" for _ in topics)
    rows = trino.query(
        f"SELECT kafka_topic, kafka_partition, count(*) FROM {DEAD_LETTERS_TABLE} "
        f"WHERE kafka_topic IN ({marks}) AND kafka_partition IS NOT NULL GROUP BY 1, 2",
        list(topics),
    )
    return {(topic, int(partition)): int(count) for topic, partition, count in rows}


def reconcile_bronze(
    trino: TrinoResource, bronze: BronzeResource, streams: list[str] | None = None
) -> list[TopicReconciliation]:
    """Reconcile each stream's bronze table and dead letters with its committed offsets."""
    chosen = streams if streams is not None else list(bronze.topics)
    committed_by_stream = {
        s: committed_offsets(None, bronze.checkpoint_for(s)).get(bronze.topics[s], {})
        for s in chosen
    }
    ingested = [bronze.topics[s] for s in chosen if committed_by_stream[s]]
    dead_letters = _dead_letters(trino, ingested) if ingested else {}
    results = []
    for stream in chosen:
        topic, table = bronze.topics[stream], bronze_table(stream)
        committed = committed_by_stream[stream]
        started = initial_offsets(None, bronze.checkpoint_for(stream)).get(topic, {})
        rows, duplicate_coordinates, duplicate_event_ids = (
            _bronze_counts(trino, table, topic) if committed else ({}, 0, 0)
        )
        dead = {p: n for (t, p), n in dead_letters.items() if t == topic}
        partitions = tuple(
            PartitionCounts(
                partition=p,
                committed_records=committed.get(p, 0) - started.get(p, 0),
                bronze_rows=rows.get(p, 0),
                dead_letters=dead.get(p, 0),
            )
            for p in sorted(set(committed) | set(rows) | set(dead))
        )
        results.append(
            TopicReconciliation(
                stream, topic, table, partitions, duplicate_coordinates, duplicate_event_ids
            )
        )
    return results
