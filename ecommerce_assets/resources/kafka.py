"""Kafka clients (confluent-kafka) pointed at the profile's brokers."""

from __future__ import annotations

from typing import Any

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient
from dagster import ConfigurableResource

from ecommerce_assets.settings import LakehouseSettings


def client_config(settings: LakehouseSettings) -> dict[str, str]:
    """librdkafka security settings; MSK's IAM auth is OAUTHBEARER in librdkafka's terms."""
    config = {"security.protocol": settings.kafka_security_protocol}
    if settings.kafka_sasl_mechanism == "AWS_MSK_IAM":
        config["sasl.mechanism"] = "OAUTHBEARER"
    return config


class KafkaResource(ConfigurableResource):
    """Builds producers, consumers and admin clients with shared connection settings."""

    bootstrap_servers: str
    client_config: dict[str, str] | None = None

    def _config(self, overrides: dict[str, Any]) -> dict[str, Any]:
        return {
            "bootstrap.servers": self.bootstrap_servers,
            **(self.client_config or {}),
            **overrides,
        }

    def producer(self, **overrides: Any) -> Producer:
        # Idempotent with acks=all by default: a retried send never duplicates a record.
        defaults = {"enable.idempotence": True, "acks": "all", "compression.type": "lz4"}
        return Producer(self._config({**defaults, **overrides}))

    def consumer(self, group_id: str, **overrides: Any) -> Consumer:
        defaults = {"group.id": group_id, "auto.offset.reset": "earliest"}
        return Consumer(self._config({**defaults, **overrides}))

    def admin(self) -> AdminClient:
        return AdminClient(self._config({}))

    @classmethod
    def from_settings(cls, settings: LakehouseSettings) -> KafkaResource:
        return cls(
            bootstrap_servers=settings.bootstrap_servers, client_config=client_config(settings)
        )
