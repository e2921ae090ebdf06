"""The events the nodes uploaded, as the hub's inbox holds them: applied or quarantined; what
an envelope must be for the inbox to hold it, and the digest that tells a re-send from an
altered one."""

from __future__ import annotations

import hashlib
import json
import re
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
        if _CONTROL.search(getattr(raw, name)):
            return f"{name} holds a control character"
    try:
        raw.occurred_at.astimezone(UTC)
    except OverflowError:
        return f"occurred_at {raw.occurred_at.isoformat()} is out of range in UTC"
    return None


# C0 controls and DEL; one search per text (a character loop in Python showed in ingest profiles).
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def content_digest(raw: RawEvent) -> str:
    """SHA-256 (hex) of the event's content as canonical JSON: its kind, schema version, HLC
    stamp, `occurred_at` (in UTC) and payload, keys sorted, no spaces, UTF-8. Two copies of an
    event have the same digest exactly when they say the same thing, however their JSON was
    spaced or ordered. Call only on an envelope `envelope_problem` passes."""
    content = {
        "kind": raw.kind,
        "schema_version": raw.schema_version,
        "hlc": raw.hlc,
        "occurred_at": raw.occurred_at.astimezone(UTC).isoformat(),
        "payload": raw.payload,
    }
    text = _CANONICAL.encode(content)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# Made once: json.dumps with options builds an encoder per call, half the cost of a digest.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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
    content_sha256: str  # content_digest of the event as received


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
class HeldEvent:
    """The event the inbox holds under a node's seq: its id and the digest of its content
    (None for events received before the hub kept digests)."""

    event_id: UUID
    content_sha256: str | None


@dataclass(frozen=True, slots=True)
class EventStatusRecord:
    """An event's status as a store learns it through its feed, after HQ retried it."""

    event_id: UUID
    seq: int
    status: Literal["applied", "quarantined"]
