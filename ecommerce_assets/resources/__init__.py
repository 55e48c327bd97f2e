"""Dagster resources, each built from the one settings object."""

from __future__ import annotations

from typing import Any

from ecommerce_assets.resources.alerts import AlertsResource
from ecommerce_assets.resources.bronze import BronzeResource
from ecommerce_assets.resources.dbt import LakehouseDbtResource
from ecommerce_assets.resources.iceberg import IcebergCatalogResource
from ecommerce_assets.resources.kafka import KafkaResource
from ecommerce_assets.resources.spark import LakehouseSparkResource
from ecommerce_assets.resources.trino import TrinoResource
from ecommerce_assets.settings import LakehouseSettings


def build_resources(settings: LakehouseSettings) -> dict[str, Any]:
    """The resources of every asset, keyed by the parameter name assets use."""
    return {
        "iceberg": IcebergCatalogResource.from_settings(settings),
        "spark": LakehouseSparkResource.from_settings(settings),
        "kafka": KafkaResource.from_settings(settings),
        "trino": TrinoResource.from_settings(settings),
        "bronze": BronzeResource.from_settings(settings),
        "dbt": LakehouseDbtResource.from_settings(settings),
        "alerts": AlertsResource.from_settings(settings),
    }


__all__ = [
    "AlertsResource",
    "BronzeResource",
    "IcebergCatalogResource",
    "KafkaResource",
    "LakehouseDbtResource",
    "LakehouseSparkResource",
    "TrinoResource",
    "build_resources",
]
