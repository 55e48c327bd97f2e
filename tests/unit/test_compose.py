"""docker-compose.yml cannot run here (no Docker engine); prove it is consistent instead."""

from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from ecommerce_assets.settings import PROJECT_ROOT, load_settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def host_of(endpoint: str) -> str:
    return urlparse(endpoint if "://" in endpoint else f"//{endpoint}").hostname or ""


@pytest.fixture
def compose_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LAKEHOUSE_PROFILE", "compose")
    return load_settings()


def test_platform_services_are_all_there() -> None:
    expected = {
        "kafka",
        "minio",
        "iceberg-rest",
        "trino",
        "postgres",
        "dagster-webserver",
        "dagster-daemon",
        "code-location",
    }
    assert expected <= set(SERVICES)


def test_every_host_the_compose_profile_uses_is_a_service(compose_settings) -> None:
    s = compose_settings
    endpoints = {
        "LAKEHOUSE_KAFKA_BOOTSTRAP_SERVERS": s.bootstrap_servers,
        "LAKEHOUSE_CATALOG_URI": s.rest_uri,
        "LAKEHOUSE_TRINO_HOST": s.trino_hostname,
        "LAKEHOUSE_S3_ENDPOINT": s.s3_endpoint or "",
        "LAKEHOUSE_DAGSTER_POSTGRES_URL": s.dagster_postgres_url or "",
    }
    for setting, endpoint in endpoints.items():
        assert host_of(endpoint) in SERVICES, f"{setting}={endpoint} names no compose service"


def test_the_code_location_gets_the_compose_profile(compose_settings) -> None:
    env = SERVICES["code-location"]["environment"]
    assert env["LAKEHOUSE_PROFILE"] == "compose"
    assert env["LAKEHOUSE_KAFKA_BOOTSTRAP_SERVERS"] == compose_settings.bootstrap_servers
    assert env["LAKEHOUSE_CATALOG_URI"] == compose_settings.rest_uri
    # The kafka service advertises the listener the code location is told to use.
    advertised = SERVICES["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert f"PLAINTEXT://{compose_settings.bootstrap_servers}" in advertised


def test_trino_in_compose_uses_the_rest_catalog_service() -> None:
    mount = next(v for v in SERVICES["trino"]["volumes"] if "iceberg.properties" in v)
    local_file = PROJECT_ROOT / mount.split(":")[0]
    properties = dict(
        line.split("=", 1) for line in local_file.read_text().splitlines() if "=" in line
    )
    assert properties["iceberg.catalog.type"] == "rest"
    assert host_of(properties["iceberg.rest-catalog.uri"]) == "iceberg-rest"
    assert host_of(properties["s3.endpoint"]) == "minio"


def test_dagster_services_use_the_compose_workspace() -> None:
    workspace = yaml.safe_load((PROJECT_ROOT / "docker" / "workspace.yaml").read_text())
    server = workspace["load_from"][0]["grpc_server"]
    assert server["host"] == "code-location"
    assert str(server["port"]) in SERVICES["code-location"]["command"]
    for name in ("dagster-webserver", "dagster-daemon"):
        assert "docker/workspace.yaml" in " ".join(SERVICES[name]["command"])
    assert Path(PROJECT_ROOT / "Dockerfile").exists()


def test_the_alert_settings_compose_passes_through_load_when_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What `${VAR:-default}` gives the containers when the shell sets none of them."""
    env = COMPOSE["x-lakehouse-env"]
    passed = {k: v for k, v in env.items() if str(v).startswith("${LAKEHOUSE_")}
    assert {"LAKEHOUSE_ALERT_WEBHOOK_URL", "LAKEHOUSE_ALERT_SMTP_PASSWORD"} <= set(passed)
    for name, value in passed.items():
        monkeypatch.setenv(name, value.split(":-", 1)[1].rstrip("}"))
    settings = load_settings()
    assert settings.alert_webhook_url is None and settings.alert_smtp_password is None
    assert settings.webserver_url == "http://localhost:3000"
    assert settings.alert_email_to == []
