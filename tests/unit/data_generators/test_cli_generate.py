"""``lakehouse generate`` wires settings and parameters into the generator."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from data_generators import read_manifest
from ecommerce_assets.cli.generate import generate
from ecommerce_assets.settings import get_settings


def test_generate_to_files_prints_a_summary_and_writes_the_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        generate,
        ["--sink", "files", "--out", str(tmp_path), "--days", "1", "--customers", "200",
         "--products", "40", "--events-per-day", "2000", "--duplicates", "0.05",
         "--topic", "orders=test.orders"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = read_manifest(tmp_path / "_manifest.json")
    assert manifest["topics"]["orders"] == "test.orders"
    assert (tmp_path / "test.orders").is_dir()
    assert manifest["params"]["trouble"]["duplicate_share"] == 0.05
    delivered = manifest["totals"]["records"]["clickstream"]["delivered"]
    assert f"{delivered:,}" in result.output
    assert "records/s" in result.output


def test_bad_parameters_exit_with_the_reason_naming_the_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(generate, ["--sink", "files", "--out", str(tmp_path),
                                           "--late", "2"])  # fmt: skip
    assert result.exit_code == 2
    assert "Invalid value for '--late': 2.0 is not in the range 0<=x<=1." in result.output
    result = CliRunner().invoke(generate, ["--topic", "reviews=x"])
    assert result.exit_code == 2
    assert "Invalid value for '--topic': unknown stream 'reviews'" in result.output
    assert not any(tmp_path.iterdir()), "nothing is written before the options are checked"


def test_topic_overrides_apply_on_top_of_the_topic_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_TOPICS", '{"orders": "env.orders", "payments": "env.payments"}')
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            generate,
            ["--sink", "files", "--out", str(tmp_path), "--days", "1", "--customers", "20",
             "--products", "5", "--events-per-day", "100", "--topic", "payments=cli.payments"],
        )  # fmt: skip
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    topics = read_manifest(tmp_path / "_manifest.json")["topics"]
    assert topics["orders"] == "env.orders"  # from the settings, as ingestion reads them
    assert topics["payments"] == "cli.payments"  # the option wins
    assert topics["clickstream"] == "shop.clickstream"  # neither: the default


def test_kafka_sink_uses_the_settings_bootstrap_servers(monkeypatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_KAFKA_PORT", "1")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            generate, ["--days", "1", "--events-per-day", "10", "--kafka-timeout", "1"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "cannot reach Kafka at 127.0.0.1:1" in result.output
