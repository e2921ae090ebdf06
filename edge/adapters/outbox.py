"""The outbox: domain events appended, as wire payloads (edge.wire), in the business transaction.

`append` assigns each event the node's next seq (gap-free: the counter lives in the same
SQLite transaction as the sale) and an HLC timestamp. Nothing is published from here; the
sync agent reads the table and uploads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, bindparam, func, select, update

from edge.adapters import tables
from edge.domain.documents import DomainEvent
from edge.domain.reports import OutboxStats, QuarantinedEvent
from edge.wire import encode
from shared.clock import HybridLogicalClock
from shared.ids import new_id
from sync.protocol import take_batch

# Built once: append runs at every checkout.
_RESERVE_SEQS = (
    update(tables.node)
    .values(last_seq=tables.node.c.last_seq + bindparam("count"))
    .returning(tables.node.c.last_seq)
)
_INSERT = tables.outbox.insert()
_REMEMBER_HLC = update(tables.node).values(last_hlc=bindparam("stamp"))


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event of the outbox waiting for the hub's acknowledgement, as it goes up: its
    envelope's fields typed, `payload` the wire payload (edge.wire.encode) as a JSON object,
    and `size_bytes` what it weighs in a push (the payload's UTF-8 bytes plus an allowance
    for the envelope)."""

    seq: int
    event_id: UUID
    kind: str
    schema_version: int
    hlc: str
    occurred_at: datetime
    payload: dict[str, Any]
    size_bytes: int


class OutboxRepository:
    """The outbox table, with the node's seq counter and last HLC stamp; never commits."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def append(
        self, events: list[DomainEvent], hlc: HybridLogicalClock, now: datetime
    ) -> list[int]:
        """Append `events` to the outbox inside the caller's transaction; return their seqs.

        Raises TypeError for an event with no wire encoding (edge.wire.encode).
        """
        if not events:
            return []
        connection = self._connection
        result = connection.execute(_RESERVE_SEQS, {"count": len(events)})
        last_seq = result.scalar_one()
        first_seq = last_seq - len(events) + 1
        rows = []
        stamp = None
        for offset, domain_event in enumerate(events):
            kind, version, occurred_at, payload = encode(domain_event)
            text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
            stamp = hlc.tick()
            rows.append(
                {
                    "seq": first_seq + offset,
                    "event_id": str(new_id()),
                    "kind": kind,
                    "schema_version": version,
                    "hlc": stamp.encode(),
                    "occurred_at": occurred_at.isoformat(),
                    "payload": text,
                    "size_bytes": len(text.encode()) + 256,
                    "created_at": now.isoformat(),
                }
            )
        connection.execute(_INSERT, rows)
        assert stamp is not None
        connection.execute(_REMEMBER_HLC, {"stamp": stamp.encode()})
        return [row["seq"] for row in rows]

    def pending(self, after_seq: int, *, max_events: int, max_bytes: int) -> list[PendingEvent]:
        """The next batch to upload: events with seq > `after_seq`, oldest first, at most
        `max_events` of them and `max_bytes` of `size_bytes` (sync.protocol.take_batch: the
        first one always, even alone over `max_bytes`)."""
        rows = self._connection.execute(
            select(tables.outbox)
            .where(tables.outbox.c.seq > after_seq)
            .order_by(tables.outbox.c.seq)
            .limit(max_events)
        ).all()
        # The batch is cut before the payloads are decoded: only what goes up is decoded.
        return [
            PendingEvent(
                seq=row.seq,
                event_id=UUID(row.event_id),
                kind=row.kind,
                schema_version=row.schema_version,
                hlc=row.hlc,
                occurred_at=datetime.fromisoformat(row.occurred_at),
                payload=json.loads(row.payload),
                size_bytes=row.size_bytes,
            )
            for row in take_batch(rows, max_events, max_bytes)
        ]

    def mark_quarantined(self, rejected: list[tuple[int, str]]) -> None:
        """Record that the hub stored these (seq, reason) but could not apply them."""
        if rejected:
            self._connection.execute(
                update(tables.outbox)
                .where(tables.outbox.c.seq == bindparam("rejected_seq"))
                .values(hub_status="quarantined", hub_reason=bindparam("reason")),
                [{"rejected_seq": seq, "reason": reason} for seq, reason in rejected],
            )

    def mark_status(self, event_id: UUID, status: str) -> None:
        """The hub's later word on an event (HQ retried it): `applied` or `quarantined`."""
        self._connection.execute(
            update(tables.outbox)
            .where(tables.outbox.c.event_id == str(event_id))
            .values(
                hub_status=status,
                hub_reason=None if status == "applied" else tables.outbox.c.hub_reason,
            )
        )

    def quarantined(self, limit: int) -> list[QuarantinedEvent]:
        """Events the hub could not apply, oldest first, at most `limit`."""
        rows = self._connection.execute(
            select(tables.outbox)
            .where(tables.outbox.c.hub_status == "quarantined")
            .order_by(tables.outbox.c.seq)
            .limit(limit)
        )
        return [
            QuarantinedEvent(
                seq=row.seq,
                event_id=UUID(row.event_id),
                kind=row.kind,
                occurred_at=datetime.fromisoformat(row.occurred_at),
                reason=row.hub_reason,
            )
            for row in rows
        ]

    def stats(self) -> OutboxStats:
        """Seqs written and acknowledged, what waits between them, and how many quarantined."""
        connection = self._connection
        node_row = connection.execute(
            select(tables.node.c.last_seq, tables.node.c.acked_seq)
        ).first()
        if node_row is None:
            return OutboxStats(0, 0, 0, None)
        oldest = connection.execute(
            select(func.min(tables.outbox.c.created_at)).where(
                tables.outbox.c.seq == node_row.acked_seq + 1
            )
        ).scalar_one_or_none()
        quarantined_count = connection.execute(
            select(func.count()).where(tables.outbox.c.hub_status == "quarantined")
        ).scalar_one()
        return OutboxStats(
            last_seq=node_row.last_seq,
            acked_seq=node_row.acked_seq,
            pending=node_row.last_seq - node_row.acked_seq,
            oldest_pending_created_at=datetime.fromisoformat(oldest) if oldest else None,
            quarantined=int(quarantined_count),
        )
