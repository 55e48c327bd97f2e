"""The Dagster code location: every definition under ``defs/``, with resources from settings.

Definitions are found by Dagster's folder loader (``[tool.dg.project]`` in
pyproject.toml): a table's code is at ``defs/<layer>/``, named like its asset key.
Helpers that are not definitions live in ``lib/``.
"""

from __future__ import annotations

from pathlib import Path

from dagster import Definitions, load_from_defs_folder

from ecommerce_assets.lib.freshness import with_freshness
from ecommerce_assets.resources import build_resources
from ecommerce_assets.settings import get_settings

#: What `lakehouse run` (the README's main command) launches after generating data,
#: then ``silver_job_name`` and ``gold_job_name`` for the generated days.
main_job_name = "bronze_ingest_job"
silver_job_name = "silver_job"
gold_job_name = "gold_job"

defs = Definitions.merge(
    with_freshness(
        load_from_defs_folder(path_within_project=Path(__file__).parent), get_settings()
    ),
    Definitions(resources=build_resources(get_settings())),
)
