"""The one dbt project of gold, with its manifest prepared as the definitions load.

The manifest is parsed by the project itself (``lib/dbt_manifest.py``) whenever it is
missing or older than the dbt sources, in whatever process loads the definitions first,
so a fresh clone, ``lakehouse run``, ``lakehouse dev`` and the tests all find it.
"""

from dagster_dbt import DbtProject

from ecommerce_assets.lib.dbt_env import DBT_PROJECT_DIR, dbt_env
from ecommerce_assets.lib.dbt_manifest import prepare_manifest
from ecommerce_assets.settings import get_settings

prepare_manifest(DBT_PROJECT_DIR, dbt_env(get_settings()))

GOLD_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
