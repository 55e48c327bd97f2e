"""``silver_job``: build silver (and check it) for a partition or a range of days."""

from dagster import AssetSelection, define_asset_job, in_process_executor

from ecommerce_assets.defs.bronze.expectations import bronze_envelope_expectations
from ecommerce_assets.defs.silver.layer import silver_layer

silver_job = define_asset_job(
    "silver_job",
    selection=AssetSelection.assets(silver_layer)
    | AssetSelection.checks(bronze_envelope_expectations),
    description="Replace the selected days in every silver table from bronze, then check them "
    "(partitioned by day, as the silver assets are).",
    # One process and one Spark session for the build and every check.
    executor_def=in_process_executor,
)
