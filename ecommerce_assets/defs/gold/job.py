"""``gold_job``: build every dbt model and run its tests, for a day or a range of days.

One job over both ``@dbt_assets``: the incremental facts build the run's days, the
other models are rebuilt whole (once per run, whatever the range), and Dagster orders
the steps by the models' dependencies.
"""

from dagster import AssetSelection, define_asset_job, in_process_executor

from ecommerce_assets.defs.gold.assets import gold_by_day, gold_whole

gold_job = define_asset_job(
    "gold_job",
    selection=AssetSelection.assets(gold_by_day, gold_whole),
    description="Build the gold layer with dbt on Trino and run its tests as asset checks: "
    "the daily facts for the selected days, every other model whole (partitioned like the "
    "facts: Dagster infers it from the selection).",
    # One process: the steps run one after the other anyway (each needs the one
    # before), and a process per step paid Python, Dagster and dbt start-up (~20 s) each.
    executor_def=in_process_executor,
)
