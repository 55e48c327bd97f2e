"""The refresh job and its triggers, as the code location defines them."""

from dagster import DefaultScheduleStatus, DefaultSensorStatus

from ecommerce_assets.definitions import defs, gold_job_name, silver_job_name


def _assets(job_name: str) -> set[str]:
    job = defs.resolve_job_def(job_name)
    return {key.to_user_string() for key in job.asset_layer.executable_asset_keys}


def _checks(job_name: str) -> set[str]:
    graph = defs.resolve_job_def(job_name).asset_layer.asset_graph
    return {f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys}


def test_the_refresh_job_is_silver_and_gold_with_every_check_by_day() -> None:
    assert _assets("refresh_days_job") == _assets(silver_job_name) | _assets(gold_job_name)
    assert _checks("refresh_days_job") == _checks(silver_job_name) | _checks(gold_job_name)
    job = defs.resolve_job_def("refresh_days_job")
    assert job.partitions_def == defs.resolve_job_def(silver_job_name).partitions_def
    assert job.executor_def.name == "in_process"


def test_every_writer_is_in_its_layers_pool() -> None:
    graph = defs.resolve_asset_graph()
    pools = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable and key.path[0] != "platform":
            pools[key.to_user_string()] = node.pools
    assert pools
    for name, pool in pools.items():
        layer = "gold" if name.split("/")[0] in {"staging", "intermediate", "gold"} else None
        assert pool == {f"lakehouse_{layer or name.split('/')[0]}"}, name


def test_the_sensors_and_the_schedule_run_by_default() -> None:
    sensors = {s.name: s for s in defs.sensors or []}
    refresh = sensors["refresh_touched_days_sensor"]
    assert refresh.job_name == "refresh_days_job"
    assert refresh.default_status == DefaultSensorStatus.RUNNING
    assert refresh.minimum_interval_seconds == 30
    assert sensors["bronze_kafka_sensor"].default_status == DefaultSensorStatus.RUNNING
    schedules = {s.name: s for s in defs.schedules or []}
    daily = schedules["daily_refresh_schedule"]
    assert daily.job_name == "refresh_days_job"
    assert daily.default_status == DefaultScheduleStatus.RUNNING
