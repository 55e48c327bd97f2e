"""Spark reads generated payloads with the contract's schema and gets the exact values.

from_json nulls a field whose JSON does not fit its type, so comparing every parsed
value with the JSON it came from proves the logical types (money as exact decimals,
dates as dates) are what silver can rely on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import orjson
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from data_generators import iter_records, make_params
from streaming.bronze.schemas import ENVELOPE_SCHEMA, ENVELOPE_TEXT_SCHEMA
from streaming.contracts import ENVELOPE_FIELDS, event_contract
from streaming.contracts.sql import spark_ddl
from streaming.contracts.types import DATE, MONEY, STRUCT, Field, element_type

PER_TYPE = 25


def _expected(field: Field, value: Any) -> Any:
    """The Python value Spark should give for a JSON value of ``field``."""
    if value is None:
        return None
    element = element_type(field.type)
    if element is not None:
        item = Field("item", element, "", fields=field.fields)
        return [_expected(item, v) for v in value]
    if field.type == STRUCT:
        return {f.name: _expected(f, value[f.name]) for f in field.fields}
    if field.type == MONEY:
        return Decimal(repr(value))
    if field.type == DATE:
        return dt.date.fromisoformat(value)
    return value


def test_contract_schema_parses_every_generated_event_type_exactly(
    local_spark: SparkSession,
) -> None:
    params = make_params(seed=8, customers=200, products=40, days=2, events_per_day=2_000,
                         trouble={"schema_drift_from_day": 1})  # fmt: skip
    samples: dict[tuple[str, int], list[str]] = defaultdict(list)
    for out in iter_records(params):
        for batch in out.batches:
            for value in batch.values.to_pylist():
                record = orjson.loads(value)
                group = samples[(record["type"], record["schema_version"])]
                if len(group) < PER_TYPE:
                    group.append(orjson.dumps(record["payload"]).decode())
    assert len(samples) >= 20
    for (event_type, version), payloads in sorted(samples.items()):
        fields = event_contract(event_type).payload(version)
        frame = local_spark.createDataFrame([(p,) for p in payloads], "payload STRING")
        parsed = frame.select(F.from_json("payload", spark_ddl(fields)).alias("p")).collect()
        for payload, row in zip(payloads, parsed, strict=True):
            got = row["p"].asDict(recursive=True)
            raw = orjson.loads(payload)
            want = {f.name: _expected(f, raw[f.name]) for f in fields}
            assert got == want, f"{event_type} v{version}: Spark read {got}, JSON was {raw}"


def test_bronze_envelope_schemas_name_the_contracts_envelope_fields() -> None:
    """Bronze parses the envelope with schemas of its own (the Java parser declares the
    same string); their fields must stay the contract's, in its order."""
    for schema in (ENVELOPE_SCHEMA, ENVELOPE_TEXT_SCHEMA):
        names = [column.split()[0] for column in schema.split(", ")]
        assert names == [*ENVELOPE_FIELDS, "_corrupt_record"], schema
