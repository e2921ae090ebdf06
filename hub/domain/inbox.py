"""The events the nodes uploaded, as the hub's inbox holds them: applied or quarantined; and
what an envelope must be for the inbox to hold it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple
from uuid import UUID

from sync.messages import RawEvent

# What the inbox's columns hold on both databases: seq is a BIGINT, schema_version an INTEGER.
MAX_SEQ = 2**63 - 1
MAX_SCHEMA_VERSION = 2**31 - 1


def envelope_problem(raw: RawEvent) -> str | None:
    """Why the inbox cannot hold `raw` as sent (None: it can): a seq or schema version beyond
    its columns, a control character in the kind or the HLC stamp (PostgreSQL's text refuses
    NUL), an `occurred_at` that is no instant between the years 1 and 9999 in UTC. Such an
    event cannot even be quarantined, so its whole batch is refused."""
    if not 1 <= raw.seq <= MAX_SEQ:
        return f"seq {raw.seq} is not between 1 and {MAX_SEQ}"
    if not 1 <= raw.schema_version <= MAX_SCHEMA_VERSION:
        return f"schema_version {raw.schema_version} is not between 1 and {MAX_SCHEMA_VERSION}"
    for name in ("kind", "hlc"):
        text = getattr(raw, name)
        if any(ord(character) < 32 or ord(character) == 127 for character in text):
            return f"{name} holds a control character"
    try:
        raw.occurred_at.astimezone(UTC)
    except OverflowError:
        return f"occurred_at {raw.occurred_at.isoformat()} is out of range in UTC"
    return None


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
