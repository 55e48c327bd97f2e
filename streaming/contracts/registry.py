"""All streams in one place: names, default topics and the lookup of an event type."""

from __future__ import annotations

from types import MappingProxyType

from streaming.contracts.clickstream import CLICKSTREAM
from streaming.contracts.commerce import ORDERS, PAYMENTS
from streaming.contracts.entities import CAMPAIGNS, CUSTOMERS, INVENTORY, PRODUCTS
from streaming.contracts.types import EventContract, StreamContract

#: Every stream, in the order producers and consumers list them.
CONTRACTS: tuple[StreamContract, ...] = (
    CLICKSTREAM,
    ORDERS,
    PAYMENTS,
    CUSTOMERS,
    PRODUCTS,
    INVENTORY,
    CAMPAIGNS,
)
STREAMS: tuple[str, ...] = tuple(c.name for c in CONTRACTS)
#: Stream -> its Kafka topic (and landing folder) unless a run overrides it.
DEFAULT_TOPICS: dict[str, str] = {c.name: c.default_topic for c in CONTRACTS}

_BY_STREAM = MappingProxyType({c.name: c for c in CONTRACTS})
_BY_EVENT_TYPE = MappingProxyType({t: c for c in CONTRACTS for t in c.event_types})
if len(_BY_EVENT_TYPE) != sum(len(c.events) for c in CONTRACTS):
    # An event type names its payload; two streams sharing one would make it ambiguous.
    raise ValueError("an event type is declared by more than one stream")


def stream_contract(stream: str) -> StreamContract:
    try:
        return _BY_STREAM[stream]
    except KeyError:
        raise KeyError(f"unknown stream {stream!r}; known streams: {', '.join(STREAMS)}") from None


def stream_of_event(event_type: str) -> StreamContract:
    """The stream an event type belongs to."""
    try:
        return _BY_EVENT_TYPE[event_type]
    except KeyError:
        raise KeyError(f"unknown event type {event_type!r}") from None


def event_contract(event_type: str) -> EventContract:
    return stream_of_event(event_type).event(event_type)
