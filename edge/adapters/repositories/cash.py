"""Repository of the drawers' cash movements (float, paid-in, paid-out, pickup)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, select

from edge.adapters import tables
from edge.adapters.repositories.shifts import open_shift_of
from edge.domain.documents import CashMovement
from shared.money import Money


class CashRepository:
    """Cash movements of the drawers (float, paid-in, paid-out, pickup)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, movement: CashMovement, event_seq: int) -> None:
        self._connection.execute(
            tables.cash_movement.insert().values(
                movement_id=str(movement.movement_id),
                till_id=movement.till_id,
                kind=movement.kind,
                amount_minor=movement.amount.minor,
                currency=movement.amount.currency,
                reason=movement.reason,
                business_time=movement.business_time.isoformat(),
                business_day=movement.business_day.isoformat(),
                event_seq=event_seq,
                shift_id=open_shift_of(movement.till_id),
            )
        )

    def get(self, movement_id: UUID) -> CashMovement | None:
        row = self._connection.execute(
            select(tables.cash_movement).where(
                tables.cash_movement.c.movement_id == str(movement_id)
            )
        ).first()
        return _cash_movement(row) if row else None

    def for_day(self, business_day: date) -> list[CashMovement]:
        rows = self._connection.execute(
            select(tables.cash_movement)
            .where(tables.cash_movement.c.business_day == business_day.isoformat())
            .order_by(tables.cash_movement.c.event_seq)
        )
        return [_cash_movement(row) for row in rows]


def _cash_movement(row: Row[Any]) -> CashMovement:
    return CashMovement(
        movement_id=UUID(row.movement_id),
        till_id=row.till_id,
        kind=row.kind,
        amount=Money.from_minor(row.amount_minor, row.currency),
        reason=row.reason,
        business_time=datetime.fromisoformat(row.business_time),
        business_day=date.fromisoformat(row.business_day),
    )
