"""The HQ audit trail's entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.domain.audit import AuditEntry


class AuditRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: AuditEntry) -> int:
        """Insert the entry (its `entry_id` is ignored); returns the id it was given."""
        result = await self._connection.execute(
            tables.audit_entry.insert()
            .values(
                recorded_at=entry.recorded_at,
                request_id=entry.request_id,
                key_id=entry.key_id,
                actor=entry.actor,
                method=entry.method,
                route=entry.route,
                target=entry.target,
                status=entry.status,
            )
            .returning(tables.audit_entry.c.entry_id)
        )
        return int(result.scalar_one())

    async def page(
        self,
        *,
        after_id: int,
        limit: int,
        key_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[AuditEntry]:
        """Entries after `after_id`, oldest first, at most `limit`; by key and by time
        (`since` included, `until` excluded) when given."""
        audit = tables.audit_entry
        statement = select(audit).where(audit.c.entry_id > after_id)
        if key_id is not None:
            statement = statement.where(audit.c.key_id == key_id)
        if since is not None:
            statement = statement.where(audit.c.recorded_at >= since)
        if until is not None:
            statement = statement.where(audit.c.recorded_at < until)
        rows = await self._connection.execute(statement.order_by(audit.c.entry_id).limit(limit))
        return [_entry(row) for row in rows]


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        entry_id=row.entry_id,
        recorded_at=row.recorded_at,
        request_id=row.request_id,
        key_id=row.key_id,
        actor=row.actor,
        method=row.method,
        route=row.route,
        target=dict(row.target),
        status=row.status,
    )
