import pytest
from dagster import RetryRequested

from ecommerce_assets.lib.transient_errors import (
    MAX_RETRIES,
    SECONDS_BETWEEN,
    retry_if_transient,
    transient_cause,
)

# What Spark raises when the Iceberg REST catalog restarts mid-commit (trimmed trace).
SPARK_CATALOG_DOWN = (
    "An error occurred while calling o123.sql.\n: org.apache.iceberg.exceptions."
    "RESTException: Error occurred while processing POST request\n\tat org.apache.iceberg."
    "rest.ErrorHandlers...\nCaused by: org.apache.hc.client5.http.HttpHostConnectException: "
    "Connect to http://127.0.0.1:8181 failed: Connection refused"
)
DBT_TRINO_DOWN = (
    "The dbt CLI process with command\n\n`dbt build --select fct_orders`\n\nfailed with exit "
    "code `2`.\n\nErrors parsed from dbt logs:\n\nDatabase Error\n  "
    "HTTPConnectionPool(host='127.0.0.1', port=8080): Max retries exceeded with url: "
    "/v1/statement (Caused by NewConnectionError('Failed to establish a new connection: "
    "[Errno 111] Connection refused'))"
)
DBT_TEST_FAILED = (
    "The dbt CLI process with command\n\n`dbt build --select fct_orders`\n\nfailed with exit "
    "code `1`.\n\nErrors parsed from dbt logs:\n\nFailure in test order_total_adds_up "
    "(tests/order_total_adds_up.sql)\n  Got 1 result, configured to fail if != 0"
)
TRINO_SYNTAX = "TrinoUserError(type=USER_ERROR, name=COLUMN_NOT_FOUND, message=\"Column 'x'\")"


def test_service_outages_are_transient_and_data_errors_are_not() -> None:
    assert transient_cause(RuntimeError(SPARK_CATALOG_DOWN)) is not None
    assert transient_cause(RuntimeError(DBT_TRINO_DOWN)) is not None
    assert transient_cause(RuntimeError("SERVER_STARTING_UP: Trino server is still starting"))
    assert transient_cause(RuntimeError(DBT_TEST_FAILED)) is None
    assert transient_cause(ValueError(TRINO_SYNTAX)) is None


def test_a_wrapped_cause_counts() -> None:
    try:
        try:
            raise ConnectionRefusedError("[Errno 111] Connection refused")
        except ConnectionRefusedError as inner:
            raise RuntimeError("silver for 2025-09-01 failed") from inner
    except RuntimeError as outer:
        assert transient_cause(outer) == "Connection refused"


def test_transient_errors_request_a_retry_and_others_pass_through() -> None:
    logged: list[str] = []
    with pytest.raises(RetryRequested) as raised:
        retry_if_transient(RuntimeError(DBT_TRINO_DOWN), "dbt build (gold_by_day)", logged.append)
    assert raised.value.max_retries == MAX_RETRIES
    assert raised.value.seconds_to_wait == SECONDS_BETWEEN
    assert "dbt build (gold_by_day) failed on a transient error" in logged[0]

    retry_if_transient(RuntimeError(DBT_TEST_FAILED), "dbt build (gold_by_day)", logged.append)
    assert len(logged) == 1
