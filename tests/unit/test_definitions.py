"""The code location's shape: the asset graph, its checks, jobs and sensors.

``snapshots/definitions.json`` holds all of it (groups, kinds, partitions, automation
conditions, job selections, schedules, sensor targets); the tests below also say in
plain terms what must hold whatever the snapshot says. The dbt layers (staging,
intermediate, gold) are derived from dbt's manifest here; tests/unit/gold/ states their
rules (keys, partitions, lineage, checks).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, BackfillPolicy, DailyPartitionsDefinition

from ecommerce_assets.definitions import defs, gold_job_name, main_job_name, silver_job_name
from ecommerce_assets.settings import PROJECT_ROOT
from tests.unit.gold.dbt_manifest import expected_checks, manifest, model_key, models
from tests.unit.graph_snapshot import SNAPSHOT, render

#: Layers built by dbt (dbt_project/models/), whose assets are defined in defs/gold/.
DBT_LAYERS = ("staging", "intermediate", "gold")

STREAMS = ("campaigns", "clickstream", "customers", "inventory", "orders", "payments", "products")
TOPICS = {s: f"kafka/shop_{s}" for s in STREAMS}
#: Silver table -> the bronze stream it holds one row per event of.
SILVER_EVENTS = {
    "clickstream_events": "clickstream",
    "orders": "orders",
    "order_events": "orders",
    "payments": "payments",
    "customers": "customers",
    "products": "products",
    "inventory": "inventory",
    "campaigns": "campaigns",
}
EXPECTED_ASSETS: dict[str, set[str]] = {
    # asset key -> keys of its upstream assets
    "platform/round_trip": set(),
    **{f"bronze/{s}": {TOPICS[s]} for s in STREAMS},
    "bronze/dead_letters": set(TOPICS.values()),
    **{f"silver/{t}": {f"bronze/{s}"} for t, s in SILVER_EVENTS.items()},
    "silver/order_items": {"silver/orders"},
    "silver/sessions": {"silver/clickstream_events"},
    "silver/quarantine": {f"bronze/{s}" for s in STREAMS},
}
EXPECTED_CHECKS = (
    {("platform/round_trip", "trino_sees_both_writers")}
    | {
        (f"bronze/{s}", check)
        for s in STREAMS
        for check in ("reconciles_with_kafka", "dead_letter_share", "envelope_expectations")
    }
    | {(f"silver/{t}", "reconciles_with_bronze") for t in [*SILVER_EVENTS, "quarantine"]}
    | {
        (f"silver/{t}", "expectations")
        for t in [*SILVER_EVENTS, "order_items", "sessions", "quarantine"]
    }
    | {("silver/orders", "customers_exist"), ("silver/order_items", "products_exist")}
)


def test_definitions_match_the_snapshot() -> None:
    assert SNAPSHOT.read_text() == render(defs), (
        "the code location changed; if that is intended, run "
        "`uv run python -m tests.unit.graph_snapshot` and commit snapshots/definitions.json"
    )


def _dbt_assets() -> dict[str, set[str]]:
    """Each dbt model's key -> the keys of what it reads (models and silver sources)."""
    nodes = {**manifest()["nodes"], **manifest()["sources"]}

    def key(unique_id: str) -> str:
        node = nodes[unique_id]
        return (
            f"{node['schema']}/{node['alias'] if unique_id.startswith('model.') else node['name']}"
        )

    return {
        model_key(name).to_user_string(): {key(p) for p in manifest()["parent_map"][n["unique_id"]]}
        for name, n in models().items()
    }


def test_asset_graph_keys_and_edges() -> None:
    graph = defs.resolve_asset_graph()
    actual = {
        key.to_user_string(): {dep.to_user_string() for dep in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable
    }
    assert actual == {**EXPECTED_ASSETS, **_dbt_assets()}


def test_asset_checks_guard_their_tables() -> None:
    graph = defs.resolve_asset_graph()
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    dbt_checks = {(key.to_user_string(), name) for key, name in expected_checks()}
    assert checks == EXPECTED_CHECKS | dbt_checks


def test_kafka_topics_are_external_source_assets() -> None:
    graph = defs.resolve_asset_graph()
    external = {
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if not graph.get(key).is_materializable
    }
    assert external == set(TOPICS.values())


def test_every_table_asset_is_named_like_its_code() -> None:
    """Iceberg identifier = asset key = path: bronze/<x> is defined under defs/bronze/;
    a dbt model's asset is defined under defs/gold/ and its code reference is its SQL
    file, ``<schema>/<name>`` -> dbt_project/models/.../<name>.sql."""
    for job in defs.resolve_all_job_defs():
        for key in job.asset_layer.executable_asset_keys:
            layer = key.path[0]
            assets_def = defs.resolve_assets_def(key)
            module = sys.modules[assets_def.op.compute_fn.decorated_fn.__module__]
            defined_in = "gold" if layer in DBT_LAYERS else layer
            assert f"/defs/{defined_in}/" in str(module.__file__), (key, module.__file__)
            if layer in DBT_LAYERS:
                [reference] = (
                    assets_def.specs_by_key[key].metadata["dagster/code_references"].code_references
                )
                sql = Path(reference.file_path)
                assert sql.name == f"{key.path[-1]}.sql", (key, sql)
                assert sql.is_relative_to(PROJECT_ROOT / "dbt_project" / "models"), (key, sql)


def test_main_job_ingests_every_bronze_table_and_checks_it() -> None:
    job = defs.resolve_job_def(main_job_name)
    keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert keys == {f"bronze/{s}" for s in STREAMS} | {"bronze/dead_letters"}
    checks = {key.asset_key.path[0] for key in job.asset_layer.asset_graph.asset_check_keys}
    assert checks == {"bronze"}


def test_the_bronze_sensor_targets_the_main_job() -> None:
    sensor = defs.resolve_sensor_def("bronze_kafka_sensor")
    assert sensor.job_name == main_job_name


@pytest.mark.parametrize("stream", STREAMS)
def test_a_bronze_run_of_one_stream_builds_with_that_streams_checks_only(stream: str) -> None:
    """What the bronze sensor asks for when one topic has new records (the daemon builds
    this subset; a check that could not be subset made it fail)."""
    selection = {AssetKey(["bronze", stream]), AssetKey(["bronze", "dead_letters"])}
    job = defs.resolve_job_def(main_job_name).get_subset(asset_selection=selection)
    checks = {
        f"{k.asset_key.to_user_string()}:{k.name}"
        for k in job.asset_layer.asset_graph.asset_check_keys
    }
    assert checks == {
        f"bronze/{stream}:{name}"
        for name in ("dead_letter_share", "envelope_expectations", "reconciles_with_kafka")
    }


def test_every_resource_the_assets_need_is_defined() -> None:
    assert {"iceberg", "spark", "kafka", "trino", "bronze", "dbt"} <= set(defs.resources or {})


def test_workspace_loads_the_code_location_as_dagster_dev_would(tmp_path: Path) -> None:
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", str(PROJECT_ROOT / "workspace.yaml")],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={"PATH": str(dagster.parent), "DAGSTER_HOME": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_silver_job_builds_every_silver_table_by_day_in_one_run_per_range() -> None:
    job = defs.resolve_job_def(silver_job_name)
    keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert keys == {k for k in EXPECTED_ASSETS if k.startswith("silver/")}
    partitions = job.partitions_def
    assert isinstance(partitions, DailyPartitionsDefinition)
    assert partitions.timezone == "UTC"
    assert partitions.start.date().isoformat() == "2024-01-01"
    silver = defs.resolve_assets_def(AssetKey(["silver", "orders"]))
    assert silver.backfill_policy is not None
    assert silver.backfill_policy == BackfillPolicy.single_run()
    checks = {key.asset_key.path[0] for key in job.asset_layer.asset_graph.asset_check_keys}
    assert checks == {"bronze", "silver"}


def test_gold_job_builds_every_dbt_model_and_its_checks_by_day() -> None:
    job = defs.resolve_job_def(gold_job_name)
    keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert keys == set(_dbt_assets())
    assert job.partitions_def == defs.resolve_job_def(silver_job_name).partitions_def
    checks = {key.asset_key.path[0] for key in job.asset_layer.asset_graph.asset_check_keys}
    assert checks == set(DBT_LAYERS)
