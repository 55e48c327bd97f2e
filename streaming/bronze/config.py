"""What a bronze run is told (BronzeConfig) and what it reports back (StreamReport)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: Test-only fault injection: raise inside foreachBatch at one of these points.
FAIL_POINTS = ("before_write", "after_bronze_write", "after_all_writes")


#: Records per micro-batch unless configured. availableNow does *not* split a backlog by
#: itself, and each batch costs a fixed second or so (planning, two Iceberg commits):
#: 2 M records make that small (5.5 M clickstream records ran at 96k events/s in 1 M
#: batches, 106k/s in 2 M batches), while a failed batch is still quick to redo and its
#: dead letters fit the driver (see streaming.bronze.dead_letters).
DEFAULT_MAX_OFFSETS_PER_TRIGGER = 2_000_000


class InjectedFailure(RuntimeError):
    """Raised at a configured fail point (tests crash a run on purpose with it)."""


@dataclass(frozen=True)
class BronzeConfig:
    bootstrap_servers: str
    #: Kafka topic -> bronze table identifier, e.g. {"shop.orders": "bronze.orders"}.
    streams: Mapping[str, str]
    dead_letter_table: str
    #: URI; each topic's checkpoint is f"{checkpoint_root}/bronze/{topic}".
    checkpoint_root: str
    #: Extra options handed verbatim to Spark's Kafka reader: "kafka.*" consumer settings
    #: (security on MSK) or reader options such as "failOnDataLoss".
    kafka_options: Mapping[str, str] = field(default_factory=dict)
    #: Records per micro-batch, all partitions together.
    max_offsets_per_trigger: int = DEFAULT_MAX_OFFSETS_PER_TRIGGER
    fail_point: str | None = None

    def __post_init__(self) -> None:
        if self.fail_point is not None and self.fail_point not in FAIL_POINTS:
            raise ValueError(f"fail_point must be one of {FAIL_POINTS} (got {self.fail_point!r})")
        if self.max_offsets_per_trigger < 1:
            raise ValueError(
                f"max_offsets_per_trigger must be positive (got {self.max_offsets_per_trigger})"
            )

    def table_for(self, topic: str) -> str:
        try:
            return self.streams[topic]
        except KeyError:
            raise ValueError(
                f"topic {topic!r} is not configured (known: {sorted(self.streams)})"
            ) from None

    def checkpoint_for(self, topic: str) -> str:
        return f"{self.checkpoint_root.rstrip('/')}/bronze/{topic}"


@dataclass
class StreamReport:
    """One topic's run (or one topic's share of a file backfill)."""

    topic: str
    table: str
    batches: int
    rows_written: int
    dead_letters: int
    start_offsets: dict[int, int]
    end_offsets: dict[int, int]
    touched_days: list[str]
    duration_s: float
