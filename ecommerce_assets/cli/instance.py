"""The Dagster instance of the local profile: DAGSTER_HOME under the data folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ecommerce_assets.settings import PROJECT_ROOT, LakehouseSettings


def prepare_dagster_home(settings: LakehouseSettings) -> Path:
    """Create DAGSTER_HOME with the repository's dagster.yaml and point Dagster at it."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    # Dagster reads its home from the environment, in this process and its children.
    os.environ["DAGSTER_HOME"] = str(home)
    return home
