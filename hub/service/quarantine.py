"""The quarantine: events the hub stored but could not apply, visible to HQ and retryable.

An event lands here when its kind or schema version is unknown, its payload does not validate,
its document is inconsistent, or the database refused a value. It is acknowledged like any
other (the store's upload never stalls behind it) and kept exactly as received. After a fix
(a hub upgrade that knows the kind, a data correction), HQ retries it: the same path as a
first ingest applies it or quarantines it again with the new reason. A store learns that an
event it was told was quarantined is now applied through its change feed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from hub.adapters.database import HubDatabase
from hub.adapters.repository import EventRepository, FeedRepository
from hub.errors import EventNotFound, EventNotQuarantined
from hub.service.ingest import apply_events
from shared.clock import Clock
from sync.messages import RawEvent


@dataclass(frozen=True, slots=True)
class QuarantinedEvent:
    event_id: UUID
    store_id: str
    node_id: str
    seq: int
    kind: str
    schema_version: int
    reason: str | None
    received_at: datetime
    retries: int
    last_retry_at: datetime | None
    payload: dict[str, Any] | None = None
    status: str = "quarantined"


def _of(row: Any, with_payload: bool = False) -> QuarantinedEvent:
    payload = row.payload if isinstance(row.payload, dict) else json.loads(row.payload)
    return QuarantinedEvent(
        event_id=row.event_id,
        store_id=row.store_id,
        node_id=row.node_id,
        seq=row.seq,
        kind=row.kind,
        schema_version=row.schema_version,
        reason=row.status_reason,
        received_at=row.received_at,
        retries=row.retries,
        last_retry_at=row.last_retry_at,
        payload=payload if with_payload else None,
        status=row.status,
    )


async def list_quarantined(
    db: HubDatabase,
    *,
    store_id: str | None = None,
    limit: int = 100,
    after: datetime | None = None,
    after_event: UUID | None = None,
) -> list[QuarantinedEvent]:
    """Quarantined events, oldest first; page with `after_event` = the last event id seen.
    `after` keeps only events received later than that time."""
    async with db.read() as connection:
        rows = await EventRepository(connection).quarantined(store_id, limit, after, after_event)
    return [_of(row) for row in rows]


async def get_event(event_id: UUID, db: HubDatabase) -> QuarantinedEvent:
    """Any event of the inbox, with its payload as received. Raises EventNotFound."""
    async with db.read() as connection:
        row = await EventRepository(connection).get(event_id)
    if row is None:
        raise EventNotFound(event_id)
    return _of(row, with_payload=True)


@dataclass(frozen=True, slots=True)
class RetryResult:
    event_id: UUID
    status: str
    reason: str | None


async def retry_event(event_id: UUID, db: HubDatabase, clock: Clock) -> RetryResult:
    """Apply a quarantined event again. Raises EventNotFound, EventNotQuarantined.

    On success the event becomes `applied` and its store's feed says so.
    """
    now = clock.now()
    async with db.write() as connection:
        events = EventRepository(connection)
        row = await events.get(event_id, lock=True)
        if row is None:
            raise EventNotFound(event_id)
        if row.status != "quarantined":
            raise EventNotQuarantined(event_id)
        raw = RawEvent.model_construct(
            event_id=row.event_id,
            store_id=row.store_id,
            node_id=row.node_id,
            seq=row.seq,
            schema_version=row.schema_version,
            hlc=row.hlc,
            occurred_at=row.occurred_at,
            kind=row.kind,
            payload=row.payload if isinstance(row.payload, dict) else json.loads(row.payload),
        )
        (outcome,) = await apply_events([raw], connection, now)
        status = "applied" if outcome.reason is None else "quarantined"
        await events.set_status(event_id, status, outcome.reason, now)
        if status == "applied":
            await FeedRepository(connection).append(
                [
                    {
                        "store_id": row.store_id,
                        "entity": "event_status",
                        "entity_key": str(event_id),
                        "version": 1,
                        "op": "upsert",
                        "payload": {"event_id": str(event_id), "seq": row.seq, "status": status},
                        "created_at": now,
                    }
                ]
            )
    return RetryResult(event_id, status, outcome.reason)


async def retry_store(
    store_id: str, db: HubDatabase, clock: Clock, limit: int = 1000
) -> list[RetryResult]:
    """Retry up to `limit` of a store's quarantined events, oldest first, one transaction each."""
    results = []
    for event in await list_quarantined(db, store_id=store_id, limit=limit):
        results.append(await retry_event(event.event_id, db, clock))
    return results


async def quarantine_size(db: HubDatabase) -> int:
    async with db.read() as connection:
        return await EventRepository(connection).count_quarantined()
