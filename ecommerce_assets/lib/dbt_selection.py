"""Which dbt nodes a step of a gold run builds: its models and exactly its checks' tests.

A run of ``gold_job`` has several dbt steps: the models rebuilt whole before the daily
facts (staging, intermediate, dimensions), the facts, and the marts after them (Dagster
splits ``gold_whole`` around ``gold_by_day``). dagster-dbt selects a step's models and
lets dbt add their tests by "eager" indirect selection: every test touching any selected
model. That runs tests in the wrong step: selecting ``dim_customers`` also runs the
relationships test of ``fct_orders`` (against a fact not built yet, or yesterday's), and
selecting ``fct_payments`` runs ``daily_net_revenue_is_captured_minus_refunded``, a check
on ``daily_sales`` which a later step builds. dbt's other modes are no better
(``cautious`` and ``buildable`` drop the relationships test from ``fct_orders``' step).

So a step selects its models and the tests of the checks Dagster planned for it, by
name, with indirect selection off: each test runs once, in the step of the asset it
checks, after everything it reads (a check's other refs are upstream of its step).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dagster import AssetCheckKey, AssetExecutionContext, AssetKey, AssetsDefinition
from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY

#: dbt's environment variable for indirect selection; "empty" adds no test by itself.
INDIRECT_SELECTION = {"DBT_INDIRECT_SELECTION": "empty"}


def _fqn(manifest: Mapping[str, Any], unique_id: str) -> str:
    # The fully qualified name selects one node whatever its kind (dbt's default method).
    return ".".join(manifest["nodes"][unique_id]["fqn"])


def selected_nodes(
    assets_def: AssetsDefinition,
    manifest: Mapping[str, Any],
    asset_keys: Iterable[AssetKey],
    check_keys: Iterable[AssetCheckKey],
) -> list[str]:
    """FQNs of the models of ``asset_keys`` and the tests of ``check_keys``, sorted."""
    models = [
        assets_def.specs_by_key[key].metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY]
        for key in asset_keys
    ]
    tests = [
        assets_def.get_spec_for_check_key(key).metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY]
        for key in check_keys
    ]
    return sorted(_fqn(manifest, unique_id) for unique_id in [*models, *tests])


def step_selection(context: AssetExecutionContext, manifest: Mapping[str, Any]) -> list[str]:
    """``--select`` arguments for the step's models and checks (nothing else)."""
    nodes = selected_nodes(
        context.assets_def,
        manifest,
        context.selected_asset_keys,
        context.selected_asset_check_keys,
    )
    return ["--select", " ".join(nodes)]
