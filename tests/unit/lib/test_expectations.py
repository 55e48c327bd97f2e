"""Great Expectations suites on tiny local Spark frames, and their Dagster check results."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import great_expectations.expectations as gxe
import pytest
from dagster import AssetCheckSeverity, AssetKey
from pyspark.sql import DataFrame, SparkSession

from ecommerce_assets.lib import expectations as module
from ecommerce_assets.lib.expectations import (
    FailedExpectation,
    Validation,
    check_result,
    validate,
)

SCHEMA = "order_id int, customer_id string, email string, device string, qty int"
CLEAN = [
    (1, "c1", "a@example.com", "phone", 1),
    (2, "c2", "b@example.com", "desktop", 2),
    (3, "c3", "c@example.com", "phone", 3),
    (4, "c4", "d@example.com", "desktop", 4),
    (5, "c5", "e@example.com", "phone", 5),
    (6, "c6", "f@example.com", "phone", 6),
]
BROKEN = [
    (1, "c1", "a@example.com", "phone", 1),
    (2, "c2", "b@example.com", "desktop", 2),
    (None, "c3", "c@example.com", "phone", 3),  # null key
    (4, "c4", "not-an-email", "tablet", 4),  # bad email, device outside the set
    (4, "c4", "d@example.com", "phone", 500),  # duplicate key (also as a pair), qty too high
    (6, "c6", "e@example.com", "phone", 0),  # qty too low
]
ORDERS = AssetKey(["silver", "orders"])


def expectations() -> list[gxe.Expectation]:
    # Built fresh per test, as callers do, except where reuse is the point.
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="order_id"),
        gxe.ExpectColumnValuesToBeInSet(column="device", value_set=["phone", "desktop"]),
        gxe.ExpectColumnValuesToBeUnique(column="order_id"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["order_id", "customer_id"]),
        gxe.ExpectColumnValuesToMatchRegex(column="email", regex=r"^[^@\s]+@[^@\s]+\.[a-z]+$"),
        gxe.ExpectColumnValuesToBeBetween(column="qty", min_value=1, max_value=100),
        gxe.ExpectTableRowCountToBeBetween(min_value=1, max_value=1000),
        gxe.ExpectColumnToExist(column="customer_id"),
    ]


@pytest.fixture(scope="module")
def spark(local_spark: SparkSession) -> SparkSession:
    return local_spark


@pytest.fixture(scope="module")
def clean(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(CLEAN, SCHEMA)


@pytest.fixture(scope="module")
def broken(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(BROKEN, SCHEMA)


@pytest.fixture(scope="module")
def broken_validation(broken: DataFrame) -> Validation:
    return validate(broken, suite_name="silver_orders", expectations=expectations())


def failure(validation: Validation, expectation: str, column: str | None) -> FailedExpectation:
    found = [f for f in validation.failed if (f.expectation, f.column) == (expectation, column)]
    assert len(found) == 1, [f.summary for f in validation.failed]
    return found[0]


def test_a_clean_frame_passes_every_expectation(clean: DataFrame) -> None:
    validation = validate(clean, suite_name="silver_orders", expectations=expectations())

    assert validation == Validation(
        suite="silver_orders", passed=True, evaluated=8, failed=(), rows=6
    )
    # GX persists batches unless told not to; caching is the caller's decision.
    assert not clean.is_cached


def test_a_broken_frame_names_each_failure_with_its_count_and_a_sample(
    broken_validation: Validation,
) -> None:
    v = broken_validation
    assert not v.passed
    assert v.evaluated == 8
    assert v.rows == 6
    # The caller's order, not GX's; the row count and column checks passed.
    assert [(f.expectation, f.column) for f in v.failed] == [
        ("expect_column_values_to_not_be_null", "order_id"),
        ("expect_column_values_to_be_in_set", "device"),
        ("expect_column_values_to_be_unique", "order_id"),
        ("expect_compound_columns_to_be_unique", "order_id, customer_id"),
        ("expect_column_values_to_match_regex", "email"),
        ("expect_column_values_to_be_between", "qty"),
    ]
    counts = {(f.expectation, f.unexpected_count, f.samples) for f in v.failed}
    assert counts == {
        ("expect_column_values_to_not_be_null", 1, ("null",)),
        ("expect_column_values_to_be_in_set", 1, ("'tablet'",)),
        # Both rows of the duplicate key are unexpected; the sample is shown once.
        ("expect_column_values_to_be_unique", 2, ("4",)),
        ("expect_compound_columns_to_be_unique", 2, ("{order_id=4, customer_id='c4'}",)),
        ("expect_column_values_to_match_regex", 1, ("'not-an-email'",)),
        ("expect_column_values_to_be_between", 2, ("500", "0")),
    }
    assert all(f.error is None for f in v.failed)


def test_summaries_give_count_share_and_sample(broken_validation: Validation) -> None:
    in_set = failure(broken_validation, "expect_column_values_to_be_in_set", "device")
    assert in_set.summary == (
        "expect_column_values_to_be_in_set(device): 1 of 6 rows (16.7 %) unexpected, e.g. 'tablet'"
    )
    assert in_set.unexpected_percent == pytest.approx(100 / 6)
    # GX leaves the null key out of the uniqueness share: 2 of the 5 non-null ids.
    unique = failure(broken_validation, "expect_column_values_to_be_unique", "order_id")
    assert (unique.checked_rows, unique.unexpected_percent) == (5, pytest.approx(40.0))
    assert unique.summary.startswith("expect_column_values_to_be_unique(order_id): 2 of 5 rows")


def test_a_failed_aggregate_reports_observed_and_expected(clean: DataFrame) -> None:
    v = validate(
        clean,
        suite_name="counts",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(max_value=3),
            gxe.ExpectColumnMaxToBeBetween(column="qty", max_value=5),
        ],
    )

    assert [f.summary for f in v.failed] == [
        "expect_table_row_count_to_be_between: observed 6, expected max_value=3",
        "expect_column_max_to_be_between(qty): observed 6, expected max_value=5.0",
    ]
    assert v.rows == 6  # from the row count expectation's observed value


def test_an_expectation_that_raises_is_a_failure_with_its_message(clean: DataFrame) -> None:
    v = validate(
        clean,
        suite_name="missing_column",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="order_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="no_such_column"),
            # A string column compared with numbers fails inside GX's metric, not in Spark.
            gxe.ExpectColumnValuesToBeBetween(column="device", min_value=1, max_value=2),
        ],
    )

    assert not v.passed
    assert v.evaluated == 3
    missing, wrong_type = v.failed
    assert missing.column == "no_such_column"
    assert missing.error == 'Error: The column "no_such_column" in BatchData does not exist.'
    assert missing.summary == (
        "expect_column_values_to_not_be_null(no_such_column): raised: "
        'Error: The column "no_such_column" in BatchData does not exist.'
    )
    assert missing.unexpected_count is None
    assert wrong_type.column == "device"
    assert wrong_type.error is not None and "StringType" in wrong_type.error


def test_the_same_suite_and_expectations_validate_twice(
    clean: DataFrame, broken: DataFrame
) -> None:
    # Reused objects: GX would refuse an expectation already bound to a suite.
    shared = expectations()

    first = validate(clean, suite_name="twice", expectations=shared)
    second = validate(broken, suite_name="twice", expectations=shared)
    third = validate(clean, suite_name="twice", expectations=shared)

    assert (first.passed, second.passed, third.passed) == (True, False, True)
    assert len(second.failed) == 6
    assert all(e.id is None for e in shared)


def test_a_fresh_context_ignores_a_gx_folder_writes_nothing_and_stays_offline(
    clean: DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The unit conftest runs each test in tmp_path; a file-backed context would read this
    # (and fail on it) and would create uncommitted/ and the like next to it.
    (tmp_path / "gx").mkdir()
    (tmp_path / "gx" / "great_expectations.yml").write_text("config_version: [not yaml\n")
    monkeypatch.setattr(module, "_cached", None)
    remote: list[Any] = []
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if self.family != socket.AF_UNIX and host not in {"127.0.0.1", "::1", "localhost"}:
            remote.append(address)
        connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)

    assert validate(clean, suite_name="fresh", expectations=expectations()).passed

    assert remote == []
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "gx",
        "gx/great_expectations.yml",
    ]


def test_sample_size_caps_and_can_skip_samples(broken: DataFrame) -> None:
    between = [gxe.ExpectColumnValuesToBeBetween(column="qty", min_value=1, max_value=100)]

    one = validate(broken, suite_name="samples", expectations=between, sample_size=1)
    none = validate(broken, suite_name="samples", expectations=between, sample_size=0)

    assert (one.failed[0].unexpected_count, one.failed[0].samples) == (2, ("500",))
    assert (none.failed[0].unexpected_count, none.failed[0].samples) == (2, ())


def test_an_empty_suite_is_refused(clean: DataFrame) -> None:
    with pytest.raises(ValueError, match="no expectations"):
        validate(clean, suite_name="empty", expectations=[])


def test_check_result_of_a_failed_validation(broken_validation: Validation) -> None:
    result = check_result(broken_validation, asset_key=ORDERS, check_name="expectations")

    assert not result.passed
    assert (result.asset_key, result.check_name) == (ORDERS, "expectations")
    assert result.severity == AssetCheckSeverity.ERROR
    assert result.description == "silver_orders: 6 of 8 expectations failed"
    meta = {key: value.value for key, value in result.metadata.items()}
    assert meta["evaluated_expectations"] == 8
    assert meta["failed_expectations"] == 6
    assert meta["rows_validated"] == 6
    table = meta["failures"].splitlines()
    assert table[0] == "| expectation | column | unexpected | sample values |"
    assert len(table) == 2 + 6
    assert (
        "| expect_column_values_to_be_in_set | device | 1 of 6 rows (16.7 %) unexpected "
        "| 'tablet' |" in table
    )
    assert [f["unexpected_count"] for f in meta["failures_json"]] == [1, 1, 2, 2, 1, 2]
    assert meta["failures_json"][1]["samples"] == ["'tablet'"]
    assert meta["failures_json"][1]["summary"].endswith("e.g. 'tablet'")


def test_check_result_of_a_passed_validation_without_rows() -> None:
    validation = Validation(suite="s", passed=True, evaluated=2, failed=(), rows=None)

    result = check_result(
        validation,
        asset_key=ORDERS,
        check_name="gx",
        severity=AssetCheckSeverity.WARN,
        description="custom",
    )

    assert result.passed
    assert (result.severity, result.description) == (AssetCheckSeverity.WARN, "custom")
    assert "rows_validated" not in result.metadata
    assert result.metadata["failed_expectations"].value == 0
    assert result.metadata["failures_json"].value == []
    assert result.metadata["failures"].value == "All 2 expectations of `s` passed."


def test_markdown_cells_escape_pipes() -> None:
    odd = FailedExpectation(
        expectation="expect_column_values_to_be_in_set",
        column="device",
        unexpected_count=1,
        samples=("'a|b'",),
    )
    validation = Validation(suite="s", passed=False, evaluated=1, failed=(odd,), rows=None)

    table = check_result(validation, asset_key=ORDERS, check_name="gx").metadata["failures"]

    assert table.value.splitlines()[-1] == (
        "| expect_column_values_to_be_in_set | device | 1 unexpected | 'a\\|b' |"
    )


def test_importing_the_module_does_not_import_great_expectations() -> None:
    # The code location imports this module at load; GX costs seconds to import.
    code = (
        "import sys, ecommerce_assets.lib.expectations; "
        "sys.exit('great_expectations' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
