"""The dbt manifest the gold assets are defined from, prepared by the project itself.

``@dbt_assets`` reads ``dbt_project/target/manifest.json`` when the code location loads,
and dagster-dbt's own ``prepare_if_dev`` only parses under ``dagster dev``: a fresh clone,
``lakehouse run``'s code server, a run worker or the tests would find no manifest, or an
old one. :func:`prepare_manifest` runs ``dbt parse`` whenever the manifest is missing or
older than anything dbt reads to build it, and does nothing otherwise (a stat of the
project's files, milliseconds), so every process that loads the definitions may call it.

Several processes load the definitions at once (``lakehouse dev``'s webserver and
daemon, a run worker, pytest): one parses under a file lock while the others wait and
then find the manifest fresh. dbt parses into a scratch folder and the manifest is moved
into place in one rename, so a reader never sees a half-written file.

    uv run python -m ecommerce_assets.lib.dbt_manifest    # prepare it now (scripts/setup.sh)
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

from ecommerce_assets.lib.dbt_env import DBT_PROJECT_DIR, dbt_env, dbt_executable

MANIFEST = "manifest.json"
#: What dbt writes beside its manifest that is worth keeping: the next parse is partial.
_PARTIAL_PARSE = "partial_parse.msgpack"
#: Environment the manifest's content depends on: the catalog is every node's
#: ``database``. The host and port are not in it, so a stack on other ports reuses it.
_STAMPED_ENV = ("DBT_TRINO_CATALOG",)
_STAMP = "manifest.env.json"
#: Folders of the project that are dbt's output or downloads, not its input.
_NOT_INPUT = {"target", "logs", "dbt_packages"}


class DbtManifestError(RuntimeError):
    """``dbt parse`` failed; the message carries dbt's output."""


def project_inputs(project_dir: Path) -> Iterator[Path]:
    """Every file and folder dbt reads to parse the project (models, macros, tests,
    seeds, snapshots, dbt_project.yml, profiles.yml, packages.yml, ...).

    Folders count too: deleting a model leaves no newer file, only a newer folder. The
    project folder itself does not: dbt creating logs/ or target/ in it changes its time.
    """
    for root, dirs, files in os.walk(project_dir):
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".") and not (root == str(project_dir) and d in _NOT_INPUT)
        ]
        for name in [*dirs, *files]:
            if not name.startswith("."):
                yield Path(root, name)


def _stamp(env: Mapping[str, str]) -> dict[str, str]:
    return {name: env.get(name, "") for name in _STAMPED_ENV}


def is_fresh(project_dir: Path, env: Mapping[str, str], target_dir: Path | None = None) -> bool:
    """Whether the manifest exists, is newer than every input, and was parsed for ``env``."""
    target_dir = target_dir or project_dir / "target"
    manifest, stamp = target_dir / MANIFEST, target_dir / _STAMP
    try:
        parsed_at = manifest.stat().st_mtime
        if json.loads(stamp.read_text()) != _stamp(env):
            return False
    except (OSError, ValueError):
        return False
    return all(path.stat().st_mtime <= parsed_at for path in project_inputs(project_dir))


def prepare_manifest(
    project_dir: Path = DBT_PROJECT_DIR,
    env: Mapping[str, str] | None = None,
    *,
    target_dir: Path | None = None,
) -> Path:
    """The path of a manifest that is up to date with ``project_dir``; parse if it is not.

    ``env`` is the DBT_TRINO_* environment (default: from the settings); profiles.yml
    needs it even to parse. Raises :class:`DbtManifestError` with dbt's output if the
    project does not parse.
    """
    if env is None:
        from ecommerce_assets.settings import get_settings

        env = dbt_env(get_settings())
    target_dir = target_dir or project_dir / "target"
    manifest = target_dir / MANIFEST
    if is_fresh(project_dir, env, target_dir):
        return manifest
    target_dir.mkdir(parents=True, exist_ok=True)
    with (target_dir / ".prepare.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Another process may have parsed while this one waited for the lock.
        if not is_fresh(project_dir, env, target_dir):
            _parse(project_dir, env, target_dir)
    return manifest


def _parse(project_dir: Path, env: Mapping[str, str], target_dir: Path) -> None:
    scratch = target_dir / f".parse-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    try:
        if (target_dir / _PARTIAL_PARSE).exists():
            shutil.copy2(target_dir / _PARTIAL_PARSE, scratch / _PARTIAL_PARSE)
        result = subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--no-use-colors",
             "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
             "--target-path", str(scratch), "--log-path", str(scratch)],
            capture_output=True, text=True, check=False, cwd=project_dir,
            # Text logs whatever the caller's environment says: they go into the error.
            env={**os.environ, **env, "DBT_LOG_FORMAT": "text",
                 "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )  # fmt: skip
        if result.returncode != 0 or not (scratch / MANIFEST).exists():
            output = (result.stdout + result.stderr).strip() or "(no output)"
            raise DbtManifestError(
                f"`dbt parse` of {project_dir} failed (exit {result.returncode}), so the gold "
                f"assets cannot be defined. dbt said:\n{output[-4000:]}"
            )
        for name in (_PARTIAL_PARSE, MANIFEST):
            if (scratch / name).exists():
                os.replace(scratch / name, target_dir / name)
        # Written last: a manifest without its stamp counts as stale.
        (target_dir / _STAMP).write_text(json.dumps(_stamp(env)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    print(prepare_manifest())
