"""dbt's manifest of the gold project, read the way the tests state expectations."""

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from dagster import AssetKey

from ecommerce_assets.defs.gold.project import GOLD_PROJECT


@cache
def manifest() -> Mapping[str, Any]:
    return json.loads(GOLD_PROJECT.manifest_path.read_text())


def models() -> dict[str, Mapping[str, Any]]:
    return {n["name"]: n for n in manifest()["nodes"].values() if n["resource_type"] == "model"}


def model_key(name: str) -> AssetKey:
    node = models()[name]
    return AssetKey([node["schema"], name])


def expected_checks() -> set[tuple[AssetKey, str]]:
    """Each dbt test, on the model it guards: a generic test's attached model, a singular
    test's only ref, or the one it names in meta.dagster.ref."""
    expected = set()
    for node in manifest()["nodes"].values():
        if node["resource_type"] != "test":
            continue
        guarded = node.get("attached_node")
        named = node["config"].get("meta", {}).get("dagster", {}).get("ref", {}).get("name")
        parents = [p for p in manifest()["parent_map"][node["unique_id"]] if p.startswith("model.")]
        if named:
            guarded = next(p for p in parents if p.split(".")[-1] == named)
        elif guarded is None and len(set(parents)) == 1:
            guarded = parents[0]
        assert guarded, f"test {node['name']} guards no single model: name it in meta.dagster.ref"
        expected.add((model_key(manifest()["nodes"][guarded]["name"]), node["name"]))
    return expected
