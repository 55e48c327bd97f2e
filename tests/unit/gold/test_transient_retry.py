"""A dbt step whose Trino refuses connections is retried; real dbt, a real refused port."""

import socket

import pytest
from dagster import AssetKey, DagsterEventType, materialize

from ecommerce_assets.defs.gold.assets import gold_whole
from ecommerce_assets.lib import transient_errors
from ecommerce_assets.resources import LakehouseDbtResource, TrinoResource
from ecommerce_assets.settings import load_settings


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_dbt_step_is_retried_when_trino_refuses_connections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transient_errors, "SECONDS_BETWEEN", 0)
    monkeypatch.setattr(transient_errors, "MAX_RETRIES", 1)
    settings = load_settings(trino_port=_closed_port())
    result = materialize(
        [gold_whole],
        selection=[AssetKey(["gold", "dim_date"])],
        resources={
            "dbt": LakehouseDbtResource.from_settings(settings),
            "trino": TrinoResource.from_settings(settings),
        },
        raise_on_error=False,
    )
    assert not result.success
    kinds = [event.event_type for event in result.all_events]
    # Tried twice (the attempt and one retry, as configured), then the step failed.
    assert kinds.count(DagsterEventType.STEP_UP_FOR_RETRY) == 1
    assert kinds.count(DagsterEventType.STEP_RESTARTED) == 1
    assert kinds.count(DagsterEventType.STEP_FAILURE) == 1
    retry = next(e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY)
    assert "Connection refused" in str(retry.event_specific_data)
