"""Run a Great Expectations 1.x suite on a Spark DataFrame and report it as a Dagster check.

``validate`` evaluates a list of expectations on a DataFrame and returns a plain, frozen
``Validation`` (no GX objects leak out); ``check_result`` turns that into an
``AssetCheckResult`` with counts, a markdown table of failures and the same failures as JSON.

GX is imported inside ``validate`` only: importing it takes seconds and the code location must
load without it. One ephemeral GX context per process is built on first use and reused; it
never reads a ``gx/`` folder, never writes files and has progress bars off. Expectations that
raise (a missing column, a type GX cannot compare, an expectation without a Spark
implementation) count as failed with GX's message, never as passed.

The DataFrame is neither cached nor persisted here (callers decide). GX runs roughly one Spark
job for all aggregate metrics plus a few per expectation; ``sample_size=0`` skips the jobs that
fetch unexpected values (about half of them) and keeps the counts.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue

if TYPE_CHECKING:
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.expectations import Expectation
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["FailedExpectation", "Validation", "check_result", "validate"]

# Keyword arguments that say where an expectation looks, not what it expects.
_DOMAIN_KWARGS = frozenset(
    {
        "batch_id",
        "column",
        "column_list",
        "column_A",
        "column_B",
        "row_condition",
        "condition_parser",
        "result_format",
        "catch_exceptions",
        "meta",
        "notes",
        "description",
        "severity",
        "windows",
    }
)
_ROW_COUNT_EXPECTATIONS = frozenset(
    {"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"}
)
_MAX_TEXT = 160


@dataclass(frozen=True)
class FailedExpectation:
    """One expectation that did not pass, reduced to what a person needs to act on it."""

    expectation: str
    column: str | None
    unexpected_count: int | None = None
    # As GX computes it: of the non-null values for most column map expectations, of all
    # rows for expect_column_values_to_not_be_null.
    unexpected_percent: float | None = None
    observed_value: str | None = None
    # Unexpected values rendered like literals: strings quoted, None as null.
    samples: tuple[str, ...] = ()
    # Rows the percentage refers to (element_count minus nulls where GX leaves nulls out).
    checked_rows: int | None = None
    # The expectation's own arguments (value_set, min_value, ...), for failures without counts.
    expected: str | None = None
    # Set when the expectation raised instead of evaluating.
    error: str | None = None

    @property
    def summary(self) -> str:
        """One line, e.g. ``expect_column_values_to_be_in_set(device): 3 of 120 rows (2.5 %)
        unexpected, e.g. 'tablet'``."""
        head = f"{self.expectation}({self.column})" if self.column else self.expectation
        return f"{head}: {self.outcome(with_samples=True)}"

    def outcome(self, *, with_samples: bool = False) -> str:
        """What went wrong, without naming the expectation."""
        if self.error is not None:
            return f"raised: {self.error}"
        if self.unexpected_count is not None:
            text = str(self.unexpected_count)
            if self.checked_rows is not None:
                text += f" of {self.checked_rows} rows"
            if self.unexpected_percent is not None:
                text += f" ({self.unexpected_percent:.3g} %)"
            text += " unexpected"
            if with_samples and self.samples:
                text += ", e.g. " + ", ".join(self.samples[:3])
            return text
        parts = []
        if self.observed_value is not None:
            parts.append(f"observed {self.observed_value}")
        if self.expected:
            parts.append(f"expected {self.expected}")
        return ", ".join(parts) or "failed"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "samples": list(self.samples), "summary": self.summary}


@dataclass(frozen=True)
class Validation:
    """The outcome of one suite on one DataFrame."""

    suite: str
    passed: bool
    evaluated: int
    failed: tuple[FailedExpectation, ...]
    # Rows GX saw, when some expectation reported it (element_count or a row count
    # expectation); never counted separately because that would cost another Spark job.
    rows: int | None


# One context, data source and asset per process, registered once, because registering a
# name a second time fails. The lock serialises validations: the GX execution engine keeps
# one "active batch" per data source and is not written for concurrent use.
_lock = threading.Lock()
_cached: tuple[SparkSession, BatchDefinition] | None = None


def validate(
    df: DataFrame,
    suite_name: str,
    expectations: Sequence[Expectation],
    sample_size: int = 5,
) -> Validation:
    """Evaluate ``expectations`` on ``df`` as suite ``suite_name``.

    ``sample_size`` caps the unexpected values GX fetches per expectation (0 fetches none and
    saves the Spark jobs that would). The caller's expectation objects are copied, so one list
    may be reused across calls and suites.
    """
    if not expectations:
        # An empty suite passes trivially; that is never what a caller building a list meant.
        raise ValueError(f"suite {suite_name!r} has no expectations")
    if sample_size < 0:
        raise ValueError("sample_size must be >= 0")

    import great_expectations as gx

    with _lock:
        _quiet_refused_plans(df.sparkSession)
        batch_definition = _batch_definition(df.sparkSession)
        # Copies: GX binds an expectation to its suite and refuses one already bound to
        # another; copying also leaves the caller's objects untouched.
        suite = gx.ExpectationSuite(
            name=suite_name, expectations=[copy.copy(e) for e in expectations]
        )
        if len(suite.expectations) != len(expectations):
            # GX logs and drops configurations it cannot build instead of raising.
            raise ValueError(
                f"suite {suite_name!r}: GX accepted {len(suite.expectations)} of "
                f"{len(expectations)} expectations"
            )
        # GX returns results in its own order; numbering the copies lets results be matched
        # back to the caller's list (the id is carried into each result's configuration).
        for index, expectation in enumerate(suite.expectations):
            expectation.id = str(index)
        batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(
            suite,
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": sample_size},
        )
    return _to_validation(suite_name, result, len(expectations), sample_size)


def _quiet_refused_plans(spark: SparkSession) -> None:
    """Silence Spark's report of listeners failing on a plan Spark refused to analyze.

    GX's Spark uniqueness metrics first try a window function inside a filter, which
    Spark refuses; GX catches that and computes the metric another way. But in a session
    that has used ``DataFrame.observe`` (silver's writers do), Spark's observation
    listener re-analyzes the refused plan and the listener bus logs the failure as an
    ERROR with a 100-line stack trace. Only that logger is turned off: queries, and
    errors anywhere else, are reported as before.
    """
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
        "org.apache.spark.sql.util.ExecutionListenerBus", jvm.org.apache.logging.log4j.Level.OFF
    )


def check_result(
    validation: Validation,
    *,
    asset_key: AssetKey,
    check_name: str,
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR,
    description: str | None = None,
) -> AssetCheckResult:
    """An ``AssetCheckResult`` for ``validation``; passed exactly when every expectation did."""
    metadata: dict[str, Any] = {
        "suite": MetadataValue.text(validation.suite),
        "evaluated_expectations": MetadataValue.int(validation.evaluated),
        "failed_expectations": MetadataValue.int(len(validation.failed)),
        "failures": MetadataValue.md(_failures_table(validation)),
        "failures_json": MetadataValue.json([f.to_json() for f in validation.failed]),
    }
    if validation.rows is not None:
        metadata["rows_validated"] = MetadataValue.int(validation.rows)
    if description is None:
        description = (
            f"{validation.suite}: all {validation.evaluated} expectations passed"
            if validation.passed
            else f"{validation.suite}: {len(validation.failed)} of {validation.evaluated} "
            "expectations failed"
        )
    return AssetCheckResult(
        passed=validation.passed,
        asset_key=asset_key,
        check_name=check_name,
        metadata=metadata,
        severity=severity,
        description=description,
    )


def _batch_definition(session: SparkSession) -> BatchDefinition:
    """The cached whole-DataFrame batch definition, rebuilt if ``session`` is a new one.

    The GX execution engine keeps a reference to the session it was made with; after a
    session restart (tests, notebooks) that one is stopped.
    """
    global _cached
    if _cached is not None and _cached[0] is session:
        return _cached[1]

    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # "ephemeral" explicitly: the default mode picks up a ./gx folder or GX Cloud variables.
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # persist=False: by default GX calls DataFrame.persist() on every batch and never
    # unpersists it, so each validation would pin its data in executor memory.
    datasource = context.data_sources.add_spark(name="spark", persist=False)
    # One asset for every suite: the DataFrame comes in per call as a batch parameter, so
    # nothing is registered per suite and repeated suite names cannot collide.
    asset = datasource.add_dataframe_asset(name="dataframe")
    definition = asset.add_batch_definition_whole_dataframe("whole")
    _cached = (session, definition)
    return definition


def _to_validation(
    suite_name: str, result: ExpectationSuiteValidationResult, expected: int, sample_size: int
) -> Validation:
    by_index = {int(r.expectation_config.id or -1): r for r in result.results}
    if len(result.results) != expected or sorted(by_index) != list(range(expected)):
        # Never report an expectation GX skipped as passed.
        raise RuntimeError(
            f"suite {suite_name!r}: GX returned results for {len(by_index)} of "
            f"{expected} expectations"
        )
    failed = tuple(
        _failure(by_index[i], sample_size)
        for i in range(expected)
        if not by_index[i].success or _error(by_index[i]) is not None
    )
    return Validation(
        suite=suite_name,
        passed=bool(result.success) and not failed,
        evaluated=expected,
        failed=failed,
        rows=_rows(result.results),
    )


def _failure(r: ExpectationValidationResult, sample_size: int) -> FailedExpectation:
    config = r.expectation_config
    kwargs: Mapping[str, Any] = config.kwargs
    details: Mapping[str, Any] = r.result or {}
    unexpected_count = details.get("unexpected_count")
    element_count = details.get("element_count")
    checked = None
    if element_count is not None:
        checked = int(element_count) - int(details.get("missing_count") or 0)
    observed = details.get("observed_value")
    return FailedExpectation(
        expectation=config.type,
        column=_column(kwargs),
        unexpected_count=None if unexpected_count is None else int(unexpected_count),
        unexpected_percent=_float(details.get("unexpected_percent")),
        observed_value=None if observed is None else _clip(_literal(observed)),
        samples=_samples(details.get("partial_unexpected_list") or (), sample_size),
        checked_rows=checked,
        expected=_expected(kwargs),
        error=_error(r),
    )


def _error(r: ExpectationValidationResult) -> str | None:
    """GX's exception message, if the expectation raised.

    GX reports either one flat ``{"raised_exception": ..., "exception_message": ...}`` or,
    for metric failures (a missing column), one such dict per failed metric keyed by the
    metric's id, often with the same message repeated.
    """
    info: Mapping[str, Any] = r.exception_info or {}
    entries = [v for v in info.values() if isinstance(v, Mapping)] or [info]
    messages: list[str] = []
    for entry in entries:
        if entry.get("raised_exception"):
            message = str(entry.get("exception_message") or "exception without a message")
            if message not in messages:
                messages.append(message)
    return _clip("; ".join(messages)) if messages else None


def _rows(results: Sequence[ExpectationValidationResult]) -> int | None:
    for r in results:
        details = r.result or {}
        if r.expectation_config.kwargs.get("row_condition"):
            continue  # counts only the rows the condition selects
        if details.get("element_count") is not None:
            return int(details["element_count"])
        if r.expectation_config.type in _ROW_COUNT_EXPECTATIONS and isinstance(
            details.get("observed_value"), int
        ):
            return int(details["observed_value"])
    return None


def _column(kwargs: Mapping[str, Any]) -> str | None:
    if kwargs.get("column") is not None:
        return str(kwargs["column"])
    if kwargs.get("column_list"):
        return ", ".join(str(c) for c in kwargs["column_list"])
    pair = [str(kwargs[k]) for k in ("column_A", "column_B") if kwargs.get(k) is not None]
    return ", ".join(pair) or None


def _expected(kwargs: Mapping[str, Any]) -> str | None:
    parts = [
        f"{key}={_literal(value)}"
        for key, value in kwargs.items()
        if key not in _DOMAIN_KWARGS and value is not None
    ]
    return _clip(", ".join(parts)) if parts else None


def _samples(values: Sequence[Any], sample_size: int) -> tuple[str, ...]:
    # Duplicate keys appear once per row in GX's list; one of each is enough to act on.
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(_clip(_literal(value), 80))
    return tuple(seen)[:sample_size]


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}={_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        return "(" + ", ".join(_literal(v) for v in value) + ")"
    return str(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _clip(text: str, limit: int = _MAX_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _failures_table(validation: Validation) -> str:
    if not validation.failed:
        return f"All {validation.evaluated} expectations of `{validation.suite}` passed."
    lines = ["| expectation | column | unexpected | sample values |", "| --- | --- | --- | --- |"]
    for f in validation.failed:
        # Samples get their own column; the count cell stays short.
        cells = [f.expectation, f.column or "", f.outcome(), ", ".join(f.samples)]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")
