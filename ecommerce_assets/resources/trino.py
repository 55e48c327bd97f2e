"""Trino over DB-API, pointed at the Iceberg catalog of the profile."""

from __future__ import annotations

from typing import Any

from dagster import ConfigurableResource
from trino.dbapi import Connection, connect

from ecommerce_assets.settings import LakehouseSettings


class TrinoResource(ConfigurableResource):
    """Runs SQL on Trino; the default catalog is the shared Iceberg catalog."""

    host: str
    port: int
    user: str
    catalog: str
    http_scheme: str = "http"

    def connect(self, schema: str | None = None) -> Connection:
        return connect(
            host=self.host,
            port=self.port,
            user=self.user,
            catalog=self.catalog,
            schema=schema,
            http_scheme=self.http_scheme,
        )

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement and return all its rows."""
        with self.connect() as connection:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]

    @classmethod
    def from_settings(cls, settings: LakehouseSettings) -> TrinoResource:
        return cls(
            host=settings.trino_hostname,
            port=settings.trino_port,
            user=settings.trino_user,
            catalog=settings.trino_catalog,
            http_scheme=settings.trino_http_scheme,
        )
