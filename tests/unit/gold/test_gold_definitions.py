"""Gold's dbt models as Dagster assets: keys, partitions, lineage from Kafka, checks, job.

Expectations are derived from dbt's manifest (the models the project has), so these
tests state the rules; the graph snapshot (tests/unit/test_definitions.py) pins the
exact graph.
"""

import itertools

import pytest
from dagster import AssetCheckKey, AssetKey, BackfillPolicy
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._core.definitions.dependency import NodeHandle

from ecommerce_assets.definitions import defs, gold_job_name
from ecommerce_assets.lib.dbt_selection import selected_nodes
from ecommerce_assets.lib.naming import STREAMS, topic_key
from ecommerce_assets.lib.partitions import DAILY_PARTITIONS
from tests.unit.gold.dbt_manifest import expected_checks, manifest, model_key, models

FACTS = {"fct_orders", "fct_order_items", "fct_payments", "fct_sessions"}
MARTS = {
    "daily_sales",
    "customer_lifetime_value",
    "rfm_segments",
    "product_performance",
    "conversion_funnel",
    "cohort_retention",
    "channel_attribution",
}
#: The silver table a source reads -> the stream whose topic it comes from.
SILVER_STREAM = {
    "orders": "orders",
    "order_items": "orders",
    "order_events": "orders",
    "payments": "payments",
    "customers": "customers",
    "products": "products",
    "campaigns": "campaigns",
    "sessions": "clickstream",
    "clickstream_events": "clickstream",
    "inventory": "inventory",
}


def graph() -> BaseAssetGraph:
    return defs.resolve_asset_graph()


def test_every_model_is_an_asset_keyed_schema_and_name() -> None:
    keys = graph().get_all_asset_keys()
    assert models(), "the dbt project has models"
    for name, node in models().items():
        assert AssetKey([node["schema"], name]) in keys, name
        assert graph().get(AssetKey([node["schema"], name])).group_name == node["schema"]
    gold = {name for name, node in models().items() if node["schema"] == "gold"}
    assert gold >= FACTS | MARTS
    assert {"dim_customers", "dim_products", "dim_date", "dim_campaigns"} <= gold
    assert {node["schema"] for node in models().values()} <= {"staging", "intermediate", "gold"}


def test_the_facts_are_daily_partitioned_with_one_run_per_range_and_the_rest_are_not() -> None:
    incremental = {
        n for n, node in models().items() if node["config"]["materialized"] == "incremental"
    }
    assert incremental == FACTS
    for name in models():
        key = model_key(name)
        node = graph().get(key)
        assets_def = defs.resolve_assets_def(key)
        if name in FACTS:
            assert node.partitions_def == DAILY_PARTITIONS, name
            assert assets_def.backfill_policy == BackfillPolicy.single_run(), name
        else:
            assert node.partitions_def is None, name


def test_sources_are_the_silver_assets_spark_writes() -> None:
    sources = manifest()["sources"].values()
    assert sources
    for source in sources:
        key = AssetKey(["silver", source["name"]])
        assert source["schema"] == "silver"
        node = graph().get(key)
        assert node.is_materializable and node.group_name == "silver", key
        users = {k for k in graph().get_all_asset_keys() if key in graph().get(k).parent_keys}
        assert any(k.path[0] == "staging" for k in users), f"no staging model reads {key}"
    # Nothing dbt reads is left without a producer: the only roots are the Kafka topics.
    for key in graph().get_all_asset_keys():
        if key.path[0] in ("staging", "intermediate", "gold"):
            roots = {
                k for k in graph().upstream_key_iterator(key) if not graph().get(k).parent_keys
            }
            assert roots and all(r.path[0] == "kafka" for r in roots), (key, roots)


def _sources_under(name: str) -> set[str]:
    """The silver tables a model reads, through every model it refs (from the manifest)."""
    nodes = {**manifest()["nodes"], **manifest()["sources"]}
    seen, stack, tables = set(), [models()[name]["unique_id"]], set()
    while stack:
        unique_id = stack.pop()
        if unique_id in seen:
            continue
        seen.add(unique_id)
        if unique_id.startswith("source."):
            tables.add(nodes[unique_id]["name"])
        stack.extend(manifest()["parent_map"].get(unique_id, []))
    return tables


@pytest.mark.parametrize("mart", sorted(MARTS | FACTS))
def test_lineage_runs_unbroken_from_each_kafka_topic_to_the_marts_it_feeds(mart: str) -> None:
    """Path kafka/shop_<stream> -> bronze/<stream> -> silver/<table> -> ... -> the mart,
    for every silver table the mart reads, computed on the asset graph."""
    tables = _sources_under(mart)
    assert tables, mart
    for table in tables:
        stream = SILVER_STREAM[table]
        chain = [topic_key(stream), AssetKey(["bronze", stream]), AssetKey(["silver", table])]
        # Each link is an ancestor of the next: a path of parent edges joins them.
        for upper, lower in itertools.pairwise([*chain, model_key(mart)]):
            assert upper in set(graph().upstream_key_iterator(lower)), (mart, upper, lower)
    # Every stream but inventory (no gold model reads it yet) reaches gold.
    if mart == "daily_sales":
        gold = [model_key(m) for m, node in models().items() if node["schema"] == "gold"]
        reached = {
            s
            for s in STREAMS
            if any(topic_key(s) in graph().upstream_key_iterator(k) for k in gold)
        }
        assert reached == set(STREAMS) - {"inventory"}


def test_dbt_tests_are_checks_on_the_model_they_guard() -> None:
    actual = {
        (key.asset_key, key.name)
        for key in graph().asset_check_keys
        if key.asset_key.path[0] in ("staging", "intermediate", "gold")
    }
    expected = expected_checks()
    assert actual == expected
    by_check = {name: key for key, name in actual}
    assert by_check.get("unique_fct_orders_order_id") == model_key("fct_orders")
    assert by_check.get("order_total_adds_up") == model_key("fct_orders")
    assert by_check.get("daily_net_revenue_is_captured_minus_refunded") == model_key("daily_sales")
    assert by_check.get("one_current_customer_version") == model_key("dim_customers")


def test_gold_job_builds_every_model_and_check_by_day() -> None:
    job = defs.resolve_job_def(gold_job_name)
    assert job.partitions_def == DAILY_PARTITIONS
    keys = set(job.asset_layer.executable_asset_keys)
    assert keys == {model_key(name) for name in models()}
    checks = {(k.asset_key, k.name) for k in job.asset_layer.asset_graph.asset_check_keys}
    assert checks == expected_checks()


def test_each_step_of_a_gold_run_runs_the_tests_of_its_own_checks_only() -> None:
    """Dagster splits the dbt assets into steps (models before the facts, the facts, the
    marts): each step selects its models and the tests of its checks, and no other test
    (dbt's eager indirect selection would run fct_orders' relationships test with the
    dimensions, before fct_orders is built)."""
    job = defs.resolve_job_def(gold_job_name)
    layer = job.asset_layer
    tests = {
        ".".join(n["fqn"]): n for n in manifest()["nodes"].values() if n["resource_type"] == "test"
    }
    model_of = {".".join(n["fqn"]): name for name, n in models().items()}
    seen: list[str] = []
    for node in job.graph.nodes:
        handle = NodeHandle(node.name, None)
        entities = layer.get_selected_entity_keys_for_node(handle)
        assets = {k for k in entities if isinstance(k, AssetKey)}
        checks = {k for k in entities if isinstance(k, AssetCheckKey)}
        selected = selected_nodes(layer.get_assets_def_for_node(handle), manifest(), assets, checks)
        built = {model_key(model_of[fqn]) for fqn in selected if fqn in model_of}
        assert built == assets
        for fqn in selected:
            if fqn in tests:
                seen.append(fqn)
                assert tests[fqn]["name"] in {c.name for c in checks if c.asset_key in built}, fqn
    assert sorted(seen) == sorted(tests), "every test runs in exactly one step"
    assert len(job.graph.nodes) == 3, "models before the facts, the facts, the marts"
