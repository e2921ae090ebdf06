"""The events the nodes uploaded, as the hub's inbox holds them: applied or quarantined."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple
from uuid import UUID


class InboxRow(NamedTuple):
    """A received event as the inbox (`sync_event`) stores it."""

    event_id: UUID
    node_id: str
    store_id: str
    seq: int
    kind: str
    schema_version: int
    hlc: str
    occurred_at: datetime
    received_at: datetime
    status: Literal["applied", "quarantined"]
    status_reason: str | None
    payload: str  # the payload's JSON text, as received


@dataclass(frozen=True, slots=True)
class InboxEvent:
    """An event of the inbox as HQ sees it: the envelope, its status (`applied` or
    `quarantined`, with the reason), HQ's retries, and the payload as received."""

    event_id: UUID
    node_id: str
    store_id: str
    seq: int
    kind: str
    schema_version: int
    hlc: str
    occurred_at: datetime
    received_at: datetime
    status: str
    status_reason: str | None
    retries: int
    last_retry_at: datetime | None
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventStatusRecord:
    """An event's status as a store learns it through its feed, after HQ retried it."""

    event_id: UUID
    seq: int
    status: Literal["applied", "quarantined"]
