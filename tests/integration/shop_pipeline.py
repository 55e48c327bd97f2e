"""Generated shop data on topics of its own, through bronze and the layers' jobs, on the
test stack: what the silver and gold tests share."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from confluent_kafka import Producer
from dagster import (
    AssetsDefinition,
    DagsterInstance,
    Definitions,
    ExecuteInProcessResult,
    RunRequest,
    materialize,
)
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from data_generators import DEFAULT_TOPICS, generate_to_kafka, make_params
from ecommerce_assets.defs.bronze.expectations import bronze_envelope_expectations
from ecommerce_assets.defs.bronze.ingest import bronze_ingest
from ecommerce_assets.resources import BronzeResource, build_resources
from ecommerce_assets.settings import LakehouseSettings


class ShopPipeline:
    """Bronze on this pipeline's own topics and checkpoints, plus ``assets`` and ``jobs``
    in one ephemeral Dagster instance."""

    def __init__(
        self,
        name: str,
        settings: LakehouseSettings,
        tmp: Path,
        spark: SparkSession,
        assets: list[AssetsDefinition],
        jobs: list[Any],  # define_asset_job's jobs; their type is not public
    ) -> None:
        prefix = f"it.{name}.{uuid.uuid4().hex[:8]}"
        self.topics = {stream: f"{prefix}.{stream}" for stream in DEFAULT_TOPICS}
        self.settings = settings
        self.spark = spark
        bronze = BronzeResource(
            bootstrap_servers=settings.bootstrap_servers,
            checkpoint_root=(tmp / "checkpoints").as_uri(),
            topics=self.topics,
        )
        self.resources = {**build_resources(settings), "bronze": bronze}
        self.instance = DagsterInstance.ephemeral()
        self.defs = Definitions(
            assets=[bronze_ingest, *assets],
            asset_checks=[bronze_envelope_expectations],
            jobs=jobs,
            resources=self.resources,
        )

    def generate(self, **params: Any) -> dict[str, Any]:
        """Generate to this pipeline's topics (two partitions each); the manifest."""
        generated = make_params(topics=self.topics, **params)
        return generate_to_kafka(generated, self.settings.bootstrap_servers, partitions=2)

    def produce(self, stream: str, records: list[dict[str, Any]]) -> None:
        """Produce hand-made envelopes to this pipeline's topic of ``stream``."""
        producer = Producer({"bootstrap.servers": self.settings.bootstrap_servers})
        for record in records:
            key = str(record["payload"].get("customer_id", "0"))
            producer.produce(self.topics[stream], key=key, value=json.dumps(record))
        assert producer.flush(30) == 0

    def ingest(self) -> None:
        assert materialize(
            [bronze_ingest], resources=self.resources, instance=self.instance
        ).success

    def run(self, job: str, first: dt.date, last: dt.date | None = None) -> ExecuteInProcessResult:
        """Run the code location's ``job`` for ``first``..``last`` (one run)."""
        tags = {
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": (last or first).isoformat(),
        }
        return self.defs.resolve_job_def(job).execute_in_process(
            instance=self.instance, tags=tags, raise_on_error=False
        )

    def execute(self, job: str, request: RunRequest) -> ExecuteInProcessResult:
        """Run what a sensor's run request asks for: its partition or partition range."""
        return self.defs.resolve_job_def(job).execute_in_process(
            instance=self.instance,
            tags=dict(request.tags),
            partition_key=request.partition_key,
            raise_on_error=False,
        )


def checksum(rows: DataFrame) -> tuple[int, Decimal]:
    """Row count and an order-free checksum of every column of ``rows``."""
    digest = F.xxhash64(*rows.columns).cast("decimal(38,0)")
    summary = rows.agg(F.count(F.lit(1)), F.sum(digest)).first()
    assert summary is not None
    return summary[0], summary[1]


def order_envelope(order_id: str, day: dt.date, total: float = 25.99) -> dict[str, Any]:
    """An ``order_placed`` envelope at noon on ``day``: one line, 21.00 + 4.99 shipping
    (a ``total`` other than 25.99 breaks the order total rule)."""
    when = dt.datetime.combine(day, dt.time(12, 0), dt.UTC)
    return {
        "id": str(uuid.uuid4()),
        "type": "order_placed",
        "event_time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "schema_version": 1,
        "payload": {
            "order_id": order_id,
            "customer_id": 1,
            "session_id": "s-late",
            "channel": "direct",
            "campaign_id": None,
            "device": "ios_app",
            "items": [
                {
                    "line_number": 1,
                    "product_id": 1,
                    "quantity": 1,
                    "unit_price": 21.00,
                    "discount": 0.0,
                }
            ],
            "subtotal": 21.00,
            "discount": 0.0,
            "shipping": 4.99,
            "total": total,
            "currency": "EUR",
            "payment_method": "card",
            "shipping_address": {"city": "Berlin", "postcode": "01234", "country": "DE"},
        },
    }
