"""Bronze: Kafka topics (source assets) -> one Iceberg table per topic, plus dead letters."""
