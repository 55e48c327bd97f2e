"""What the bronze Spark jobs need to know, from the settings: brokers, topics, checkpoints."""

from __future__ import annotations

from dagster import ConfigurableResource

from ecommerce_assets.settings import LakehouseSettings
from streaming.bronze import BronzeConfig
from streaming.contracts.naming import DEAD_LETTERS_TABLE, bronze_table


def spark_kafka_options(settings: LakehouseSettings) -> dict[str, str]:
    """Security options of Spark's Kafka reader ("kafka." + the Java client's names)."""
    options = {"kafka.security.protocol": settings.kafka_security_protocol}
    if settings.kafka_sasl_mechanism:
        options["kafka.sasl.mechanism"] = settings.kafka_sasl_mechanism
    return options


class BronzeResource(ConfigurableResource):
    """Builds the :class:`streaming.bronze.BronzeConfig` of a run."""

    bootstrap_servers: str
    checkpoint_root: str
    #: stream name -> Kafka topic, e.g. {"orders": "shop.orders"}
    topics: dict[str, str]
    kafka_options: dict[str, str] | None = None
    #: The bronze checks warn when a stream's dead letters exceed this share of it.
    dead_letter_warn_share: float = 0.01

    def config(
        self, streams: list[str] | None = None, fail_point: str | None = None
    ) -> BronzeConfig:
        chosen = streams if streams is not None else list(self.topics)
        return BronzeConfig(
            bootstrap_servers=self.bootstrap_servers,
            streams={self.topics[s]: bronze_table(s) for s in chosen},
            dead_letter_table=DEAD_LETTERS_TABLE,
            checkpoint_root=self.checkpoint_root,
            kafka_options=dict(self.kafka_options or {}),
            fail_point=fail_point,
        )

    def checkpoint_for(self, stream: str) -> str:
        return self.config([stream]).checkpoint_for(self.topics[stream])

    def stream_of_topic(self, topic: str) -> str:
        return next(stream for stream, name in self.topics.items() if name == topic)

    @classmethod
    def from_settings(cls, settings: LakehouseSettings) -> BronzeResource:
        assert settings.checkpoint_root is not None
        return cls(
            bootstrap_servers=settings.bootstrap_servers,
            checkpoint_root=settings.checkpoint_root,
            topics=dict(settings.topics),
            kafka_options=spark_kafka_options(settings),
            dead_letter_warn_share=settings.bronze_dead_letter_warn_share,
        )
