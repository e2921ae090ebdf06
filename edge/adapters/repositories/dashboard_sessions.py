"""Sign-in sessions of the store manager's dashboard (table `dashboard_session`): the cookie's
token is kept only as its SHA-256; times are aware ISO-8601 text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, select, update

from edge.adapters import tables


@dataclass(frozen=True, slots=True)
class DashboardSessionRow:
    """One dashboard session; `ended_at` None while it is live."""

    session_id: UUID
    staff_code: str
    started_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None


class DashboardSessionRepository:
    """The `dashboard_session` rows."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def open(self, session_id: UUID, token_sha256: str, staff_code: str, at: datetime) -> None:
        self._connection.execute(
            tables.dashboard_session.insert().values(
                session_id=str(session_id),
                token_sha256=token_sha256,
                staff_code=staff_code,
                started_at=at.isoformat(),
                last_seen_at=at.isoformat(),
            )
        )

    def by_token(self, token_sha256: str) -> DashboardSessionRow | None:
        table = tables.dashboard_session
        row = self._connection.execute(
            select(table).where(table.c.token_sha256 == token_sha256)
        ).first()
        return _row(row) if row else None

    def touch(self, session_id: UUID, at: datetime) -> None:
        """Move the session's `last_seen_at` to `at` (the idle timeout counts from it)."""
        table = tables.dashboard_session
        self._connection.execute(
            update(table)
            .where(table.c.session_id == str(session_id), table.c.ended_at.is_(None))
            .values(last_seen_at=at.isoformat())
        )

    def end(self, session_id: UUID, at: datetime, reason: str) -> bool:
        """End a live session (`reason`: signed_out, idle, expired, staff_inactive); False if
        it had already ended."""
        table = tables.dashboard_session
        result = self._connection.execute(
            update(table)
            .where(table.c.session_id == str(session_id), table.c.ended_at.is_(None))
            .values(ended_at=at.isoformat(), end_reason=reason)
        )
        return bool(result.rowcount)


def _row(row: Row[Any]) -> DashboardSessionRow:
    return DashboardSessionRow(
        session_id=UUID(row.session_id),
        staff_code=row.staff_code,
        started_at=datetime.fromisoformat(row.started_at),
        last_seen_at=datetime.fromisoformat(row.last_seen_at),
        ended_at=datetime.fromisoformat(row.ended_at) if row.ended_at else None,
    )
