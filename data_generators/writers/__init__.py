"""Sinks for serialized records: Kafka topics and day-partitioned files."""

from data_generators.writers.files import FileWriter
from data_generators.writers.kafka import KafkaWriteError, KafkaWriter

__all__ = ["FileWriter", "KafkaWriteError", "KafkaWriter"]
