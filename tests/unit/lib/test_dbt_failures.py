"""A failed dbt test's compiled SQL is found where dbt wrote it, and a passing check is
left as it was."""

from pathlib import Path

from dagster import AssetCheckResult

from ecommerce_assets.lib.dbt_failures import compiled_sql_path, with_failing_rows
from ecommerce_assets.resources.trino import TrinoResource

TARGET = Path("/runs/abc/target")
#: Nothing listens on port 9 (discard): a Trino that cannot be reached.
UNREACHABLE = TrinoResource(host="127.0.0.1", port=9, user="u", catalog="iceberg")


def test_a_singular_test_is_compiled_under_its_own_path() -> None:
    node = {"package_name": "shop", "original_file_path": "tests/order_total_adds_up.sql",
            "path": "order_total_adds_up.sql"}  # fmt: skip
    assert compiled_sql_path(TARGET, node) == Path(
        "/runs/abc/target/compiled/shop/tests/order_total_adds_up.sql"
    )


def test_a_generic_test_is_compiled_under_the_yaml_that_declares_it() -> None:
    node = {"package_name": "shop", "original_file_path": "models/marts/core/_core.yml",
            "path": "unique_fct_orders_order_id.sql"}  # fmt: skip
    assert compiled_sql_path(TARGET, node) == Path(
        "/runs/abc/target/compiled/shop/models/marts/core/_core.yml/unique_fct_orders_order_id.sql"
    )


def test_a_passing_check_is_returned_untouched_without_asking_trino() -> None:
    passed = AssetCheckResult(passed=True, asset_key="gold/x", check_name="c",
                              metadata={"unique_id": "test.shop.c"})  # fmt: skip
    assert with_failing_rows(passed, {"nodes": {}}, TARGET, UNREACHABLE) is passed


def test_a_sample_that_cannot_be_read_is_reported_not_raised(tmp_path: Path) -> None:
    failed = AssetCheckResult(passed=False, asset_key="gold/x", check_name="c",
                              metadata={"unique_id": "test.shop.c"})  # fmt: skip
    node = {"package_name": "shop", "original_file_path": "tests/c.sql", "path": "c.sql"}
    result = with_failing_rows(failed, {"nodes": {"test.shop.c": node}}, tmp_path, UNREACHABLE)
    assert not result.passed
    assert "could not read the failing rows" in str(result.metadata["failing_rows"].value)
    assert result.metadata["failing_rows_sql"].value.endswith("compiled/shop/tests/c.sql")
