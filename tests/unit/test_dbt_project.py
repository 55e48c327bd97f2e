"""The dbt project parses with the installed dbt-core and dbt-trino, on the settings'
connection, and a model's schema config is the schema it lands in."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ecommerce_assets.lib.dbt_env import DBT_PROJECT_DIR, dbt_env
from ecommerce_assets.settings import load_settings

DBT = shutil.which("dbt") or str(Path(sys.executable).parent / "dbt")


def parse(project: Path, target: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DBT, "parse", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(target), "--no-partial-parse"],
        capture_output=True, text=True, check=False, env={**os.environ, **env},
    )  # fmt: skip


def test_dbt_project_parses_with_the_trino_adapter(tmp_path: Path) -> None:
    result = parse(DBT_PROJECT_DIR, tmp_path / "target", dbt_env(load_settings()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "target" / "manifest.json").exists()
    assert "Registered adapter: trino" in result.stdout


def test_profile_has_no_defaults_of_its_own() -> None:
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    assert re.findall(r"env_var\('(\w+)'\)", profile) == list(dbt_env(load_settings()))
    assert not re.search(r"env_var\('\w+',", profile), "a default would shadow the settings"


def test_dbt_env_follows_the_settings() -> None:
    settings = load_settings(trino_port=18080, trino_http_scheme="https", trino_user="analyst")
    env = dbt_env(settings)
    assert env["DBT_TRINO_PORT"] == "18080"
    assert env["DBT_TRINO_HTTP_SCHEME"] == "https"
    assert env["DBT_TRINO_USER"] == "analyst"
    assert env["DBT_TRINO_CATALOG"] == "iceberg"


def test_schema_config_is_the_schema_a_model_lands_in(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "models" / "marts" / "probe_mart.sql").write_text("select 1 as x")
    (project / "models" / "staging" / "probe_staging.sql").write_text("select 1 as x")
    result = parse(project, tmp_path / "target", dbt_env(load_settings()))
    assert result.returncode == 0, result.stdout + result.stderr
    nodes = json.loads((tmp_path / "target" / "manifest.json").read_text())["nodes"]
    schemas = {node["name"]: node["schema"] for node in nodes.values()}
    assert schemas["probe_mart"] == "gold"  # not gold_gold
    assert schemas["probe_staging"] == "staging"  # not gold_staging


def test_each_model_folder_has_its_yaml() -> None:
    for layer in ("staging", "intermediate", "marts"):
        assert (DBT_PROJECT_DIR / "models" / layer / f"_{layer}.yml").exists()
