"""What the bronze Spark jobs need to know, from the settings: brokers, topics, checkpoints."""

from __future__ import annotations

from dagster import ConfigurableResource

from data_generators import DEFAULT_TOPICS
from ecommerce_assets.settings import LakehouseSettings
from streaming.bronze import BronzeConfig, bronze_table_for

DEAD_LETTER_TABLE = "bronze.dead_letters"


class BronzeResource(ConfigurableResource):
    """Builds the :class:`streaming.bronze.BronzeConfig` of a run."""

    bootstrap_servers: str
    checkpoint_root: str
    #: stream name -> Kafka topic, e.g. {"orders": "shop.orders"}
    topics: dict[str, str]
    kafka_options: dict[str, str] | None = None

    def config(
        self, streams: list[str] | None = None, fail_point: str | None = None
    ) -> BronzeConfig:
        chosen = streams if streams is not None else list(self.topics)
        return BronzeConfig(
            bootstrap_servers=self.bootstrap_servers,
            streams={self.topics[s]: bronze_table_for(self.topics[s]) for s in chosen},
            dead_letter_table=DEAD_LETTER_TABLE,
            checkpoint_root=self.checkpoint_root,
            kafka_options=dict(self.kafka_options or {}),
            fail_point=fail_point,
        )

    def checkpoint_for(self, stream: str) -> str:
        return self.config([stream]).checkpoint_for(self.topics[stream])

    @classmethod
    def from_settings(cls, settings: LakehouseSettings) -> BronzeResource:
        assert settings.checkpoint_root is not None
        options: dict[str, str] = {}
        if settings.profile == "aws":
            options = {"kafka.security.protocol": "SASL_SSL", "kafka.sasl.mechanism": "AWS_MSK_IAM"}
        return cls(
            bootstrap_servers=settings.bootstrap_servers,
            checkpoint_root=settings.checkpoint_root,
            topics=dict(DEFAULT_TOPICS),
            kafka_options=options,
        )
