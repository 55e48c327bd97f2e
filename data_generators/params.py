"""Run parameters, validated up front so a bad value fails before anything is produced.

Every error is a :class:`ParameterError` whose message names the parameter, the value
given and what is allowed, e.g. ``trouble.duplicate_share must be between 0 and 1
(got 1.5)``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from streaming.contracts import DEFAULT_TOPICS

Mode = Literal["backfill", "live"]

_TOPIC_NAME = re.compile(r"[A-Za-z0-9._-]+")


class ParameterError(ValueError):
    """A generator parameter is invalid; the message says which one and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_TOPIC_NAMES_DOC = "Where each logical stream goes: a Kafka topic, or a folder for the file writer."


class _TopicNamesBase(_Strict):
    __doc__ = _TOPIC_NAMES_DOC

    @model_validator(mode="after")
    def _valid_names(self) -> _TopicNamesBase:
        names = self.model_dump()
        for stream, name in names.items():
            # Kafka's own rule for topic names; also safe as a folder name.
            if not name or len(name) > 249 or name in {".", ".."}:
                raise ValueError(f"topic name for {stream} is invalid: {name!r}")
            # ASCII only: str.isalnum() would also admit "ö", which Kafka rejects.
            if not _TOPIC_NAME.fullmatch(name):
                raise ValueError(
                    f"topic name for {stream} may only contain ASCII letters, digits, '.', '_' "
                    f"and '-' (got {name!r})"
                )
        if len(set(names.values())) != len(names):
            raise ValueError(f"topic names must be distinct (got {names})")
        return self

    def streams(self) -> dict[str, str]:
        return self.model_dump()


# The fields come from the contract's streams, so a new stream needs no edit here;
# unknown streams are rejected (extra="forbid") and named by _explain.
TopicNames = create_model(
    "TopicNames",
    __base__=_TopicNamesBase,
    __module__=__name__,
    __doc__=_TOPIC_NAMES_DOC,
    **{stream: (str, topic) for stream, topic in DEFAULT_TOPICS.items()},
)


class TroubleParams(_Strict):
    """Deliberate data-quality problems. All default to zero: clean data.

    Shares are fractions of the valid records of each topic and slice; the exact number
    injected is ``round(share * n)`` per slice, so the manifest counts are exact.
    """

    duplicate_share: float = Field(default=0.0, ge=0, le=1)
    late_share: float = Field(default=0.0, ge=0, le=1)
    late_min_minutes: float = Field(default=5.0, gt=0)
    late_max_hours: float = Field(default=72.0, gt=0)
    out_of_order_share: float = Field(default=0.0, ge=0, le=1)
    malformed_share: float = Field(default=0.0, ge=0, le=1)
    #: From this day (0 = the first day) on, events carry schema_version 2 and a new
    #: optional field; ``None`` means no drift.
    schema_drift_from_day: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _late_window(self) -> TroubleParams:
        if self.late_min_minutes / 60 >= self.late_max_hours:
            raise ValueError(
                "late_min_minutes must be below late_max_hours "
                f"(got {self.late_min_minutes} min and {self.late_max_hours} h)"
            )
        if self.late_share + self.out_of_order_share > 1:
            raise ValueError(
                "late_share + out_of_order_share must not exceed 1 "
                f"(got {self.late_share} + {self.out_of_order_share})"
            )
        return self


class GeneratorParams(_Strict):
    """The shop to simulate and how to emit it."""

    seed: int = Field(default=42, ge=0, lt=2**63)
    customers: int = Field(default=10_000, ge=1)
    products: int = Field(default=1_000, ge=1)
    days: int = Field(default=7, ge=1)
    start_date: dt.date = dt.date(2024, 1, 1)
    #: Mean clickstream events per day; weekdays and season move the real number.
    events_per_day: int = Field(default=100_000, ge=1)
    mode: Mode = "backfill"
    #: Live mode only: target clickstream events per second (other streams add ~5%).
    rate: float = Field(default=1_000.0, gt=0)
    #: Live mode only: stop after this many wall-clock seconds (None: run all days).
    duration_s: float | None = Field(default=None, gt=0)
    topics: TopicNames = TopicNames()
    trouble: TroubleParams = TroubleParams()

    @model_validator(mode="after")
    def _live_window(self) -> GeneratorParams:
        if self.mode == "backfill" and self.duration_s is not None:
            raise ValueError("duration_s only applies to mode='live'")
        return self


def _explain(error: ValidationError, root: str) -> str:
    lines = []
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"])
        msg = str(item["msg"]).removeprefix("Value error, ").replace("Input should be", "must be")
        if item["type"] == "extra_forbidden":
            if "topics" in item["loc"] or root == "topics":
                known = ", ".join(DEFAULT_TOPICS)
                lines.append(f"unknown topic {item['loc'][-1]!r}; known streams: {known}")
            else:
                lines.append(f"unknown parameter {loc!r}")
            continue
        if item["type"] in {"greater_than_equal", "less_than_equal"} and "share" in loc:
            msg = "must be between 0 and 1"
        where = f"{loc} " if loc else ""
        lines.append(f"{where}{msg} (got {item.get('input')!r})" if loc else msg)
    return "; ".join(lines)


def make_params(**values: Any) -> GeneratorParams:
    """Build :class:`GeneratorParams` from plain values; raise :class:`ParameterError`."""
    try:
        return GeneratorParams.model_validate(values)
    except ValidationError as error:
        raise ParameterError(f"invalid generator parameters: {_explain(error, '')}") from None


def parse_topic_overrides(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Parse ``stream=topic`` pairs (the CLI's ``--topic``) and reject unknown streams."""
    out: dict[str, str] = {}
    for pair in pairs:
        stream, sep, topic = pair.partition("=")
        if not sep:
            raise ParameterError(f"--topic expects STREAM=TOPIC (got {pair!r})")
        if stream not in DEFAULT_TOPICS:
            known = ", ".join(DEFAULT_TOPICS)
            raise ParameterError(f"unknown topic {stream!r}; known streams: {known}")
        out[stream] = topic
    return out
