"""A batch's dead letters, gathered while its good rows are written: one pass, no cache.

Reading and parsing a batch is most of its cost, and Spark runs a plan once per action,
so writing bronze rows and dead letters as two actions would parse everything twice
(or cache the whole batch first). Instead the parsed batch carries an observation
(``DataFrame.observe``): while the bronze append runs, Spark also gathers the dead
letters - normally a sliver of the batch - and hands them to the driver with the
append's metrics. The dead-letter append then writes them from there.

Memory: the gathered dead letters travel to the driver as task results, which Spark
caps (``spark.driver.maxResultSize``, 256 MiB in this project's session). A batch with
more - a producer sending garbage - fails that pass cleanly before it commits anything,
and :func:`write_split` then takes two passes instead: the good rows, then the dead
letters as a Spark plan of their own, never gathered in the driver.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from pyspark.sql import DataFrame, Observation, Row, SparkSession
from pyspark.sql import functions as F

from streaming.bronze.parse import bronze_rows
from streaming.bronze.schemas import DEAD_LETTER_COLUMNS
from streaming.bronze.sink import AppendResult

log = logging.getLogger(__name__)

_TIMESTAMPS = {name for name, kind in DEAD_LETTER_COLUMNS if kind == "TIMESTAMP"}
# Timestamps travel as epoch microseconds: Python's datetimes would be reinterpreted
# in the driver's local time zone on the way back.
_WIRE_SCHEMA = ", ".join(
    f"{name} {'BIGINT' if name in _TIMESTAMPS else kind}" for name, kind in DEAD_LETTER_COLUMNS
)


def _wire_value(name: str) -> F.Column:
    source = "value" if name == "raw_value" else name
    return F.unix_micros(F.col(source)) if name in _TIMESTAMPS else F.col(source)


def _from_wire(spark: SparkSession, rows: list[Row]) -> DataFrame:
    return spark.createDataFrame(rows, _WIRE_SCHEMA).select(
        *(
            F.timestamp_micros(name).alias(name) if name in _TIMESTAMPS else F.col(name)
            for name, _ in DEAD_LETTER_COLUMNS
        )
    )


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
        return _from_wire(self.batch.sparkSession, self._gathered())


def no_dead_letters(spark: SparkSession) -> DataFrame:
    """An empty frame in the dead-letter table's shape."""
    return _from_wire(spark, [])


def too_many_to_gather(error: BaseException) -> bool:
    """Whether a pass failed because its gathered dead letters outgrew the driver's cap."""
    return "spark.driver.maxResultSize" in str(error)


def _apart(parsed: DataFrame) -> DataFrame:
    # Any observation stops Spark from pushing a filter under the parse (and inlining
    # the parse into it); this one only counts.
    return parsed.observe("bronze_records", F.count(F.lit(1)).alias("records"))


def dead_letter_rows(parsed: DataFrame) -> DataFrame:
    """A parsed batch's dead letters as a plan of their own (another pass over the batch)."""
    return (
        _apart(parsed)
        .where(F.col("reason").isNotNull())
        .select(
            *(
                F.col("value" if name == "raw_value" else name).alias(name)
                for name, _ in DEAD_LETTER_COLUMNS
            )
        )
    )


def write_split(
    parsed: DataFrame, write_good: Callable[[DataFrame], AppendResult] | None
) -> tuple[AppendResult, DataFrame | None]:
    """Write a parsed batch's good rows; return what was written and the dead letters.

    ``write_good`` appends the bronze rows it is given (None: nothing to write, the dead
    letters are still wanted). The dead letters are None when there are none. One pass
    normally; two when the dead letters are too many to gather (see the module notes).
    """
    watch = DeadLetterWatch(parsed)
    try:
        if write_good is None:
            watch.drain()
            written = AppendResult(0)
        else:
            written = write_good(bronze_rows(watch.batch))
        return written, (watch.rows() if watch.count else None)
    except Exception as error:
        if not too_many_to_gather(error):
            raise
    log.warning(
        "a batch has more dead letters than the driver gathers (spark.driver.maxResultSize); "
        "writing its good rows and its dead letters in two passes"
    )
    written = AppendResult(0) if write_good is None else write_good(bronze_rows(_apart(parsed)))
    return written, dead_letter_rows(parsed)
