"""The envelope every record on every topic is: ``{id, type, event_time, schema_version,
payload}``, keys in that order."""

from __future__ import annotations

from streaming.contracts.types import INT, STRING, STRUCT, TIMESTAMP, Field
from streaming.contracts.versions import SCHEMA_VERSIONS

ENVELOPE: tuple[Field, ...] = (
    Field("id", STRING, "Event id, a UUID; a redelivered duplicate has the same id."),
    Field("type", STRING, "Event type, one of its stream's event types (below)."),
    Field(
        "event_time",
        TIMESTAMP,
        "When it happened, UTC with milliseconds: 2024-01-01T09:30:00.123Z. "
        "Not when it arrived: late events carry their original time.",
    ),
    Field(
        "schema_version",
        INT,
        f"Payload schema version, one of {', '.join(map(str, SCHEMA_VERSIONS))}.",
    ),
    Field(
        "payload",
        STRUCT,
        "The event's fields, by event type and schema version (below).",
    ),
)

#: Envelope field names, in the order producers write them.
ENVELOPE_FIELDS: tuple[str, ...] = tuple(f.name for f in ENVELOPE)
#: Fields a record must carry, non-null, to be an event rather than a dead letter.
REQUIRED_FIELDS: tuple[str, ...] = tuple(f.name for f in ENVELOPE if not f.nullable)
