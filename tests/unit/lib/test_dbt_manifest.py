"""The dbt manifest is parsed by the project when it is missing or stale, and only then."""

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ecommerce_assets.lib import dbt_manifest
from ecommerce_assets.lib.dbt_env import DBT_PROJECT_DIR, dbt_env
from ecommerce_assets.lib.dbt_manifest import DbtManifestError, is_fresh, prepare_manifest
from ecommerce_assets.settings import load_settings


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    return copy


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The projects `dbt parse` ran on, in order (the real parse still runs)."""
    calls: list[Path] = []
    real = dbt_manifest._parse

    def counting(project_dir: Path, *args: object) -> None:
        calls.append(project_dir)
        real(project_dir, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(dbt_manifest, "_parse", counting)
    return calls


def _backdate(manifest: Path) -> None:
    # Parsed well before the edit that follows, whatever the file system's time resolution.
    earlier = time.time() - 10
    os.utime(manifest, (earlier, earlier))


def test_parses_when_missing_or_older_than_a_model_and_not_otherwise(
    project: Path, parses: list[Path]
) -> None:
    env = dbt_env(load_settings())
    manifest = prepare_manifest(project, env)
    assert manifest == project / "target" / "manifest.json"
    assert manifest.exists() and len(parses) == 1
    assert not list((project / "target").glob(".parse-*")), "the scratch folder is removed"

    parsed_at = manifest.stat().st_mtime
    assert prepare_manifest(project, env) == manifest
    assert len(parses) == 1 and manifest.stat().st_mtime == parsed_at

    _backdate(manifest)
    model = project / "models" / "marts" / "probe_newer_model.sql"
    model.write_text("select 1 as x")
    assert not is_fresh(project, env)
    prepare_manifest(project, env)
    assert len(parses) == 2
    assert "probe_newer_model" in manifest.read_text()
    assert is_fresh(project, env)


def test_a_deleted_model_or_another_catalog_makes_it_stale(
    project: Path, parses: list[Path]
) -> None:
    env = dbt_env(load_settings())
    model = project / "models" / "staging" / "probe_deleted.sql"
    model.write_text("select 1 as x")
    prepare_manifest(project, env)
    assert is_fresh(project, env)
    # Output folders of dbt are no input: a run's target/<unique>/ or logs/ change nothing.
    (project / "target" / "run-123").mkdir()
    (project / "logs").mkdir(exist_ok=True)
    assert is_fresh(project, env)

    _backdate(project / "target" / "manifest.json")
    model.unlink()
    assert not is_fresh(project, env)
    prepare_manifest(project, env)
    assert "probe_deleted" not in (project / "target" / "manifest.json").read_text()

    other = dbt_env(load_settings(trino_catalog="elsewhere"))
    assert not is_fresh(project, other)
    moved = dbt_env(load_settings(trino_port=18080))
    assert is_fresh(project, moved), "the port is not in the manifest: no reparse for it"
    assert len(parses) == 2


def test_a_project_that_does_not_parse_names_dbt_s_error(project: Path) -> None:
    (project / "models" / "marts" / "broken.sql").write_text("select {{ ref('no_such_model') }}")
    with pytest.raises(DbtManifestError, match="no_such_model"):
        prepare_manifest(project, dbt_env(load_settings()))
    assert not (project / "target" / "manifest.json").exists()


def test_two_loaders_at_once_parse_once(project: Path, parses: list[Path]) -> None:
    # Separate open()s of the lock file conflict under flock even within one process,
    # as the code server, daemon and run workers do across processes.
    env = dbt_env(load_settings())
    with ThreadPoolExecutor(2) as pool:
        manifests = list(pool.map(lambda _: prepare_manifest(project, env), range(2)))
    assert manifests[0] == manifests[1]
    assert manifests[0].exists()
    assert len(parses) == 1
