"""Metadata every Iceberg-backed asset reports: row count, schema, a preview, its snapshot."""

from __future__ import annotations

from typing import Any

from dagster import MetadataValue, TableColumn, TableSchema
from pyiceberg.catalog import Catalog

_PREVIEW_CELL = 60


def _cell(value: Any) -> str:
    text = value.hex()[:16] + "…" if isinstance(value, bytes) else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= _PREVIEW_CELL else text[: _PREVIEW_CELL - 1] + "…"


def markdown_preview(rows: list[dict[str, Any]], columns: list[str]) -> str:
    header = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = "".join("| " + " | ".join(_cell(row[c]) for c in columns) + " |\n" for row in rows)
    return header + body


def iceberg_table_metadata(
    catalog: Catalog, identifier: str, preview_rows: int = 5
) -> dict[str, Any]:
    """Row count (from the snapshot summary, no scan), schema, first rows, snapshot id."""
    table = catalog.load_table(identifier)
    snapshot = table.current_snapshot()
    total = int(snapshot.summary["total-records"]) if snapshot and snapshot.summary else 0
    fields = table.schema().fields
    schema = TableSchema(
        columns=[TableColumn(f.name, str(f.field_type), description=f.doc or None) for f in fields]
    )
    columns = [f.name for f in fields]
    preview = table.scan(limit=preview_rows).to_arrow().to_pylist() if total else []
    return {
        "dagster/row_count": MetadataValue.int(total),
        "dagster/column_schema": schema,
        "dagster/table_name": MetadataValue.text(identifier),
        "preview": MetadataValue.md(markdown_preview(preview, columns)),
        "snapshot_id": MetadataValue.int(snapshot.snapshot_id if snapshot else 0),
        "location": MetadataValue.path(table.location()),
    }
