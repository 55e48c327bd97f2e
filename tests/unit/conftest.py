import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def clean_settings_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unit tests see only the settings they set: no LAKEHOUSE_* from the shell, no .env."""
    for name in list(os.environ):
        if name.startswith("LAKEHOUSE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
