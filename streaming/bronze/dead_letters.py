"""A batch's dead letters, gathered while its good rows are written: one pass, no cache.

Reading and parsing a batch is most of its cost, and Spark runs a plan once per action,
so writing bronze rows and dead letters as two actions would parse everything twice
(or cache the whole batch first). Instead the parsed batch carries an observation
(``DataFrame.observe``): while the bronze append runs, Spark also gathers the dead
letters - normally a sliver of the batch - and hands them to the driver with the
append's metrics. The dead-letter append then writes them from there.

Memory: a batch's dead letters are held in the driver at once, so a batch of nothing
but garbage holds all its records (at most ``maxOffsetsPerTrigger``).
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Observation, Row
from pyspark.sql import functions as F

from streaming.bronze.schemas import DEAD_LETTER_COLUMNS

_TIMESTAMPS = {name for name, kind in DEAD_LETTER_COLUMNS if kind == "TIMESTAMP"}
# Timestamps travel as epoch microseconds: Python's datetimes would be reinterpreted
# in the driver's local time zone on the way back.
_WIRE_SCHEMA = ", ".join(
    f"{name} {'BIGINT' if name in _TIMESTAMPS else kind}" for name, kind in DEAD_LETTER_COLUMNS
)


def _wire_value(name: str) -> F.Column:
    source = "value" if name == "raw_value" else name
    return F.unix_micros(F.col(source)) if name in _TIMESTAMPS else F.col(source)


class DeadLetterWatch:
    """Wraps a parsed batch (see :func:`streaming.bronze.parse.parse_records`).

    Run exactly one action over :attr:`batch` - the bronze append of
    ``bronze_rows(watch.batch)``, or :meth:`drain` when no bronze rows are to be
    written - then :meth:`rows` are the batch's dead letters.
    """

    def __init__(self, parsed: DataFrame) -> None:
        self._observation = Observation()
        record = F.struct(*(_wire_value(name).alias(name) for name, _ in DEAD_LETTER_COLUMNS))
        self.batch = parsed.observe(
            self._observation,
            F.collect_list(F.when(F.col("reason").isNotNull(), record)).alias("dead_letters"),
        )

    def drain(self) -> None:
        """Run the batch through without writing it (only its dead letters are wanted)."""
        self.batch.write.format("noop").mode("overwrite").save()

    @property
    def count(self) -> int:
        return len(self._gathered())

    def _gathered(self) -> list[Row]:
        return self._observation.get["dead_letters"]

    def rows(self) -> DataFrame:
        """The dead letters, in the dead-letter table's column order."""
        spark = self.batch.sparkSession
        return spark.createDataFrame(self._gathered(), _WIRE_SCHEMA).select(
            *(
                F.timestamp_micros(name).alias(name) if name in _TIMESTAMPS else F.col(name)
                for name, _ in DEAD_LETTER_COLUMNS
            )
        )
