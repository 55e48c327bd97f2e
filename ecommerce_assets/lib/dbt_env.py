"""The environment dbt reads its Trino connection from (dbt_project/profiles.yml)."""

from __future__ import annotations

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
