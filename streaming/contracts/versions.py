"""Schema versions: the envelope's ``schema_version`` says which payload shape follows.

A new version only ever adds fields (silver reads every version with one schema, the
fields of the newest, and gets NULL for what older payloads lack).
"""

from __future__ import annotations

SCHEMA_VERSION = 1
#: What the generator's ``trouble.schema_drift_from_day`` switches to: payloads gain a
#: field (clickstream ``consent_marketing``, ``order_placed.gift_wrap``).
DRIFT_SCHEMA_VERSION = 2
SCHEMA_VERSIONS: tuple[int, ...] = (SCHEMA_VERSION, DRIFT_SCHEMA_VERSION)
