"""A small code location for the alert test: our alert sensor, resource and freshness
policies, over two probe tables. ``silver/alert_probe``'s check fails while the state
file says a day has no rows; ``bronze/stale_probe`` goes stale after its (test) window.

The settings (channels, windows, interval) come from the environment as in production.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetKey,
    Definitions,
    MaterializeResult,
    asset,
    asset_check,
)

from ecommerce_assets.defs.alerts.sensor import lakehouse_alerts
from ecommerce_assets.lib.freshness import with_freshness
from ecommerce_assets.resources.alerts import AlertsResource
from ecommerce_assets.settings import get_settings

#: The test writes the probe's rows per day here: {"2024-11-25": 0} makes the check fail.
STATE_FILE = "ALERT_PROBE_STATE"


def probe_rows() -> dict[str, int]:
    return json.loads(Path(os.environ[STATE_FILE]).read_text())


@asset(key=AssetKey(["silver", "alert_probe"]))
def alert_probe() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": sum(probe_rows().values())})


@asset_check(asset=alert_probe, description="Every day of the probe has at least one row.")
def probe_has_rows() -> AssetCheckResult:
    rows = probe_rows()
    empty = sorted(day for day, count in rows.items() if count == 0)
    return AssetCheckResult(passed=not empty, metadata={"empty_days": empty, "rows_by_day": rows})


@asset(key=AssetKey(["bronze", "stale_probe"]))
def stale_probe() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 1})


defs = with_freshness(
    Definitions(
        assets=[alert_probe, stale_probe],
        asset_checks=[probe_has_rows],
        sensors=[lakehouse_alerts],
        resources={"alerts": AlertsResource.from_settings(get_settings())},
    ),
    get_settings(),
)
