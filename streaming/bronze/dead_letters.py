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

import datetime as dt
import logging
from collections.abc import Callable

import pyarrow as pa
from pyspark.sql import DataFrame, Observation, Row, SparkSession
from pyspark.sql import functions as F

from streaming.bronze.parse import bronze_rows
from streaming.bronze.schemas import DEAD_LETTER_COLUMNS
from streaming.bronze.sink import AppendResult

log = logging.getLogger(__name__)

#: Added once a batch's dead letters are gathered (see bronze_rows for why not before).
_BATCH_CONSTANT = "ingested_at"
_WIRE_COLUMNS = tuple((n, kind) for n, kind in DEAD_LETTER_COLUMNS if n != _BATCH_CONSTANT)
_TIMESTAMPS = {name for name, kind in _WIRE_COLUMNS if kind == "TIMESTAMP"}
_ARROW_TYPES = {
    "BINARY": pa.binary(),
    "STRING": pa.string(),
    "INT": pa.int32(),
    "BIGINT": pa.int64(),
    "TIMESTAMP": pa.int64(),  # epoch microseconds, see below
}
# Timestamps travel as epoch microseconds: Python's datetimes would be reinterpreted
# in the driver's local time zone on the way back. The way back is an Arrow table,
# which the JVM reads itself; Python rows would need Python worker processes.
_WIRE_SCHEMA = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in _WIRE_COLUMNS])


def _wire_value(name: str) -> F.Column:
    source = "value" if name == "raw_value" else name
    return F.unix_micros(F.col(source)) if name in _TIMESTAMPS else F.col(source)


def _from_wire(spark: SparkSession, rows: list[Row], ingested_at: F.Column) -> DataFrame:
    wire = spark.createDataFrame(
        pa.Table.from_pylist([row.asDict() for row in rows], schema=_WIRE_SCHEMA)
    )
    return wire.select(
        *(
            ingested_at.alias(name)
            if name == _BATCH_CONSTANT
            else F.timestamp_micros(name).alias(name)
            if name in _TIMESTAMPS
            else F.col(name)
            for name, _ in DEAD_LETTER_COLUMNS
        )
    )


class DeadLetterWatch:
    """Wraps a parsed batch (see :func:`streaming.bronze.parse.parse_records`).

    Run exactly one action over :attr:`batch` - the bronze append of
    ``bronze_rows(watch.batch, ingested_at)``, or :meth:`drain` when no bronze rows are
    to be written - then :meth:`rows` are the batch's dead letters.
    """

    def __init__(self, parsed: DataFrame, ingested_at: dt.datetime) -> None:
        self._observation = Observation()
        self._ingested_at = ingested_at
        record = F.struct(*(_wire_value(name).alias(name) for name, _ in _WIRE_COLUMNS))
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
        return _from_wire(self.batch.sparkSession, self._gathered(), F.lit(self._ingested_at))


def no_dead_letters(spark: SparkSession) -> DataFrame:
    """An empty frame in the dead-letter table's shape."""
    return _from_wire(spark, [], F.lit(None).cast("timestamp"))


def too_many_to_gather(error: BaseException) -> bool:
    """Whether a pass failed because its gathered dead letters outgrew the driver's cap."""
    return "spark.driver.maxResultSize" in str(error)


def _apart(parsed: DataFrame) -> DataFrame:
    # Any observation stops Spark from pushing a filter under the parse (and inlining
    # the parse into it); this one only counts.
    return parsed.observe("bronze_records", F.count(F.lit(1)).alias("records"))


def dead_letter_rows(parsed: DataFrame, ingested_at: dt.datetime) -> DataFrame:
    """A parsed batch's dead letters as a plan of their own (another pass over the batch)."""
    derived = {"raw_value": F.col("value"), _BATCH_CONSTANT: F.lit(ingested_at)}
    return (
        _apart(parsed)
        .where(F.col("reason").isNotNull())
        .select(*(derived.get(name, F.col(name)).alias(name) for name, _ in DEAD_LETTER_COLUMNS))
    )


def write_split(
    parsed: DataFrame,
    write_good: Callable[[DataFrame], AppendResult] | None,
    ingested_at: dt.datetime,
) -> tuple[AppendResult, DataFrame | None]:
    """Write a parsed batch's good rows; return what was written and the dead letters.

    ``write_good`` appends the bronze rows it is given (None: nothing to write, the dead
    letters are still wanted). The dead letters are None when there are none. One pass
    normally; two when the dead letters are too many to gather (see the module notes).
    Both tables' rows get ``ingested_at``.
    """
    watch = DeadLetterWatch(parsed, ingested_at)
    try:
        if write_good is None:
            watch.drain()
            written = AppendResult(0)
        else:
            written = write_good(bronze_rows(watch.batch, ingested_at))
        return written, (watch.rows() if watch.count else None)
    except Exception as error:
        if not too_many_to_gather(error):
            raise
    log.warning(
        "a batch has more dead letters than the driver gathers (spark.driver.maxResultSize); "
        "writing its good rows and its dead letters in two passes"
    )
    written = (
        AppendResult(0)
        if write_good is None
        else write_good(bronze_rows(_apart(parsed), ingested_at))
    )
    return written, dead_letter_rows(parsed, ingested_at)
