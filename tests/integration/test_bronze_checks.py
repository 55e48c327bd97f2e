"""The bronze checks on the real stack: they pass on a clean run and fail, saying which
topic and by how much, when a bronze row disappears behind their back."""

import uuid
from pathlib import Path

from dagster import AssetCheckEvaluation, AssetSelection, DagsterInstance, materialize
from pyspark.sql import SparkSession

from data_generators import DEFAULT_TOPICS, generate_to_kafka, make_params
from ecommerce_assets.defs.bronze.checks import DEAD_LETTER_SHARE, RECONCILES, bronze_checks
from ecommerce_assets.defs.bronze.ingest import bronze_ingest
from ecommerce_assets.lib.naming import bronze_key
from ecommerce_assets.resources import BronzeResource, TrinoResource, build_resources
from ecommerce_assets.settings import LakehouseSettings


def evaluations(result) -> dict[tuple[str, str], AssetCheckEvaluation]:
    return {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}


def test_bronze_checks_pass_then_catch_a_missing_row(
    lakehouse_stack: LakehouseSettings, spark: SparkSession, tmp_path: Path
) -> None:
    prefix = f"it.checks.{uuid.uuid4().hex[:8]}"
    topics = {stream: f"{prefix}.{stream}" for stream in DEFAULT_TOPICS}
    params = make_params(
        seed=11, customers=200, products=40, days=1, events_per_day=1_500, topics=topics,
        trouble={"duplicate_share": 0.02, "malformed_share": 0.01},
    )  # fmt: skip
    generate_to_kafka(params, lakehouse_stack.bootstrap_servers, partitions=2)
    bronze = BronzeResource(
        bootstrap_servers=lakehouse_stack.bootstrap_servers,
        checkpoint_root=(tmp_path / "checkpoints").as_uri(),
        topics=topics,
        dead_letter_warn_share=0.005,
    )
    resources = {**build_resources(lakehouse_stack), "bronze": bronze}

    with DagsterInstance.ephemeral() as instance:
        clean = materialize([bronze_ingest, bronze_checks], resources=resources, instance=instance)
        assert clean.success
        checks = evaluations(clean)
        assert len(checks) == 2 * len(DEFAULT_TOPICS)
        for stream in DEFAULT_TOPICS:
            assert checks[(stream, RECONCILES)].passed, checks[(stream, RECONCILES)].description
        clicks = checks[("clickstream", RECONCILES)].metadata
        assert clicks["missing"].value == 0
        assert clicks["duplicate_coordinates"].value == 0
        # Injected duplicates are kept in bronze and reported, not failed.
        assert clicks["duplicate_event_ids"].value > 0
        # 1 % malformed clickstream records are above a 0.5 % threshold: a warning.
        share = checks[("clickstream", DEAD_LETTER_SHARE)]
        assert not share.passed
        assert share.severity.value == "WARN"
        assert 0.005 < share.metadata["share"].value < 0.02

        trino = TrinoResource.from_settings(lakehouse_stack)
        trino.query(
            "DELETE FROM bronze.clickstream WHERE kafka_topic = ? AND kafka_partition = 1 "
            "AND kafka_offset = (SELECT min(kafka_offset) FROM bronze.clickstream "
            "WHERE kafka_topic = ? AND kafka_partition = 1)",
            [topics["clickstream"], topics["clickstream"]],
        )
        after = materialize(
            [bronze_ingest, bronze_checks],
            selection=AssetSelection.checks_for_assets(bronze_key("clickstream")),
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )
        failed = evaluations(after)[("clickstream", RECONCILES)]
        assert not failed.passed
        assert failed.metadata["missing"].value == 1
        assert failed.metadata["by_partition"].value["1"]["missing"] == 1
        assert failed.metadata["by_partition"].value["0"]["missing"] == 0
        assert f"{topics['clickstream']} does not reconcile with bronze.clickstream" in (
            failed.description or ""
        )
        assert "partition 1" in (failed.description or "")
