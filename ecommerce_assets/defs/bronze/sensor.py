"""``bronze_kafka_sensor``: launch a bronze run when a topic holds offsets bronze has not.

Every 30 s it compares each topic's end offsets (Kafka's high watermarks) with the
offsets its Spark checkpoint has committed. Streams with new records get one run that
processes what is available (``availableNow``). While a bronze run is queued or running
it launches nothing, so two runs never process the same stream at once (the run queue's
tag limit in dagster.yaml enforces the same).
"""

from dataclasses import dataclass

from confluent_kafka import TopicPartition
from dagster import (
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    sensor,
)
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES

from ecommerce_assets.defs.bronze.ingest import INGEST_TAGS, bronze_ingest
from ecommerce_assets.defs.bronze.keys import DEAD_LETTERS_KEY, STREAMS, bronze_key
from ecommerce_assets.resources import BronzeResource, KafkaResource
from streaming.bronze import committed_offsets

bronze_ingest_job = define_asset_job(
    "bronze_ingest_job",
    selection=[bronze_ingest],
    description="Ingest what Kafka holds beyond the bronze checkpoints into bronze tables.",
    tags=INGEST_TAGS,
)


@dataclass(frozen=True)
class StreamLag:
    stream: str
    end_offsets: dict[int, int]
    committed: dict[int, int]

    @property
    def lag(self) -> int:
        # A partition the checkpoint has never seen is read from its start (earliest).
        return sum(end - self.committed.get(p, 0) for p, end in self.end_offsets.items())


def stream_lags(kafka: KafkaResource, bronze: BronzeResource) -> list[StreamLag]:
    """End offsets vs committed offsets of every stream whose topic exists."""
    consumer = kafka.consumer("lakehouse-bronze-sensor", **{"enable.auto.commit": False})
    try:
        topics = consumer.list_topics(timeout=10).topics
        lags = []
        for stream in STREAMS:
            topic = bronze.topics[stream]
            if topic not in topics or topics[topic].error is not None:
                continue
            end_offsets = {
                p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in topics[topic].partitions
            }
            committed = committed_offsets(None, bronze.checkpoint_for(stream)).get(topic, {})
            lags.append(StreamLag(stream, end_offsets, committed))
        return lags
    finally:
        consumer.close()


@sensor(
    job=bronze_ingest_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description="Launches a bronze ingest run for topics with offsets beyond the checkpoints.",
)
def bronze_kafka_sensor(
    context: SensorEvaluationContext, kafka: KafkaResource, bronze: BronzeResource
) -> SensorResult | SkipReason:
    in_flight = context.instance.get_runs(
        filters=RunsFilter(job_name=bronze_ingest_job.name, statuses=IN_PROGRESS_RUN_STATUSES),
        limit=1,
    )
    if in_flight:
        return SkipReason(f"bronze run {in_flight[0].run_id} is still in progress")
    behind = [lag for lag in stream_lags(kafka, bronze) if lag.lag > 0]
    if not behind:
        return SkipReason("every topic's end offsets are committed in its bronze checkpoint")
    description = ", ".join(f"{lag.stream} (+{lag.lag})" for lag in behind)
    context.log.info(f"new records in: {description}")
    return SensorResult(
        run_requests=[
            RunRequest(
                asset_selection=[bronze_key(lag.stream) for lag in behind] + [DEAD_LETTERS_KEY],
                tags={"lakehouse/streams": ",".join(lag.stream for lag in behind)},
            )
        ]
    )
