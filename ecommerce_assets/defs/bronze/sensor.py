"""``bronze_kafka_sensor`` and the job it launches, ``bronze_ingest_job``.

Every 30 s the sensor compares each topic's end offsets (Kafka's high watermarks) with
the offsets its Spark checkpoint has committed. Streams with new records get one run
that processes what is available (``availableNow``). While a bronze run is queued or
running it launches nothing, so two runs never process the same stream at once (the run
queue's tag limit in dagster.yaml enforces the same). A run whose process died is marked
failed by run monitoring (dagster.yaml), after which the next tick launches again.
"""

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    in_process_executor,
    sensor,
)

from ecommerce_assets.defs.bronze.ingest import INGEST_TAGS, bronze_ingest
from ecommerce_assets.lib.kafka_lag import stream_lags
from ecommerce_assets.lib.naming import DEAD_LETTERS_KEY, bronze_key
from ecommerce_assets.lib.run_states import IN_FLIGHT
from ecommerce_assets.resources import BronzeResource, KafkaResource

bronze_ingest_job = define_asset_job(
    "bronze_ingest_job",
    selection=[bronze_ingest],
    description="Ingest what Kafka holds beyond the bronze checkpoints into bronze tables.",
    tags=INGEST_TAGS,
    # One process for the ingest step and the checks: a subprocess per step would pay
    # Python and Dagster start-up again for each (seconds of the run's fixed cost).
    executor_def=in_process_executor,
)


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
        filters=RunsFilter(job_name=bronze_ingest_job.name, statuses=IN_FLIGHT),
        limit=1,
    )
    if in_flight:
        return SkipReason(
            f"bronze run {in_flight[0].run_id} is still {in_flight[0].status.value.lower()}"
        )
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
