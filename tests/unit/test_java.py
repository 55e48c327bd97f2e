from pathlib import Path

import pytest

from ecommerce_assets.stack.errors import StackError
from ecommerce_assets.stack.java import find_jdk, read_jdk


def fake_jdk(root: Path, version: str, modules: str) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "java").write_text("#!/bin/sh\n")
    (root / "release").write_text(f'JAVA_VERSION="{version}"\nMODULES="{modules}"\n')
    return root


def test_read_jdk_parses_version_and_modules(tmp_path: Path) -> None:
    jdk = read_jdk(fake_jdk(tmp_path / "j", "25.0.3", "java.base jdk.incubator.vector"))
    assert jdk is not None
    assert jdk.version == (25, 0, 3)
    assert "jdk.incubator.vector" in jdk.modules


def test_read_jdk_rejects_a_folder_without_java(tmp_path: Path) -> None:
    assert read_jdk(tmp_path) is None


def test_override_too_old_names_setting_and_need(tmp_path: Path) -> None:
    home = fake_jdk(tmp_path / "j17", "17.0.15", "java.base")
    with pytest.raises(StackError) as error:
        find_jdk(
            24,
            frozenset({"jdk.incubator.vector"}),
            override=home,
            setting="LAKEHOUSE_TRINO_JAVA_HOME",
            purpose="Trino 476",
        )
    message = str(error.value)
    assert "LAKEHOUSE_TRINO_JAVA_HOME" in message
    assert "17.0.15" in message
    assert "Java >= 24 with jdk.incubator.vector" in message


def test_override_without_module_is_rejected(tmp_path: Path) -> None:
    home = fake_jdk(tmp_path / "j25", "25.0.2", "java.base java.se")
    with pytest.raises(StackError, match=r"needs Java >= 24 with jdk\.incubator\.vector"):
        find_jdk(24, frozenset({"jdk.incubator.vector"}), override=home)


def test_override_that_fits_is_used(tmp_path: Path) -> None:
    home = fake_jdk(tmp_path / "j25", "25.0.3", "java.base jdk.incubator.vector")
    assert find_jdk(24, frozenset({"jdk.incubator.vector"}), override=home).home == home.resolve()


def test_search_fails_with_a_fix_when_nothing_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ecommerce_assets.stack.java.SEARCH_ROOTS", ())
    expected = r"no suitable Java for Trino.*set LAKEHOUSE_TRINO_JAVA_HOME"
    with pytest.raises(StackError, match=expected):
        find_jdk(24, setting="LAKEHOUSE_TRINO_JAVA_HOME", purpose="Trino")
