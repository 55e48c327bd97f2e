"""The environment dbt reads its Trino connection from (dbt_project/profiles.yml)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ecommerce_assets.settings import PROJECT_ROOT, LakehouseSettings

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def dbt_env(settings: LakehouseSettings) -> dict[str, str]:
    """DBT_TRINO_* from the settings: profiles.yml has no defaults of its own."""
    return {
        "DBT_TRINO_HOST": settings.trino_hostname,
        "DBT_TRINO_PORT": str(settings.trino_port),
        "DBT_TRINO_USER": settings.trino_user,
        "DBT_TRINO_CATALOG": settings.trino_catalog,
        "DBT_TRINO_HTTP_SCHEME": settings.trino_http_scheme,
    }


def dbt_executable() -> str:
    """The dbt of this environment: beside the interpreter, so a process started without
    the virtualenv on its PATH (a Dagster code server or run worker) still finds it."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise FileNotFoundError("the dbt command is not installed; run `uv sync`")
    return found
