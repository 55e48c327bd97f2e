"""The code location's shape as plain JSON: assets (deps, partitions, checks, automation
condition, concurrency pools, freshness), jobs, schedules, sensors.

``tests/unit/test_definitions.py`` compares it with ``snapshots/definitions.json``, so an
accidental change to the graph shows in review as a diff of that file. After an
intended change, rewrite the file and commit it with the change::

    uv run python -m tests.unit.graph_snapshot
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dagster import Definitions

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def _partitions(definition: Any) -> str | None:
    return None if definition is None else str(definition)


def _freshness(policy: Any) -> str | None:
    if policy is None:
        return None
    fail, warn = policy.fail_window.to_timedelta(), policy.warn_window
    return f"fail {fail}" + (f", warn {warn.to_timedelta()}" if warn else "")


def snapshot(defs: Definitions) -> dict[str, Any]:
    graph = defs.resolve_asset_graph()
    assets: dict[str, Any] = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "materializable": node.is_materializable,
            "deps": sorted(dep.to_user_string() for dep in node.parent_keys),
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "partitions": _partitions(node.partitions_def),
            "automation_condition": (
                node.automation_condition.get_label() or type(node.automation_condition).__name__
                if node.automation_condition
                else None
            ),
            "checks": sorted(k.name for k in node.check_keys),
            "pools": sorted(node.pools or ()),
            "freshness": _freshness(node.freshness_policy),
        }
    jobs = {
        job.name: {
            "assets": sorted(k.to_user_string() for k in job.asset_layer.executable_asset_keys),
            "checks": sorted(
                f"{k.asset_key.to_user_string()}:{k.name}"
                for k in job.asset_layer.asset_graph.asset_check_keys
            ),
            "tags": dict(job.tags),
        }
        for job in defs.resolve_all_job_defs()
        if not job.name.startswith("__")
    }
    schedules = {
        schedule.name: {
            "job": schedule.job_name,
            "cron": schedule.cron_schedule,
            "timezone": schedule.execution_timezone,
        }
        for schedule in defs.schedules or []
    }
    sensors = {
        sensor.name: {
            "jobs": sorted(target.job_name for target in sensor.targets),
            "default_status": sensor.default_status.value,
            "minimum_interval_seconds": sensor.minimum_interval_seconds,
        }
        for sensor in defs.sensors or []
    }
    return {
        "assets": assets,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
        "resources": sorted(defs.resources or {}),
    }


def render(defs: Definitions) -> str:
    return json.dumps(snapshot(defs), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    from ecommerce_assets.definitions import defs

    SNAPSHOT.write_text(render(defs))
    print(f"wrote {SNAPSHOT}")
