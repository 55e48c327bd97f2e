"""The one settings object of the platform.

Every endpoint, path, port, heap size and credential is read here, from environment
variables prefixed with ``LAKEHOUSE_`` (or a ``.env`` file), and nowhere else. The
profile (``local``, ``compose`` or ``aws``) only changes the defaults; every value can
be overridden. A missing or malformed value raises :class:`SettingsError`, whose
message names the environment variable to fix.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from streaming.contracts import DEFAULT_TOPICS, STREAMS

ENV_PREFIX = "LAKEHOUSE_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

Profile = Literal["local", "compose", "aws"]
Port = int


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _default_cache_dir() -> Path:
    # Artifacts are large (Trino alone is ~300 MB) and shared by every clone, so they
    # live outside the repository.
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ecommerce-lakehouse"


# Defaults that differ per profile. The local profile derives its endpoints from the
# host/port settings and the data folder (see _derive_local_values); the aws profile has
# no defaults: terraform's outputs provide them (AWS_REQUIRED_SETTINGS).
_PROFILE_DEFAULTS: dict[str, dict[str, Any]] = {
    "local": {"trino_host": "127.0.0.1", "local_stack": True, "spark_bind_loopback": True},
    "compose": {
        "kafka_bootstrap_servers": "kafka:29092",
        "catalog_uri": "http://iceberg-rest:8181",
        "trino_host": "trino",
        "warehouse": "s3://warehouse/",
        "s3_endpoint": "http://minio:9000",
        "s3_access_key": "minioadmin",
        "s3_secret_key": "minioadmin",
        "dagster_postgres_url": "postgresql://dagster:dagster@postgres:5432/dagster",
    },
    "aws": {
        # MSK with IAM auth speaks SASL over TLS; Glue's Iceberg REST endpoint signs
        # requests with SigV4; the Trino cluster sits behind TLS.
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_mechanism": "AWS_MSK_IAM",
        "catalog_signing_name": "glue",
        "trino_http_scheme": "https",
    },
}

# Settings the aws profile cannot guess: terraform's outputs provide each of them.
AWS_REQUIRED_SETTINGS: tuple[str, ...] = (
    "kafka_bootstrap_servers",
    "catalog_uri",
    "catalog_warehouse_id",
    "warehouse",
    "checkpoint_root",
    "s3_region",
    "trino_host",
    "trino_port",
    "dagster_postgres_url",
    "spark_master",
    "spark_execution_role_arn",
    "spark_artifacts_uri",
)


class LakehouseSettings(BaseSettings):
    """Everything that differs between a laptop, docker compose and AWS."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        extra="ignore",
        validate_default=True,
    )

    profile: Profile = "local"

    # Folders
    data_dir: Path = Field(
        default=PROJECT_ROOT / ".lakehouse",
        description="Where the local stack keeps its state: Kafka logs, catalog, warehouse.",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Where fetched JVM artifacts are cached (shared across clones).",
    )
    maven_repository: str = Field(
        default="https://repo.maven.apache.org/maven2",
        description="Maven repository the stack fetches Kafka, Trino and Iceberg from.",
    )

    # Kafka
    kafka_host: str = "127.0.0.1"
    kafka_port: Port = Field(default=9092, ge=1, le=65535)
    kafka_controller_port: Port = Field(default=9093, ge=1, le=65535)
    kafka_heap: str = Field(default="512m", pattern=r"^\d+[kmgKMG]$")
    kafka_bootstrap_servers: str | None = None
    kafka_default_partitions: int = Field(default=3, ge=1)
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="How clients talk to the brokers (aws: SASL_SSL)."
    )
    kafka_sasl_mechanism: Literal["AWS_MSK_IAM"] | None = Field(
        default=None, description="SASL mechanism when the protocol is SASL_* (aws: AWS_MSK_IAM)."
    )
    topics: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_TOPICS),
        description=(
            "Stream -> Kafka topic, as JSON; streams left out keep their default "
            "(`lakehouse generate` and bronze ingestion both read it)."
        ),
    )

    # Iceberg REST catalog
    catalog_name: str = Field(default="lakehouse", pattern=r"^[a-z_][a-z0-9_]*$")
    catalog_host: str = "127.0.0.1"
    catalog_port: Port = Field(default=8181, ge=1, le=65535)
    catalog_heap: str = Field(default="256m", pattern=r"^\d+[kmgKMG]$")
    catalog_uri: str | None = None
    catalog_warehouse_id: str | None = Field(
        default=None,
        description="Catalog-side warehouse name (Glue: the account id), if the catalog needs one.",
    )
    warehouse: str | None = Field(
        default=None, description="Root URI of table data: file:///... locally, s3://... elsewhere."
    )
    checkpoint_root: str | None = Field(
        default=None, description="Root URI of Spark streaming checkpoints."
    )
    catalog_signing_name: str | None = Field(
        default=None,
        description="Sign catalog requests with SigV4 for this AWS service (aws: glue).",
    )

    # Object storage (compose: MinIO; aws: S3 through the instance role)
    s3_endpoint: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str = "us-east-1"

    # Trino
    trino_host: str | None = None
    trino_port: Port = Field(default=8080, ge=1, le=65535)
    trino_user: str = "lakehouse"
    trino_heap: str = Field(default="1G", pattern=r"^\d+[kmgKMG]$")
    trino_catalog: str = Field(default="iceberg", pattern=r"^[a-z_][a-z0-9_]*$")
    trino_http_scheme: Literal["http", "https"] = "http"

    # Spark
    spark_master: str = "local[2]"
    spark_driver_memory: str = Field(default="2g", pattern=r"^\d+[kmgKMG]$")
    spark_shuffle_partitions: int = Field(default=4, ge=1)
    spark_class_archive: bool = Field(
        default=True,
        description=(
            "Local masters: start the Spark JVM from a class-data-sharing archive made "
            "once per JDK and jar set (decision 0011)."
        ),
    )
    spark_bind_loopback: bool = Field(
        default=False,
        description="Bind the Spark driver to 127.0.0.1 (local: nothing listens beyond it).",
    )
    spark_execution_role_arn: str | None = Field(
        default=None, description="aws: IAM role EMR Serverless job runs assume."
    )
    spark_artifacts_uri: str | None = Field(
        default=None, description="aws: S3 prefix Spark entry points are uploaded to."
    )

    # Java: by default the stack finds a suitable JDK itself; these override it.
    java_home: Path | None = Field(
        default=None,
        description=(
            "JDK for Kafka, the catalog and Spark (Java >= 17); unset, Spark runs on the "
            "java PySpark finds ($JAVA_HOME, else the PATH)."
        ),
    )
    trino_java_home: Path | None = Field(
        default=None, description="JDK for Trino (Java >= 24 with jdk.incubator.vector)."
    )

    # Dagster
    dagster_postgres_url: str | None = None
    local_stack: bool = Field(
        default=False,
        description="`lakehouse run` starts Kafka, the catalog and Trino on 127.0.0.1 itself.",
    )
    dagster_run_retention_days: int = Field(
        default=30,
        ge=1,
        description=(
            "Dagster runs that finished more than this many days ago are deleted daily, "
            "except those holding an asset's latest materialization or check result."
        ),
    )

    # Partitions
    partitions_start_date: dt.date = Field(
        default=dt.date(2024, 1, 1),
        description=(
            "First UTC day of the daily partitions of silver (and gold): the generator's "
            "default start date; set it to your data's first day."
        ),
    )

    # Schedules
    schedule_timezone: str = Field(
        default="UTC",
        description="IANA time zone of the schedules' cron times (e.g. Europe/Berlin).",
    )
    daily_refresh_cron: str = Field(
        default="30 0 * * *",
        description=(
            "When the daily schedule rebuilds the previous day in silver and gold "
            "(cron, in schedule_timezone)."
        ),
    )

    # Data quality
    bronze_dead_letter_warn_share: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="A bronze table's dead letters above this share of its records warn.",
    )

    # Alerts (ecommerce_assets/defs/alerts): the log always; each other channel is on
    # when its setting is set.
    webserver_url: str = Field(
        default="http://127.0.0.1:3000",
        description="Base URL of the Dagster UI, for the run and asset links in alerts.",
    )
    alert_webhook_url: str | None = Field(
        default=None, description="POST every alert as JSON to this URL (http or https)."
    )
    alert_slack_webhook_url: str | None = Field(
        default=None, description="Slack incoming-webhook URL: alerts as Block Kit messages."
    )
    alert_email_to: list[str] = Field(
        default_factory=list,
        description='Email alerts to these addresses (JSON list, e.g. ["data@shop.example"]).',
    )
    alert_email_from: str = Field(
        default="lakehouse-alerts@localhost", description="Sender address of alert emails."
    )
    alert_smtp_host: str | None = Field(default=None, description="SMTP server of alert emails.")
    alert_smtp_port: Port = Field(default=25, ge=1, le=65535)
    alert_smtp_starttls: bool = Field(default=False, description="Upgrade SMTP with STARTTLS.")
    alert_smtp_user: str | None = Field(default=None, description="SMTP login (with password).")
    alert_smtp_password: SecretStr | None = None
    alert_interval_s: int = Field(
        default=30, ge=1, description="How often the alert sensor looks for new results."
    )
    alert_on_warn: bool = Field(
        default=False,
        description="Also alert on checks that fail with severity WARN and on WARN freshness.",
    )
    alert_silence: list[str] = Field(
        default_factory=list,
        description=(
            "Alerts never sent, as JSON list of patterns matched against "
            '\'<asset key>:<check name>\' (e.g. "gold/fct_orders:*", "*:freshness").'
        ),
    )

    # Freshness: a table not materialized within its window is stale (FAIL; WARN after
    # the warn window). Durations like 90m, 26h, 7d.
    freshness_bronze_fail_after: dt.timedelta = dt.timedelta(hours=2)
    freshness_bronze_warn_after: dt.timedelta | None = dt.timedelta(hours=1)
    freshness_silver_fail_after: dt.timedelta = dt.timedelta(hours=26)
    freshness_silver_warn_after: dt.timedelta | None = dt.timedelta(hours=25)
    freshness_gold_fail_after: dt.timedelta = dt.timedelta(hours=26)
    freshness_gold_warn_after: dt.timedelta | None = dt.timedelta(hours=25)
    freshness_overrides: dict[str, str] = Field(
        default_factory=dict,
        description=(
            'Per table, as JSON: asset key -> "FAIL[/WARN]" or "off", e.g. '
            '{"gold/cohort_retention": "8d/7d", "bronze/inventory": "off"}.'
        ),
    )

    # Health checks
    startup_timeout_s: float = Field(default=120.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _apply_profile_defaults(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        profile = values.get("profile", "local")
        for key, default in _PROFILE_DEFAULTS.get(str(profile), {}).items():
            if values.get(key) is None:
                values[key] = default
        return values

    @field_validator("schedule_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown IANA time zone {value!r} (e.g. UTC, Europe/Berlin)"
            ) from None
        return value

    @field_validator("daily_refresh_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from dagster._utils.schedules import is_valid_cron_string

        if not is_valid_cron_string(value):
            raise ValueError(f"not a cron expression: {value!r} (e.g. '30 0 * * *')")
        return value

    @field_validator(
        "freshness_bronze_fail_after",
        "freshness_bronze_warn_after",
        "freshness_silver_fail_after",
        "freshness_silver_warn_after",
        "freshness_gold_fail_after",
        "freshness_gold_warn_after",
        mode="before",
    )
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):
            # "off" (or empty) only makes sense for a warn window: a fail window is required.
            return None if value.strip() in ("", "off") else parse_duration(value)
        return value

    @field_validator("freshness_overrides")
    @classmethod
    def _freshness_windows(cls, value: dict[str, str]) -> dict[str, str]:
        for key, window in value.items():
            try:
                freshness_window(window)
            except ValueError as error:
                raise ValueError(f"{key}: {error}") from None
        return value

    @field_validator(
        "alert_webhook_url",
        "alert_slack_webhook_url",
        "alert_smtp_host",
        "alert_smtp_user",
        "alert_smtp_password",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # docker compose passes `${VAR:-}` through as an empty string when VAR is unset.
        return None if value == "" else value

    @field_validator("webserver_url", "alert_webhook_url", "alert_slack_webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.rstrip("/") if value else value

    @field_validator("alert_email_to", "alert_email_from")
    @classmethod
    def _email_addresses(cls, value: str | list[str]) -> str | list[str]:
        for address in [value] if isinstance(value, str) else value:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+", address):
                raise ValueError(f"not an email address: {address!r}")
        return value

    @model_validator(mode="after")
    def _alert_channels(self) -> LakehouseSettings:
        if self.alert_email_to and not self.alert_smtp_host:
            raise ValueError(
                f"{env_name('alert_email_to')} is set, so {env_name('alert_smtp_host')} "
                "must name the SMTP server"
            )
        if (self.alert_smtp_user is None) != (self.alert_smtp_password is None):
            raise ValueError(
                f"{env_name('alert_smtp_user')} and {env_name('alert_smtp_password')} "
                "go together (SMTP login)"
            )
        for layer in ("bronze", "silver", "gold"):
            fail = getattr(self, f"freshness_{layer}_fail_after")
            warn = getattr(self, f"freshness_{layer}_warn_after")
            for kind, window in (("fail", fail), ("warn", warn)):
                if window is not None and window < MIN_FRESHNESS_WINDOW:
                    raise ValueError(
                        f"{env_name(f'freshness_{layer}_{kind}_after')} ({window}) must be "
                        "at least 1m (Dagster's shortest freshness window)"
                    )
            if warn is not None and warn >= fail:
                raise ValueError(
                    f"{env_name(f'freshness_{layer}_warn_after')} ({warn}) must be shorter "
                    f"than {env_name(f'freshness_{layer}_fail_after')} ({fail})"
                )
        return self

    @model_validator(mode="after")
    def _known_streams(self) -> LakehouseSettings:
        unknown = sorted(set(self.topics) - set(DEFAULT_TOPICS))
        if unknown:
            raise ValueError(
                f"{env_name('topics')}: unknown streams {unknown}; known: {', '.join(STREAMS)}"
            )
        self.topics = {**DEFAULT_TOPICS, **self.topics}
        return self

    @model_validator(mode="after")
    def _derive_local_values(self) -> LakehouseSettings:
        if self.profile == "local":
            self.data_dir = self.data_dir.expanduser().resolve()
            if self.kafka_bootstrap_servers is None:
                self.kafka_bootstrap_servers = f"{self.kafka_host}:{self.kafka_port}"
            if self.catalog_uri is None:
                self.catalog_uri = f"http://{self.catalog_host}:{self.catalog_port}"
            if self.warehouse is None:
                self.warehouse = (self.data_dir / "warehouse").as_uri()
            if self.checkpoint_root is None:
                self.checkpoint_root = (self.data_dir / "checkpoints").as_uri()
        elif self.checkpoint_root is None and self.warehouse is not None:
            self.checkpoint_root = self.warehouse.rstrip("/") + "/_checkpoints"
        if self.profile == "aws":
            missing = [name for name in AWS_REQUIRED_SETTINGS if getattr(self, name) is None]
            if missing:
                names = ", ".join(env_name(name) for name in missing)
                raise ValueError(f"the aws profile needs {names} (see terraform outputs)")
        return self

    # Convenience accessors: these never return None once validation has passed.
    @property
    def bootstrap_servers(self) -> str:
        assert self.kafka_bootstrap_servers is not None
        return self.kafka_bootstrap_servers

    @property
    def rest_uri(self) -> str:
        assert self.catalog_uri is not None
        return self.catalog_uri

    @property
    def warehouse_uri(self) -> str:
        assert self.warehouse is not None
        return self.warehouse

    @property
    def trino_hostname(self) -> str:
        assert self.trino_host is not None
        return self.trino_host

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def spark_scratch_dir(self) -> Path:
        """Where local Spark sessions keep their scratch space (spark.local.dir)."""
        return self.data_dir / "spark-scratch"


#: Dagster refuses shorter freshness windows.
MIN_FRESHNESS_WINDOW = dt.timedelta(minutes=1)
_DURATION = re.compile(r"(\d+)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> dt.timedelta:
    """``90s``, ``45m``, ``26h`` or ``7d`` as a timedelta; anything else is a ValueError."""
    match = _DURATION.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"not a duration: {text!r} (e.g. 45m, 26h, 7d)")
    return dt.timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def freshness_window(text: str) -> tuple[dt.timedelta, dt.timedelta | None] | None:
    """A ``freshness_overrides`` value: ``FAIL[/WARN]`` durations, or None for ``off``."""
    if text.strip() == "off":
        return None
    fail, _, warn = text.partition("/")
    windows = (parse_duration(fail), parse_duration(warn) if warn else None)
    if any(w is not None and w < MIN_FRESHNESS_WINDOW for w in windows):
        raise ValueError(f"Dagster's freshness windows are at least 1m: {text!r}")
    if windows[1] is not None and windows[1] >= windows[0]:
        raise ValueError(f"the warn window must be shorter than the fail window: {text!r}")
    return windows


def env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


def _explain(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        loc = [str(part) for part in item["loc"] if part != "__root__"]
        value = item.get("input")
        if loc:
            shown = "" if isinstance(value, dict) else f" (got {value!r})"
            lines.append(f"{env_name(loc[0])}: {item['msg']}{shown}")
        else:
            lines.append(str(item["msg"]).removeprefix("Value error, "))
    return "invalid lakehouse settings:\n  " + "\n  ".join(lines)


def load_settings(**overrides: Any) -> LakehouseSettings:
    """Read the settings from the environment; raise SettingsError naming what is wrong."""
    try:
        return LakehouseSettings(**overrides)
    except ValidationError as error:
        raise SettingsError(_explain(error)) from None


@cache
def get_settings() -> LakehouseSettings:
    """The process-wide settings, read once."""
    return load_settings()
