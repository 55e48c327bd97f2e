"""The ground-truth manifest of a run, for reconciling every later layer exactly.

Format (JSON, ``manifest_version`` 1)::

    {
      "manifest_version": 1,
      "params": {...},                      # GeneratorParams as given
      "topics": {"clickstream": "shop.clickstream", ...},
      "days": {                             # keyed by *event* date (UTC)
        "2024-01-01": {
          "records": {                      # per stream
            "clickstream": {"valid": 123, "by_type": {"page_view": 80, ...},
                            "duplicates": 1, "late": 2, "out_of_order": 0,
                            "malformed": {"invalid_json": 0, "missing_field": 1,
                                          "wrong_type": 0},
                            "drifted": 0}, ...},
          "business": {"sessions": 20, "orders": 3, "items": 5,
                       "gross_revenue_cents": 12345, ...}
        }, ...
      },
      "delivered": {"clickstream": {"2024-01-01": 124, ...}, ...},  # by delivery date
      "totals": {"records": {stream: {"valid": n, "delivered": n, ...}},
                 "business": {...}},
      "output": {...},                      # what the writer wrote (files, hashes, topics)
      "run": {"elapsed_s": 1.2, "events_per_s": 100000.0}
    }

``valid`` counts every well-formed record once (duplicates and malformed copies are
extra and counted separately). ``delivered`` counts everything a writer received:
``sum(delivered) == valid + duplicates + malformed`` per stream. Business totals are
computed from the valid records' payloads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from data_generators.calendar import MS_PER_DAY
from data_generators.envelope import cents
from data_generators.records import Rows
from data_generators.trouble import MALFORMED_KINDS, Injected

MANIFEST_VERSION = 1
BUSINESS_KEYS = (
    "sessions", "purchase_events", "orders", "items", "subtotal_cents", "discount_cents",
    "shipping_cents", "gross_revenue_cents", "cancellations", "cancelled_cents", "returns",
    "returned_items", "returned_cents", "payments_captured", "captured_cents",
    "payments_declined", "refunds", "refunded_cents", "customers_created",
    "customer_updates", "price_changes", "products_created", "stock_receipts",
)  # fmt: skip


def _date(day_number: int) -> str:
    return str(np.datetime64(int(day_number), "D"))


def _bincount_days(ms: np.ndarray) -> dict[int, int]:
    if len(ms) == 0:
        return {}
    days = np.asarray(ms, dtype=np.int64) // MS_PER_DAY
    uniq, counts = np.unique(days, return_counts=True)
    return dict(zip(uniq.tolist(), counts.tolist(), strict=True))


def _record_counts() -> dict[str, Any]:
    return {
        "valid": 0,
        "by_type": defaultdict(int),
        "duplicates": 0,
        "late": 0,
        "out_of_order": 0,
        "malformed": dict.fromkeys(MALFORMED_KINDS, 0),
        "drifted": 0,
    }


class ManifestBuilder:
    def __init__(self, params: dict[str, Any], topics: dict[str, str]) -> None:
        self.params = params
        self.topics = topics
        self.records: dict[int, dict[str, dict[str, Any]]] = defaultdict(
            lambda: {s: _record_counts() for s in topics}
        )
        self.business: dict[int, dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(BUSINESS_KEYS, 0)
        )
        self.delivered: dict[str, dict[int, int]] = {s: defaultdict(int) for s in topics}

    def count_valid(
        self, stream: str, event_ms: np.ndarray, types: Sequence[str] | np.ndarray,
        type_names: Sequence[str] | None = None, drifted: np.ndarray | None = None,
    ) -> None:  # fmt: skip
        """Count valid records; ``types`` are names, or codes into ``type_names``."""
        days = np.asarray(event_ms, dtype=np.int64) // MS_PER_DAY
        if type_names is None:
            names = sorted(set(types))
            codes = np.array([names.index(t) for t in types], dtype=np.int64)
        else:
            names, codes = list(type_names), np.asarray(types, dtype=np.int64)
        if len(days) == 0:
            return
        pairs, counts = np.unique(np.stack([days, codes]), axis=1, return_counts=True)
        for (day, code), count in zip(pairs.T.tolist(), counts.tolist(), strict=True):
            entry = self.records[day][stream]
            entry["valid"] += count
            entry["by_type"][names[code]] += count
        if drifted is not None:
            for day, count in _bincount_days(np.asarray(event_ms)[drifted]).items():
                self.records[day][stream]["drifted"] += count

    def count_trouble(self, stream: str, injected: Injected) -> None:
        for kind in ("duplicates", "late", "out_of_order"):
            for day, count in _bincount_days(getattr(injected, kind)).items():
                self.records[day][stream][kind] += count
        for kind, ms in injected.malformed.items():
            for day, count in _bincount_days(ms).items():
                self.records[day][stream]["malformed"][kind] += count

    def count_delivered(self, stream: str, timestamps: np.ndarray) -> None:
        for day, count in _bincount_days(timestamps).items():
            self.delivered[stream][day] += count

    def count_sessions(self, day_number: int, sessions: int) -> None:
        self.business[day_number]["sessions"] += sessions

    def account(self, rows: Rows) -> None:
        """Business totals from the payloads of valid order/payment/entity events."""
        for ms, event_type, payload in zip(rows.event_ms, rows.types, rows.payloads, strict=True):
            b = self.business[ms // MS_PER_DAY]
            if event_type == "order_placed":
                b["orders"] += 1
                b["items"] += sum(item["quantity"] for item in payload["items"])
                b["subtotal_cents"] += cents(payload["subtotal"])
                b["discount_cents"] += cents(payload["discount"])
                b["shipping_cents"] += cents(payload["shipping"])
                b["gross_revenue_cents"] += cents(payload["total"])
            elif event_type == "order_cancelled":
                b["cancellations"] += 1
                b["cancelled_cents"] += cents(payload["refund_amount"])
            elif event_type == "order_returned":
                b["returns"] += 1
                b["returned_items"] += sum(item["quantity"] for item in payload["items"])
                b["returned_cents"] += cents(payload["refund_amount"])
            elif event_type == "payment_captured":
                b["payments_captured"] += 1
                b["captured_cents"] += cents(payload["amount"])
            elif event_type == "payment_declined":
                b["payments_declined"] += 1
            elif event_type == "payment_refunded":
                b["refunds"] += 1
                b["refunded_cents"] += cents(payload["amount"])
            elif event_type == "customer_created":
                b["customers_created"] += 1
            elif event_type == "customer_updated":
                b["customer_updates"] += 1
            elif event_type == "product_price_changed":
                b["price_changes"] += 1
            elif event_type == "product_created":
                b["products_created"] += 1
            elif event_type == "stock_received":
                b["stock_receipts"] += 1

    def count_purchase_events(self, event_ms: np.ndarray) -> None:
        for day, count in _bincount_days(event_ms).items():
            self.business[day]["purchase_events"] += count

    def build(self, output: dict[str, Any], elapsed_s: float) -> dict[str, Any]:
        days: dict[str, Any] = {}
        for day in sorted(set(self.records) | set(self.business)):
            recs = self.records[day]
            days[_date(day)] = {
                "records": {
                    s: {**c, "by_type": dict(sorted(c["by_type"].items()))} for s, c in recs.items()
                },
                "business": dict(self.business[day]),
            }
        totals_records = {}
        for stream in self.topics:
            total = _record_counts()
            for day in days.values():
                entry = day["records"][stream]
                for key in ("valid", "duplicates", "late", "out_of_order", "drifted"):
                    total[key] += entry[key]
                for kind, n in entry["malformed"].items():
                    total["malformed"][kind] += n
                for t, n in entry["by_type"].items():
                    total["by_type"][t] += n
            total["by_type"] = dict(sorted(total["by_type"].items()))
            total["delivered"] = sum(self.delivered[stream].values())
            totals_records[stream] = total
        totals_business = dict.fromkeys(BUSINESS_KEYS, 0)
        for day in days.values():
            for key, value in day["business"].items():
                totals_business[key] += value
        delivered_events = sum(t["delivered"] for t in totals_records.values())
        return {
            "manifest_version": MANIFEST_VERSION,
            "params": self.params,
            "topics": self.topics,
            "days": days,
            "delivered": {
                s: {_date(d): n for d, n in sorted(by_day.items())}
                for s, by_day in self.delivered.items()
            },
            "totals": {"records": totals_records, "business": totals_business},
            "output": output,
            "run": {
                "elapsed_s": round(elapsed_s, 3),
                "delivered_records": delivered_events,
                "events_per_s": round(delivered_events / elapsed_s, 1) if elapsed_s else None,
            },
        }


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))


def read_manifest(path: Path) -> dict[str, Any]:
    return orjson.loads(path.read_bytes())
