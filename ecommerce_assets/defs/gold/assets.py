"""``gold/*``, ``staging/*``, ``intermediate/*``: every dbt model, as two ``@dbt_assets``.

- ``gold_by_day``: the incremental facts, partitioned by UTC day like silver. A run (one
  day, or a backfill's whole range: ``BackfillPolicy.single_run``) passes its window to
  dbt as ``min_date``/``max_date`` (half-open), and the models replace exactly those days.
- ``gold_whole``: everything else (staging views, intermediate models, dimensions,
  marts), rebuilt whole on each run.

Both run ``dbt build`` on exactly the step's models and the tests of its checks
(``lib/dbt_selection.py``), so each model's tests run right after it and come back as
asset checks on that model (a failed one with the offending rows, ``lib/dbt_failures.py``);
materializations carry the table's row count and columns.
"""

import json
from collections.abc import Iterator
from typing import Any

from dagster import AssetCheckResult, AssetExecutionContext, BackfillPolicy
from dagster_dbt import dbt_assets

from ecommerce_assets.defs.gold.project import GOLD_PROJECT
from ecommerce_assets.lib.dbt_failures import with_failing_rows
from ecommerce_assets.lib.dbt_selection import INDIRECT_SELECTION, step_selection
from ecommerce_assets.lib.dbt_translator import INCREMENTAL, WHOLE, LakehouseDbtTranslator
from ecommerce_assets.lib.partitions import DAILY_PARTITIONS
from ecommerce_assets.lib.transient_errors import retry_if_transient
from ecommerce_assets.resources import LakehouseDbtResource, TrinoResource

TRANSLATOR = LakehouseDbtTranslator()
#: Concurrency pool (dagster.yaml: one at a time): two runs never run dbt at once, so
#: a day's facts and the marts rebuilt from them are never written by two runs.
GOLD_POOL = "lakehouse_gold"
MANIFEST: dict[str, Any] = json.loads(GOLD_PROJECT.manifest_path.read_text())


def _build(
    context: AssetExecutionContext,
    dbt: LakehouseDbtResource,
    trino: TrinoResource,
    args: list[str],
) -> Iterator[Any]:
    selection = step_selection(context, MANIFEST)
    invocation = dbt.cli(["build", *selection, *args], context=context, env=INDIRECT_SELECTION)
    try:
        for event in invocation.stream().fetch_row_counts().fetch_column_metadata():
            if isinstance(event, AssetCheckResult):
                # A failed test's check shows the offending rows, not only their count.
                event = with_failing_rows(event, MANIFEST, invocation.target_path, trino)
            yield event
    except Exception as error:
        # Trino or the catalog restarting: the step runs again; its models replace
        # what they build, so a retry duplicates nothing. A failed test fails the run.
        retry_if_transient(error, f"dbt build ({context.op_def.name})", context.log.warning)
        raise


@dbt_assets(
    manifest=MANIFEST,
    project=GOLD_PROJECT,
    select=INCREMENTAL,
    name="gold_by_day",
    partitions_def=DAILY_PARTITIONS,
    backfill_policy=BackfillPolicy.single_run(),
    dagster_dbt_translator=TRANSLATOR,
    pool=GOLD_POOL,
)
def gold_by_day(
    context: AssetExecutionContext, dbt: LakehouseDbtResource, trino: TrinoResource
) -> Iterator[Any]:
    window = context.partition_time_window
    days = {"min_date": window.start.date().isoformat(), "max_date": window.end.date().isoformat()}
    context.log.info(f"dbt builds the days [{days['min_date']}, {days['max_date']})")
    yield from _build(context, dbt, trino, ["--vars", json.dumps(days)])


@dbt_assets(
    manifest=MANIFEST,
    project=GOLD_PROJECT,
    select=WHOLE,
    name="gold_whole",
    dagster_dbt_translator=TRANSLATOR,
    pool=GOLD_POOL,
)
def gold_whole(
    context: AssetExecutionContext, dbt: LakehouseDbtResource, trino: TrinoResource
) -> Iterator[Any]:
    yield from _build(context, dbt, trino, [])
