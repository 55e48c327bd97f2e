"""Freshness policies for every bronze, silver and gold table, from the settings.

One window per layer (``freshness_<layer>_fail_after`` / ``_warn_after``), with
per-table overrides (``freshness_overrides``). Dagster's freshness daemon evaluates
them (time since the last materialization); the UI shows the state and the alert
sensor (``defs/alerts``) turns a FAIL into one notice.
"""

from __future__ import annotations

from collections.abc import Callable

from dagster import (
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Definitions,
    FreshnessPolicy,
    apply_freshness_policy,
)
from dagster._record import copy

from ecommerce_assets.settings import LakehouseSettings, env_name, freshness_window

LAYERS = ("bronze", "silver", "gold")


def freshness_policy(key: AssetKey, settings: LakehouseSettings) -> FreshnessPolicy | None:
    """The policy of one table: its override, else its layer's windows; None if off."""
    name = key.to_user_string()
    if name in settings.freshness_overrides:
        windows = freshness_window(settings.freshness_overrides[name])
        if windows is None:
            return None
        fail, warn = windows
    elif key.path[0] in LAYERS:
        layer = key.path[0]
        fail = getattr(settings, f"freshness_{layer}_fail_after")
        warn = getattr(settings, f"freshness_{layer}_warn_after")
    else:
        return None
    return FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def with_freshness(defs: Definitions, settings: LakehouseSettings) -> Definitions:
    """``defs`` with a freshness policy on every table; an override naming no table fails."""
    # The folder loader lists an assets definition once per module that imports it;
    # mapped copies would no longer be the same object, so map each one once.
    unique = list({id(assets): assets for assets in defs.assets or ()}.values())
    keys = {key.to_user_string() for assets in unique for key in _keys(assets)}
    unknown = sorted(set(settings.freshness_overrides) - keys)
    if unknown:
        raise ValueError(
            f"{env_name('freshness_overrides')}: no such table {unknown} "
            "(asset keys look like gold/fct_orders)"
        )

    def apply(spec: AssetSpec) -> AssetSpec:
        policy = freshness_policy(spec.key, settings)
        return apply_freshness_policy(spec, policy) if policy else spec

    mapped = [
        apply(assets) if isinstance(assets, AssetSpec) else _map(assets, apply) for assets in unique
    ]
    return copy(defs, assets=mapped)


def _map(assets: object, func: Callable[[AssetSpec], AssetSpec]) -> object:
    if isinstance(assets, AssetsDefinition) and assets.is_executable:
        return assets.map_asset_specs(func)
    return assets


def _keys(assets: object) -> list[AssetKey]:
    if isinstance(assets, AssetSpec):
        return [assets.key]
    return list(getattr(assets, "keys", ()))
