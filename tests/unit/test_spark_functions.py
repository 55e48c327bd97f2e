"""Compiling the project's Spark functions (streaming/jvm) into the cache."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from rich.console import Console

from ecommerce_assets.stack import spark_functions
from ecommerce_assets.stack.errors import StackError
from ecommerce_assets.stack.spark_functions import build_functions_jar, functions_jar_path

QUIET = Console(quiet=True)


def _fake_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    sources = tmp_path / "jvm"
    (sources / "demo").mkdir(parents=True, exist_ok=True)
    (sources / "demo" / "Demo.java").write_text(body)
    monkeypatch.setattr(spark_functions, "SOURCES", sources)


def test_the_jar_holds_the_compiled_classes_and_is_built_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_sources(tmp_path, monkeypatch, "package demo; public class Demo {}")
    jar = build_functions_jar(tmp_path / "cache", QUIET)
    assert jar == functions_jar_path(tmp_path / "cache")
    assert zipfile.ZipFile(jar).namelist() == ["demo/Demo.class"]
    built = jar.stat().st_mtime_ns
    assert build_functions_jar(tmp_path / "cache", QUIET).stat().st_mtime_ns == built


def test_a_changed_source_gets_a_jar_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_sources(tmp_path, monkeypatch, "package demo; public class Demo {}")
    first = functions_jar_path(tmp_path)
    _fake_sources(tmp_path, monkeypatch, "package demo; public class Demo { int x; }")
    assert functions_jar_path(tmp_path) != first


def test_a_compile_error_is_reported_with_javac_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_sources(tmp_path, monkeypatch, "package demo; public class Demo { int x = ; }")
    with pytest.raises(
        StackError,
        match=r"compiling the project's Spark functions \(streaming/jvm\) failed:[\s\S]*Demo\.java",
    ):
        build_functions_jar(tmp_path / "cache", QUIET)
    assert not functions_jar_path(tmp_path / "cache").exists()


def test_a_java_runtime_without_javac_is_named(tmp_path: Path) -> None:
    runtime = tmp_path / "jre-17"
    (runtime / "bin").mkdir(parents=True)
    (runtime / "bin" / "java").write_text("")
    (runtime / "release").write_text('JAVA_VERSION="17.0.9"\nMODULES="java.base"\n')
    missing = r"jre-17 is a Java runtime without javac.*LAKEHOUSE_JAVA_HOME"
    with pytest.raises(StackError, match=missing):
        build_functions_jar(tmp_path / "cache", QUIET, java_home=runtime)
