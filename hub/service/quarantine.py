"""The quarantine: events the hub stored but could not apply, visible to HQ and retryable.

An event lands here when its kind or schema version is unknown (or its kind has no ingest
handler), its payload does not validate, its document is inconsistent, or the database
refused a value. It is acknowledged like any
other (the store's upload never stalls behind it) and kept exactly as received. After a fix
(a hub upgrade that knows the kind, a data correction), HQ retries it: the same path as a
first ingest applies it or quarantines it again with the new reason. A store learns that an
event it was told was quarantined is now applied through its change feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.feed import FeedEntry
from hub.domain.inbox import InboxEvent
from hub.errors import EventNotFound, EventNotQuarantined
from hub.service.ingest import apply_events
from hub.service.ingest_held import raw_of


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


def _of(event: InboxEvent, with_payload: bool = False) -> QuarantinedEvent:
    return QuarantinedEvent(
        event_id=event.event_id,
        store_id=event.store_id,
        node_id=event.node_id,
        seq=event.seq,
        kind=event.kind,
        schema_version=event.schema_version,
        reason=event.status_reason,
        received_at=event.received_at,
        retries=event.retries,
        last_retry_at=event.last_retry_at,
        payload=event.payload if with_payload else None,
        status=event.status,
    )


async def list_quarantined(
    *,
    store_id: str | None = None,
    limit: int = 100,
    after: datetime | None = None,
    after_event: UUID | None = None,
    uow: HubUnitOfWork,
) -> list[QuarantinedEvent]:
    """Quarantined events, oldest first; page with `after_event` = the last event id seen.
    `after` keeps only events received later than that time."""
    async with uow.read() as tx:
        events = await tx.inbox.quarantined(store_id, limit, after, after_event)
    return [_of(event) for event in events]


async def get_event(event_id: UUID, uow: HubUnitOfWork) -> QuarantinedEvent:
    """Any event of the inbox, with its payload as received. Raises EventNotFound."""
    async with uow.read() as tx:
        event = await tx.inbox.get(event_id)
    if event is None:
        raise EventNotFound(event_id)
    return _of(event, with_payload=True)


@dataclass(frozen=True, slots=True)
class RetryResult:
    event_id: UUID
    status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """Apply quarantined event `event_id` again (after a fix)."""

    event_id: UUID


async def retry_event(command: RetryEvent, uow: HubUnitOfWork) -> RetryResult:
    """Apply the event as a first ingest would; returns its status after (applied, or
    quarantined again with the new reason). Raises EventNotFound, EventNotQuarantined.

    On success the event becomes `applied` and its store's feed says so.
    """
    event_id = command.event_id
    now = uow.now()
    async with uow.write() as tx:
        held = await tx.inbox.get(event_id, lock=True)
        if held is None:
            raise EventNotFound(event_id)
        if held.status != "quarantined":
            raise EventNotQuarantined(event_id)
        (outcome,) = await apply_events([raw_of(held)], tx, now)
        status = "applied" if outcome.reason is None else "quarantined"
        await tx.inbox.set_status(event_id, status, outcome.reason, now)
        if status == "applied":
            tx.publish(
                FeedEntry(
                    store_id=held.store_id,
                    entity="event_status",
                    entity_key=str(event_id),
                    version=1,
                    payload={"event_id": str(event_id), "seq": held.seq, "status": status},
                    created_at=now,
                )
            )
    return RetryResult(event_id, status, outcome.reason)


@dataclass(frozen=True, slots=True)
class RetryStore:
    """Apply again up to `limit` of store `store_id`'s quarantined events, oldest first."""

    store_id: str
    limit: int = 1000


async def retry_store(command: RetryStore, uow: HubUnitOfWork) -> list[RetryResult]:
    """Retry the events, one transaction each; returns each one's result, in that order."""
    results = []
    for event in await list_quarantined(store_id=command.store_id, limit=command.limit, uow=uow):
        results.append(await retry_event(RetryEvent(event.event_id), uow))
    return results


async def quarantine_size(uow: HubUnitOfWork) -> int:
    async with uow.read() as tx:
        return await tx.inbox.count_quarantined()
