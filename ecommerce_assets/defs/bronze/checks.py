"""Checks on every ``bronze/<stream>``: Kafka reconciliation and the dead-letter share.

- ``reconciles_with_kafka`` (error): bronze rows + dead letters = committed Kafka
  records, per partition, and no Kafka coordinate twice (exactly once). Duplicate event
  ids are reported, not failed: bronze keeps what arrived, silver deduplicates.
- ``dead_letter_share`` (warn): the stream's dead letters stay under
  ``LAKEHOUSE_BRONZE_DEAD_LETTER_WARN_SHARE`` of its records.
"""

from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    MetadataValue,
    multi_asset_check,
)

from ecommerce_assets.lib.bronze_reconciliation import TopicReconciliation, reconcile_bronze
from ecommerce_assets.lib.naming import STREAMS, bronze_key, stream_of
from ecommerce_assets.resources import BronzeResource, TrinoResource

RECONCILES = "reconciles_with_kafka"
DEAD_LETTER_SHARE = "dead_letter_share"


def _specs() -> list[AssetCheckSpec]:
    specs = []
    for stream in STREAMS:
        specs.append(
            AssetCheckSpec(
                RECONCILES,
                asset=bronze_key(stream),
                description=(
                    "Per Kafka partition, bronze rows + dead letters = the records the "
                    "checkpoint committed; no Kafka coordinate appears twice."
                ),
                blocking=True,
            )
        )
        specs.append(
            AssetCheckSpec(
                DEAD_LETTER_SHARE,
                asset=bronze_key(stream),
                description="Dead letters stay under the share set in the settings (warns).",
            )
        )
    return specs


def _reconciliation_result(result: TopicReconciliation) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=bronze_key(result.stream),
        check_name=RECONCILES,
        passed=result.ok,
        description=result.describe(),
        metadata={
            "topic": result.topic,
            "committed_records": MetadataValue.int(result.committed_records),
            "bronze_rows": MetadataValue.int(result.bronze_rows),
            "dead_letters": MetadataValue.int(result.dead_letters),
            "missing": MetadataValue.int(result.missing),
            "duplicate_coordinates": MetadataValue.int(result.duplicate_coordinates),
            "duplicate_event_ids": MetadataValue.int(result.duplicate_event_ids),
            "by_partition": MetadataValue.json(
                {
                    str(p.partition): {
                        "committed": p.committed_records,
                        "bronze_rows": p.bronze_rows,
                        "dead_letters": p.dead_letters,
                        "missing": p.missing,
                    }
                    for p in result.partitions
                }
            ),
        },
    )


def _share_result(result: TopicReconciliation, threshold: float) -> AssetCheckResult:
    share = result.dead_letter_share
    return AssetCheckResult(
        asset_key=bronze_key(result.stream),
        check_name=DEAD_LETTER_SHARE,
        passed=share <= threshold,
        severity=AssetCheckSeverity.WARN,
        description=f"{share:.3%} of {result.topic}'s records are dead letters "
        f"(threshold {threshold:.3%})",
        metadata={
            "dead_letters": MetadataValue.int(result.dead_letters),
            "records": MetadataValue.int(result.bronze_rows + result.dead_letters),
            "share": MetadataValue.float(round(share, 6)),
            "threshold": MetadataValue.float(threshold),
        },
    )


@multi_asset_check(specs=_specs(), can_subset=True, name="bronze_checks")
def bronze_checks(
    context: AssetCheckExecutionContext, trino: TrinoResource, bronze: BronzeResource
) -> Iterator[AssetCheckResult]:
    selected = context.selected_asset_check_keys
    streams = sorted({s for key in selected if (s := stream_of(key.asset_key))})
    threshold = bronze.dead_letter_warn_share
    for result in reconcile_bronze(trino, bronze, streams):
        key = bronze_key(result.stream)
        if any(k.asset_key == key and k.name == RECONCILES for k in selected):
            yield _reconciliation_result(result)
        if any(k.asset_key == key and k.name == DEAD_LETTER_SHARE for k in selected):
            yield _share_result(result, threshold)
