"""The inbox of received events (`sync_event`): every event a node uploaded, applied or
quarantined, keyed by event id and by (node, seq)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, literal_column, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import chunks, is_postgres, json_value, one_of, write_rows
from hub.domain.inbox import EventStatusRecord, HeldEvent, InboxEvent, InboxRow
from hub.errors import InvalidRequest

# The predicates of the inbox's partial indexes, written as they are (a bound parameter would
# hide from PostgreSQL's planner that the index covers the query).
_QUARANTINED = tables.sync_event.c.status == literal_column("'quarantined'")
_RETRIED = tables.sync_event.c.retries > literal_column("0")


class InboxRepository:
    """The inbox of received events, keyed by event id and by (node, seq)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def held(self, node_id: str, seqs: Sequence[int]) -> dict[int, HeldEvent]:
        """The events the hub already holds under these seqs of the node (each seq fits a
        BIGINT: `hub.domain.inbox.envelope_problem`), by seq."""
        event = tables.sync_event
        held: dict[int, HeldEvent] = {}
        for chunk in chunks(sorted(set(seqs))):
            rows = await self._connection.execute(
                select(event.c.seq, event.c.event_id, event.c.content_sha256).where(
                    event.c.node_id == node_id, one_of(self._connection, event.c.seq, chunk)
                )
            )
            held.update({row.seq: HeldEvent(row.event_id, row.content_sha256) for row in rows})
        return held

    async def known_event_ids(self, event_ids: Sequence[UUID]) -> set[UUID]:
        known: set[UUID] = set()
        for chunk in chunks(list(event_ids)):
            rows = await self._connection.execute(
                select(tables.sync_event.c.event_id).where(
                    one_of(self._connection, tables.sync_event.c.event_id, chunk)
                )
            )
            known.update(row.event_id for row in rows)
        return known

    async def seqs_after(self, node_id: str, seq: int) -> list[int]:
        rows = await self._connection.execute(
            select(tables.sync_event.c.seq)
            .where(tables.sync_event.c.node_id == node_id, tables.sync_event.c.seq > seq)
            .order_by(tables.sync_event.c.seq)
        )
        return [row.seq for row in rows]

    async def quarantined(
        self,
        store_id: str | None,
        limit: int,
        after: datetime | None,
        after_event: UUID | None = None,
    ) -> list[InboxEvent]:
        """Quarantined events, oldest first (by receipt, then node and seq), optionally of one
        store, received after `after`, and after the event `after_event` in that order (a
        keyset: events of one batch share their receipt time, so a time alone would skip the
        rest of a batch cut by a page). Raises InvalidRequest (`after_event` unknown)."""
        event = tables.sync_event
        statement = select(event).where(_QUARANTINED)
        if store_id is not None:
            statement = statement.where(event.c.store_id == store_id)
        if after is not None:
            statement = statement.where(event.c.received_at > after)
        if after_event is not None:
            last = await self.get(after_event)
            if last is None:
                raise InvalidRequest(f"after_event {after_event} names no received event")
            statement = statement.where(
                tuple_(event.c.received_at, event.c.node_id, event.c.seq)
                > tuple_(last.received_at, last.node_id, last.seq)
            )
        statement = statement.order_by(event.c.received_at, event.c.node_id, event.c.seq).limit(
            limit
        )
        return [_event(row) for row in await self._connection.execute(statement)]

    async def count_quarantined(self) -> int:
        statement = select(func.count()).where(_QUARANTINED)
        return int((await self._connection.execute(statement)).scalar_one())

    async def get(self, event_id: UUID, *, lock: bool = False) -> InboxEvent | None:
        """The event, its row locked until the transaction ends if `lock` (PostgreSQL)."""
        statement = select(tables.sync_event).where(tables.sync_event.c.event_id == event_id)
        if lock and is_postgres(self._connection):
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return _event(row) if row else None

    async def set_status(
        self, event_id: UUID, status: str, reason: str | None, retried_at: datetime
    ) -> None:
        """Record the outcome of HQ's retry (one more retry)."""
        await self._connection.execute(
            update(tables.sync_event)
            .where(tables.sync_event.c.event_id == event_id)
            .values(
                status=status,
                status_reason=reason,
                retries=tables.sync_event.c.retries + 1,
                last_retry_at=retried_at,
            )
        )

    async def add(self, rows: list[InboxRow]) -> None:
        """Insert inbox rows (by COPY on PostgreSQL)."""
        if is_postgres(self._connection):
            await write_rows(self._connection, tables.sync_event, InboxRow._fields, rows)
        elif rows:
            decoded = [{**row._asdict(), "payload": json.loads(row.payload)} for row in rows]
            await self._connection.execute(tables.sync_event.insert(), decoded)

    async def retried_after(
        self, store_id: str, event_id: UUID | None, limit: int
    ) -> list[EventStatusRecord]:
        """The store's events HQ retried out of quarantine (their outcome is news to the
        store), by event id: a keyset page for snapshots."""
        event = tables.sync_event
        statement = (
            select(event.c.event_id, event.c.seq, event.c.status)
            .where(event.c.store_id == store_id, _RETRIED)
            .order_by(event.c.event_id)
            .limit(limit)
        )
        if event_id is not None:
            statement = statement.where(event.c.event_id > event_id)
        return [
            EventStatusRecord(event_id, seq, status)
            for event_id, seq, status in await self._connection.execute(statement)
        ]


def _event(row: Row[Any]) -> InboxEvent:
    return InboxEvent(
        event_id=row.event_id,
        node_id=row.node_id,
        store_id=row.store_id,
        seq=row.seq,
        kind=row.kind,
        schema_version=row.schema_version,
        hlc=row.hlc,
        occurred_at=row.occurred_at,
        received_at=row.received_at,
        status=row.status,
        status_reason=row.status_reason,
        retries=row.retries,
        last_retry_at=row.last_retry_at,
        payload=json_value(row.payload),
    )
