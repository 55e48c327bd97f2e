"""The main job of the local profile, run through Dagster against the real stack."""

import pytest
from dagster import AssetKey, DagsterInstance, materialize
from pyspark.sql import SparkSession

from ecommerce_assets.defs.platform.round_trip import (
    PYICEBERG_ROWS,
    SPARK_ROWS,
    platform_round_trip,
    trino_sees_both_writers,
)
from ecommerce_assets.resources import build_resources
from ecommerce_assets.settings import LakehouseSettings

pytestmark = pytest.mark.integration


def test_round_trip_asset_materializes_and_its_check_passes(
    lakehouse_stack: LakehouseSettings, spark: SparkSession
) -> None:
    resources = build_resources(lakehouse_stack)
    with DagsterInstance.ephemeral() as instance:
        for _ in range(2):  # a rerun replaces the table instead of adding to it
            result = materialize(
                [platform_round_trip, trino_sees_both_writers],
                resources=resources,
                instance=instance,
            )
            assert result.success
            [event] = result.get_asset_materialization_events()
            metadata = event.materialization.metadata
            assert metadata["row_count"].value == PYICEBERG_ROWS + SPARK_ROWS
            checks = result.get_asset_check_evaluations()
            assert [(c.asset_key, c.check_name, c.passed) for c in checks] == [
                (AssetKey(["platform", "round_trip"]), "trino_sees_both_writers", True)
            ]
