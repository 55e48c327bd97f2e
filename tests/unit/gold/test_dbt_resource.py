"""dbt run by Dagster reaches the settings' Trino and nothing leaks into the process."""

import os
from pathlib import Path

import pytest

from ecommerce_assets.lib.dbt_selection import INDIRECT_SELECTION
from ecommerce_assets.resources import LakehouseDbtResource
from ecommerce_assets.settings import load_settings


def _listed(resource: LakehouseDbtResource, target: Path, **kwargs: object) -> set[str]:
    invocation = resource.cli(
        ["ls", "--select", "dim_customers", "--output", "name"],
        target_path=target,
        **kwargs,  # type: ignore[arg-type]
    )
    names = set()
    for event in invocation.stream_raw_events():
        message = event.raw_event["info"]
        if message["name"] == "PrintEvent":
            names.add(message["msg"])
    invocation.wait()
    return names


def test_dbt_gets_the_settings_connection_for_the_call_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("DBT_")]:
        monkeypatch.delenv(name)
    resource = LakehouseDbtResource.from_settings(load_settings(trino_port=18080))
    assert resource.trino_env["DBT_TRINO_PORT"] == "18080"

    # profiles.yml has no defaults: without the settings' environment dbt would stop.
    eager = _listed(resource, tmp_path / "eager")
    assert "dim_customers" in eager
    assert any(name.startswith("relationships_fct_orders") for name in eager), eager

    # ``env`` reaches dbt too: with indirect selection off, a model comes alone.
    assert _listed(resource, tmp_path / "empty", env=INDIRECT_SELECTION) == {"dim_customers"}

    assert not [n for n in os.environ if n.startswith("DBT_")], "nothing is left behind"
