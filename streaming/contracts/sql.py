"""Logical types as SQL: a Spark schema to parse payloads with, Trino expressions to read
one field from a bronze record's ``raw_value``.

Both read the JSON as the contract types it, so money arrives as an exact decimal and
timestamps as instants, never as text or doubles.
"""

from __future__ import annotations

from streaming.contracts.types import (
    BOOLEAN,
    DATE,
    INT,
    MONEY,
    STRING,
    STRUCT,
    TIMESTAMP,
    Field,
    element_type,
)

_SPARK = {
    STRING: "STRING",
    INT: "INT",
    BOOLEAN: "BOOLEAN",
    MONEY: "DECIMAL(12,2)",
    DATE: "DATE",
    TIMESTAMP: "TIMESTAMP",
}
_TRINO = {
    STRING: "varchar",
    INT: "integer",
    BOOLEAN: "boolean",
    MONEY: "decimal(12,2)",
    DATE: "date",
    TIMESTAMP: "timestamp(3) with time zone",
}


def spark_type(field: Field) -> str:
    """Spark SQL type of a field, e.g. ``ARRAY<STRUCT<product_id: INT, ...>>``."""
    element = element_type(field.type)
    if element is not None:
        inner = _spark_struct(field.fields) if element == STRUCT else _SPARK[element]
        return f"ARRAY<{inner}>"
    if field.type == STRUCT:
        return _spark_struct(field.fields)
    return _SPARK[field.type]


def _spark_struct(fields: tuple[Field, ...]) -> str:
    return "STRUCT<" + ", ".join(f"`{f.name}`: {spark_type(f)}" for f in fields) + ">"


def spark_ddl(fields: tuple[Field, ...]) -> str:
    """A DDL schema for ``from_json``: ```order_id` STRING, `total` DECIMAL(12,2), ...``.

    Spark's JSON reader takes ISO-8601 text for DATE and TIMESTAMP and JSON numbers for
    DECIMAL as they are, so this schema is all silver needs to parse a payload.
    """
    return ", ".join(f"`{f.name}` {spark_type(f)}" for f in fields)


def trino_type(field: Field) -> str:
    """Trino type of a field, e.g. ``array(row(product_id integer, ...))``."""
    element = element_type(field.type)
    if element is not None:
        inner = _trino_row(field.fields) if element == STRUCT else _TRINO[element]
        return f"array({inner})"
    if field.type == STRUCT:
        return _trino_row(field.fields)
    return _TRINO[field.type]


def _trino_row(fields: tuple[Field, ...]) -> str:
    return "row(" + ", ".join(f"{f.name} {trino_type(f)}" for f in fields) + ")"


def trino_read(field: Field, column: str = "raw_value") -> str:
    """A Trino expression reading payload ``field`` from a bronze JSON column, typed."""
    path = f"'$.payload.{field.name}'"
    if field.type == STRING:
        return f"json_extract_scalar({column}, {path})"
    if field.type == TIMESTAMP:
        return f"from_iso8601_timestamp(json_extract_scalar({column}, {path}))"
    if field.type in _TRINO:
        return f"CAST(json_extract_scalar({column}, {path}) AS {_TRINO[field.type]})"
    # Arrays and structs: Trino casts JSON to them, matching row fields by name.
    return f"CAST(json_extract({column}, {path}) AS {trino_type(field)})"
