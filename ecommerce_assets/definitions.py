"""The Dagster code location: every asset, check, job and resource of the lakehouse."""

from __future__ import annotations

from dagster import Definitions, define_asset_job

from ecommerce_assets.defs.platform.round_trip import platform_round_trip, trino_sees_both_writers
from ecommerce_assets.resources import build_resources
from ecommerce_assets.settings import get_settings

# What `lakehouse run` (the README's main command) materializes.
main_job_name = "platform_round_trip_job"

platform_round_trip_job = define_asset_job(
    main_job_name,
    selection=[platform_round_trip],
    description="Prove pyiceberg, Spark and Trino share one Iceberg catalog.",
)

defs = Definitions(
    assets=[platform_round_trip],
    asset_checks=[trino_sees_both_writers],
    jobs=[platform_round_trip_job],
    resources=build_resources(get_settings()),
)
