"""The Dagster code location: every asset, check, job, sensor and resource of the lakehouse."""

from __future__ import annotations

from dagster import Definitions, define_asset_job

from ecommerce_assets.defs.bronze.ingest import bronze_ingest
from ecommerce_assets.defs.bronze.sensor import bronze_ingest_job, bronze_kafka_sensor
from ecommerce_assets.defs.bronze.topics import kafka_topics
from ecommerce_assets.defs.platform.round_trip import platform_round_trip, trino_sees_both_writers
from ecommerce_assets.resources import build_resources
from ecommerce_assets.settings import get_settings

platform_round_trip_job = define_asset_job(
    "platform_round_trip_job",
    selection=[platform_round_trip],
    description="Prove pyiceberg, Spark and Trino share one Iceberg catalog.",
)

# What `lakehouse run` (the README's main command) materializes after generating data.
main_job_name = bronze_ingest_job.name

defs = Definitions(
    assets=[*kafka_topics, bronze_ingest, platform_round_trip],
    asset_checks=[trino_sees_both_writers],
    jobs=[bronze_ingest_job, platform_round_trip_job],
    sensors=[bronze_kafka_sensor],
    resources=build_resources(get_settings()),
)
