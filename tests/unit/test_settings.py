from pathlib import Path

import pytest

from ecommerce_assets.settings import AWS_REQUIRED_SETTINGS, SettingsError, env_name, load_settings


def test_local_defaults_point_at_loopback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LAKEHOUSE_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.profile == "local"
    assert settings.bootstrap_servers == "127.0.0.1:9092"
    assert settings.rest_uri == "http://127.0.0.1:8181"
    assert settings.trino_hostname == "127.0.0.1"
    assert settings.warehouse_uri == (tmp_path / "warehouse").as_uri()
    assert settings.checkpoint_root == (tmp_path / "checkpoints").as_uri()
    assert settings.dagster_home == tmp_path / "dagster_home"


def test_ports_follow_their_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_KAFKA_PORT", "19092")
    monkeypatch.setenv("LAKEHOUSE_CATALOG_PORT", "18181")
    settings = load_settings()
    assert settings.bootstrap_servers == "127.0.0.1:19092"
    assert settings.rest_uri == "http://127.0.0.1:18181"


def test_non_numeric_port_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_KAFKA_PORT", "ninety")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "LAKEHOUSE_KAFKA_PORT" in str(error.value)
    assert "'ninety'" in str(error.value)


def test_out_of_range_port_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_TRINO_PORT", "70000")
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_TRINO_PORT"):
        load_settings()


def test_malformed_heap_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_TRINO_HEAP", "lots")
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_TRINO_HEAP"):
        load_settings()


def test_unknown_profile_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_PROFILE", "mars")
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_PROFILE.*'local', 'compose' or 'aws'"):
        load_settings()


def test_aws_profile_names_every_missing_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_PROFILE", "aws")
    monkeypatch.setenv("LAKEHOUSE_TRINO_HOST", "trino.internal")
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert "LAKEHOUSE_KAFKA_BOOTSTRAP_SERVERS" in message
    assert "LAKEHOUSE_DAGSTER_POSTGRES_URL" in message
    assert "LAKEHOUSE_TRINO_HOST" not in message


def test_aws_profile_loads_when_terraform_outputs_are_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outputs = {
        "kafka_bootstrap_servers": "b-1.msk:9098",
        "catalog_uri": "https://glue.eu-west-1.amazonaws.com/iceberg",
        "catalog_warehouse_id": "123456789012",
        "warehouse": "s3://lake/warehouse",
        "checkpoint_root": "s3://lake/checkpoints",
        "s3_region": "eu-west-1",
        "trino_host": "trino.internal",
        "trino_port": "8443",
        "dagster_postgres_url": "postgresql://dagster@db:5432/dagster",
        "spark_master": "emr-serverless://app-id",
        "spark_execution_role_arn": "arn:aws:iam::123456789012:role/spark",
        "spark_artifacts_uri": "s3://artifacts/spark",
    }
    assert set(outputs) == set(AWS_REQUIRED_SETTINGS)
    monkeypatch.setenv("LAKEHOUSE_PROFILE", "aws")
    for name, value in outputs.items():
        monkeypatch.setenv(env_name(name), value)
    settings = load_settings()
    assert settings.trino_port == 8443
    assert settings.warehouse_uri == "s3://lake/warehouse"
    # What differs on AWS is settings with per-profile defaults, not branches in the code.
    assert settings.kafka_security_protocol == "SASL_SSL"
    assert settings.kafka_sasl_mechanism == "AWS_MSK_IAM"
    assert settings.catalog_signing_name == "glue"
    assert settings.trino_http_scheme == "https"
    assert not settings.local_stack
    assert not settings.spark_bind_loopback


def test_compose_profile_defaults_to_service_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_PROFILE", "compose")
    settings = load_settings()
    assert settings.bootstrap_servers == "kafka:29092"
    assert settings.rest_uri == "http://iceberg-rest:8181"
    assert settings.warehouse_uri == "s3://warehouse/"
    assert settings.checkpoint_root == "s3://warehouse/_checkpoints"


def test_local_profile_runs_its_own_stack_in_plaintext(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAKEHOUSE_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.local_stack
    assert settings.spark_bind_loopback
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert settings.trino_http_scheme == "http"
    assert settings.catalog_signing_name is None
    assert settings.spark_scratch_dir == tmp_path / "spark-scratch"


def test_a_profile_default_can_be_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_TRINO_HTTP_SCHEME", "https")
    assert load_settings().trino_http_scheme == "https"


def test_topics_override_some_streams_and_keep_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_TOPICS", '{"orders": "prod.orders"}')
    topics = load_settings().topics
    assert topics["orders"] == "prod.orders"
    assert topics["clickstream"] == "shop.clickstream"
    assert len(topics) == 7


def test_unknown_stream_in_topics_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_TOPICS", '{"refunds": "shop.refunds"}')
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_TOPICS: unknown streams \['refunds'\]"):
        load_settings()


def test_bad_security_protocol_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_KAFKA_SECURITY_PROTOCOL", "TLS")
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_KAFKA_SECURITY_PROTOCOL"):
        load_settings()
