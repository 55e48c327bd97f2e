"""The Iceberg catalog, as pyiceberg sees it: the same REST catalog Spark and Trino use."""

from __future__ import annotations

from dagster import ConfigurableResource
from pyiceberg.catalog import Catalog, load_catalog

from ecommerce_assets.settings import LakehouseSettings


def catalog_properties(settings: LakehouseSettings) -> dict[str, str]:
    """pyiceberg properties for the profile's catalog (also usable by dagster-iceberg)."""
    properties = {"type": "rest", "uri": settings.rest_uri}
    if settings.catalog_warehouse_id:
        properties["warehouse"] = settings.catalog_warehouse_id
    if settings.s3_endpoint:
        properties["s3.endpoint"] = settings.s3_endpoint
        properties["s3.path-style-access"] = "true"
    if settings.s3_access_key and settings.s3_secret_key:
        properties["s3.access-key-id"] = settings.s3_access_key
        properties["s3.secret-access-key"] = settings.s3_secret_key
    if settings.warehouse_uri.startswith("s3://"):
        properties["s3.region"] = settings.s3_region
    if settings.catalog_signing_name:
        properties["rest.sigv4-enabled"] = "true"
        properties["rest.signing-name"] = settings.catalog_signing_name
        properties["rest.signing-region"] = settings.s3_region
    return properties


class IcebergCatalogResource(ConfigurableResource):
    """Opens the shared Iceberg catalog with pyiceberg."""

    catalog_name: str
    properties: dict[str, str]

    def load(self) -> Catalog:
        return load_catalog(self.catalog_name, **self.properties)

    @classmethod
    def from_settings(cls, settings: LakehouseSettings) -> IcebergCatalogResource:
        return cls(catalog_name=settings.catalog_name, properties=catalog_properties(settings))
