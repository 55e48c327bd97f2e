"""A snapshot of the asset graph: an accidental change to keys, edges or checks shows here."""

from dagster import AssetKey

from ecommerce_assets.definitions import defs, main_job_name

EXPECTED_ASSETS: dict[str, set[str]] = {
    # asset key -> keys of its upstream assets
    "platform/round_trip": set(),
}
EXPECTED_CHECKS = {("platform/round_trip", "trino_sees_both_writers")}


def test_asset_graph_matches_the_snapshot() -> None:
    graph = defs.resolve_asset_graph()
    actual = {
        key.to_user_string(): {dep.to_user_string() for dep in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable
    }
    assert actual == EXPECTED_ASSETS


def test_asset_checks_match_the_snapshot() -> None:
    graph = defs.resolve_asset_graph()
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    assert checks == EXPECTED_CHECKS


def test_main_job_selects_the_round_trip() -> None:
    job = defs.resolve_job_def(main_job_name)
    assert AssetKey(["platform", "round_trip"]) in job.asset_layer.executable_asset_keys


def test_every_resource_the_assets_need_is_defined() -> None:
    assert {"iceberg", "spark", "kafka", "trino"} <= set(defs.resources or {})
