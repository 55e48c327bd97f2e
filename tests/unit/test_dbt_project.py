"""The dbt project parses with the installed dbt-core and dbt-trino."""

import shutil
import subprocess
import sys
from pathlib import Path

from ecommerce_assets.settings import PROJECT_ROOT

DBT_PROJECT = PROJECT_ROOT / "dbt_project"


def test_dbt_project_parses_with_the_trino_adapter(tmp_path: Path) -> None:
    dbt = shutil.which("dbt") or str(Path(sys.executable).parent / "dbt")
    result = subprocess.run(
        [
            dbt,
            "parse",
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(tmp_path / "target"),
            "--no-partial-parse",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "target" / "manifest.json").exists()
    assert "Registered adapter: trino" in result.stdout


def test_each_model_folder_has_its_yaml() -> None:
    for layer in ("staging", "intermediate", "marts"):
        assert (DBT_PROJECT / "models" / layer / f"_{layer}.yml").exists()
