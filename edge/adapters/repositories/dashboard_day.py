"""Repository of what the dashboard's business day needs beyond the documents: who was signed
in at which till when (the till sessions), to put each sale against a cashier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, or_, select

from edge.adapters import tables


@dataclass(frozen=True, slots=True)
class TillSpell:
    """A staff member signed in at a till from `started_at` until `ended_at` (None: still)."""

    till_id: str
    staff_code: str
    started_at: datetime
    ended_at: datetime | None


class DashboardDayRepository:
    """Till sessions read for the dashboard's business day."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def till_spells(self, since: datetime, until: datetime) -> list[TillSpell]:
        """The till sessions that may overlap [since, until) (stored times are compared as
        text: the caller widens the window by a day for their offsets and filters exactly),
        by till and start."""
        session = tables.till_session
        rows = self._connection.execute(
            select(
                session.c.till_id, session.c.staff_code, session.c.started_at, session.c.ended_at
            )
            .where(
                session.c.started_at < until.isoformat(),
                or_(session.c.ended_at.is_(None), session.c.ended_at >= since.isoformat()),
            )
            .order_by(session.c.till_id, session.c.started_at)
        )
        return [
            TillSpell(
                till_id=row.till_id,
                staff_code=row.staff_code,
                started_at=datetime.fromisoformat(row.started_at),
                ended_at=datetime.fromisoformat(row.ended_at) if row.ended_at else None,
            )
            for row in rows
        ]
