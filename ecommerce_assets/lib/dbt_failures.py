"""The rows a failed dbt test found, added to its asset check's metadata.

dagster-dbt reports a failed test with its failure count only. A data engineer opening the
check wants the offending rows: the test's compiled SQL (written by the same dbt
invocation) is run again on Trino with a limit, only when the test failed, so a passing
build pays nothing and no audit tables pile up (dbt's ``store_failures``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetCheckResult, MetadataValue, TableColumn, TableRecord, TableSchema

from ecommerce_assets.resources.trino import TrinoResource

#: How many offending rows a failed check shows.
SAMPLE_ROWS = 10


def compiled_sql_path(target_path: Path, node: Mapping[str, Any]) -> Path:
    """Where dbt wrote a test's compiled SQL in a run's target folder.

    A singular test is its own file (``tests/x.sql``); a generic test is compiled under
    the YAML file that declares it (``models/.../_core.yml/<test name>.sql``).
    """
    base = target_path / "compiled" / node["package_name"] / node["original_file_path"]
    return base if node["original_file_path"].endswith(".sql") else base / node["path"]


def failing_rows(trino: TrinoResource, sql: str, limit: int = SAMPLE_ROWS) -> MetadataValue:
    """Up to ``limit`` rows the test query returns, as a Dagster table."""
    with trino.connect() as connection:
        cursor = connection.cursor()
        cursor.execute(f"select * from (\n{sql.strip().rstrip(';')}\n) as failures limit {limit}")
        rows = cursor.fetchall()
        names = [column[0] for column in cursor.description]
    return MetadataValue.table(
        records=[TableRecord(dict(zip(names, map(_plain, row), strict=True))) for row in rows],
        schema=TableSchema(columns=[TableColumn(name) for name in names]),
    )


def with_failing_rows(
    result: AssetCheckResult, manifest: Mapping[str, Any], target_path: Path, trino: TrinoResource
) -> AssetCheckResult:
    """``result`` with ``failing_rows`` in its metadata when it failed; else unchanged.

    A sample that cannot be read (the SQL moved, Trino went away) is reported in the
    metadata instead: the check's outcome must not depend on it.
    """
    if result.passed:
        return result
    unique_id = result.metadata.get("unique_id")
    node = manifest["nodes"].get(unique_id.value if unique_id is not None else "")
    if node is None:
        return result
    path = compiled_sql_path(target_path, node)
    try:
        sample = failing_rows(trino, path.read_text())
    except Exception as error:  # the sample is a courtesy, never the verdict
        sample = MetadataValue.text(f"could not read the failing rows from {path}: {error}")
    return result._replace(
        metadata={
            **result.metadata,
            "failing_rows": sample,
            "failing_rows_sql": MetadataValue.path(str(path)),
        }
    )


def _plain(value: Any) -> Any:
    """A value Dagster's table metadata can hold (str, int, float, bool or None)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
