"""dbt's CLI, connected to the lakehouse's Trino through the settings."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from dagster_dbt import DbtCliInvocation, DbtCliResource
from pydantic import Field

from ecommerce_assets.lib.dbt_env import DBT_PROJECT_DIR, dbt_env, dbt_executable
from ecommerce_assets.settings import LakehouseSettings


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class LakehouseDbtResource(DbtCliResource):
    """``DbtCliResource`` whose dbt reaches the Trino of the settings.

    profiles.yml reads DBT_TRINO_* and has no defaults. DbtCliResource has no hook for
    its subprocess's environment: it copies ``os.environ`` when ``cli`` is called, and
    in the same call opens an in-process dbt adapter (used afterwards by
    ``fetch_row_counts``) from the same environment. So ``cli`` sets ``trino_env`` for
    the duration of that call only. Steps of a run never call it concurrently in one
    process (the in-process executor runs steps one by one; otherwise each step is a
    process of its own).
    """

    trino_env: dict[str, str] = Field(
        default_factory=dict, description="DBT_TRINO_* for profiles.yml, from the settings."
    )

    def cli(
        self, args: Sequence[str], *, env: Mapping[str, str] | None = None, **kwargs: Any
    ) -> DbtCliInvocation:
        """``DbtCliResource.cli``, its dbt given ``trino_env`` and ``env``."""
        with _environment({**self.trino_env, **(env or {})}):
            return super().cli(args, **kwargs)

    @classmethod
    def from_settings(cls, settings: LakehouseSettings) -> LakehouseDbtResource:
        return cls(
            project_dir=os.fspath(DBT_PROJECT_DIR),
            profiles_dir=os.fspath(DBT_PROJECT_DIR),
            dbt_executable=dbt_executable(),
            trino_env=dbt_env(settings),
        )
