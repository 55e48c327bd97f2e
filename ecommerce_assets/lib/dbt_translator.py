"""How dbt nodes become Dagster assets: one rule, Iceberg identifier = asset key.

- A model is the asset ``<schema>/<alias>`` of the relation it writes (``gold/fct_orders``,
  ``staging/stg_orders``), from the schema dbt resolved (``generate_schema_name`` makes
  ``schema: gold`` land in ``gold``), so the key is the Trino/Iceberg identifier.
- A source is the asset of the table it reads (``silver/orders``): the asset the Spark
  silver layer writes, so lineage runs kafka → bronze → silver → gold without a gap.
  ``meta.dagster.asset_key`` on a node still wins, as in dagster-dbt.
- Groups are layers: ``staging``, ``intermediate``, ``gold`` (the schema).
- Incremental models are partitioned by UTC day with the partitions silver shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey, AssetSpec, PartitionsDefinition
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from ecommerce_assets.lib.partitions import DAILY_PARTITIONS

#: dbt's selection of the models built by day.
INCREMENTAL = "config.materialized:incremental"
#: The models rebuilt whole: every other kind the project uses, named rather than
#: `--exclude`d, because an exclusion also drops the tests that read an excluded model (a
#: test of ``daily_sales`` that reads ``fct_payments`` would not become a check of it).
#: A new kind (seeds, snapshots) must be added here; a unit test says so.
WHOLE = "config.materialized:table config.materialized:view"

_RELATIONS = {"model", "seed", "snapshot"}


def is_incremental(props: Mapping[str, Any]) -> bool:
    return props.get("config", {}).get("materialized") == "incremental"


class LakehouseDbtTranslator(DagsterDbtTranslator):
    """The lakehouse's naming, groups, descriptions and partitions for dbt nodes."""

    def __init__(self) -> None:
        # Code references: the UI links each asset to its .sql file (model code lives in
        # dbt_project/models/<folder>/, not under defs/).
        super().__init__(DagsterDbtTranslatorSettings(enable_code_references=True))

    # The key is decided here, not in get_asset_spec, because dagster-dbt also calls
    # get_asset_key on its own (e.g. to name a dbt event's upstream assets).
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        props = dbt_resource_props
        if props.get("meta", {}).get("dagster", {}).get("asset_key") or props.get("config", {}).get(
            "meta", {}
        ).get("dagster", {}).get("asset_key"):
            return super().get_asset_key(props)
        if props["resource_type"] == "source":
            return AssetKey([props["schema"], props["identifier"]])
        if props["resource_type"] in _RELATIONS:
            return AssetKey([props["schema"], props.get("alias") or props["name"]])
        return super().get_asset_key(props)

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] not in _RELATIONS:
            return spec
        materialized = props.get("config", {}).get("materialized", "")
        identifier = ".".join(spec.key.path)
        description = (props.get("description") or "").strip() or f"dbt model {props['name']}"
        return spec.replace_attributes(
            group_name=props["schema"],
            description=f"{description} ({materialized} {identifier}, built by dbt on Trino)",
            partitions_def=self.get_partitions_def(props),
            kinds={"dbt", "trino", *(["iceberg"] if materialized != "view" else [])},
        ).merge_attributes(metadata={"dagster/table_name": identifier})

    def get_partitions_def(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> PartitionsDefinition | None:
        return DAILY_PARTITIONS if is_incremental(dbt_resource_props) else None
