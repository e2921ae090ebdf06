"""B2B orders the tills submitted and HQ's four-phase approval of them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import Unpack

from hub.adapters import tables
from hub.adapters.repositories.sql import is_postgres, json_value
from hub.domain.b2b import (
    AWAITING,
    START,
    B2BOrderChanges,
    B2BOrderRecord,
    B2BStatus,
    B2BStep,
    NewB2BOrder,
)


class B2BOrderRepository:
    """B2B orders the tills submitted and HQ's four-phase approval of them."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, order: NewB2BOrder) -> B2BOrderRecord:
        """Insert one order, in its start status (cart_submitted) at version 1; returns it as
        stored."""
        table = tables.b2b_order
        result = await self._connection.execute(
            table.insert().values(**asdict(order), status=START.value, version=1).returning(table)
        )
        return _order(result.one())

    async def get(self, order_id: UUID, *, lock: bool = False) -> B2BOrderRecord | None:
        """The order, its row locked until the transaction ends if `lock` (PostgreSQL)."""
        table = tables.b2b_order
        statement = select(table).where(table.c.order_id == order_id)
        if lock and is_postgres(self._connection):
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return _order(row) if row else None

    async def change(self, order_id: UUID, **values: Unpack[B2BOrderChanges]) -> B2BOrderRecord:
        """Update the order, add one to its version; returns it as changed."""
        table = tables.b2b_order
        result = await self._connection.execute(
            update(table)
            .where(table.c.order_id == order_id)
            .values(version=table.c.version + 1, **_columns(values))
            .returning(table)
        )
        return _order(result.one())

    async def next_order_number(self, store_id: str) -> int:
        """One more than the store's last B2B order number (the store row stays locked)."""
        store = tables.store
        result = await self._connection.execute(
            update(store)
            .where(store.c.store_id == store_id)
            .values(b2b_orders_placed=store.c.b2b_orders_placed + 1)
            .returning(store.c.b2b_orders_placed)
        )
        return int(result.scalar_one())

    async def page(
        self, *, status: B2BStatus | None, store_id: str | None, after: UUID | None, limit: int
    ) -> list[B2BOrderRecord]:
        """Orders by id after `after`, optionally of one status and store: a keyset page."""
        table = tables.b2b_order
        statement = select(table).order_by(table.c.order_id).limit(limit)
        if status is not None:
            statement = statement.where(table.c.status == status.value)
        if store_id is not None:
            statement = statement.where(table.c.store_id == store_id)
        if after is not None:
            statement = statement.where(table.c.order_id > after)
        return [_order(row) for row in await self._connection.execute(statement)]

    async def unstarted(self, limit: int) -> list[B2BOrderRecord]:
        """Orders still in their start status whose workflow has not been started yet."""
        table = tables.b2b_order
        rows = await self._connection.execute(
            select(table)
            .where(table.c.workflow_started_at.is_(None), table.c.status == START.value)
            .order_by(table.c.received_at)
            .limit(limit)
        )
        return [_order(row) for row in rows]

    async def mark_started(self, order_ids: list[UUID], now: datetime) -> None:
        if not order_ids:
            return
        table = tables.b2b_order
        await self._connection.execute(
            update(table).where(table.c.order_id.in_(order_ids)).values(workflow_started_at=now)
        )

    async def unsignalled(self, limit: int) -> list[B2BOrderRecord]:
        """Orders whose workflow runs but has still to hear of a till's step."""
        table = tables.b2b_order
        rows = await self._connection.execute(
            select(table)
            .where(table.c.signal_pending.is_not(None), table.c.workflow_started_at.is_not(None))
            .order_by(table.c.received_at)
            .limit(limit)
        )
        return [_order(row) for row in rows]

    async def clear_signal(self, order_id: UUID, signal: B2BStep) -> None:
        """Forget the pending signal, unless a newer one replaced it meanwhile."""
        table = tables.b2b_order
        await self._connection.execute(
            update(table)
            .where(table.c.order_id == order_id, table.c.signal_pending == signal.value)
            .values(signal_pending=None)
        )

    async def count_awaiting_hq(self) -> int:
        """Orders waiting for HQ's decision on their cart or their payment."""
        table = tables.b2b_order
        awaiting = sorted(status.value for status in AWAITING.values())
        return int(
            (
                await self._connection.execute(
                    select(func.count()).select_from(table).where(table.c.status.in_(awaiting))
                )
            ).scalar_one()
        )


def _order(row: Row[Any]) -> B2BOrderRecord:
    tenders, signal = row.tenders, row.signal_pending
    return B2BOrderRecord(
        **{
            **row._mapping,
            "lines": json_value(row.lines),
            "tenders": None if tenders is None else json_value(tenders),
            "status": B2BStatus(row.status),
            "signal_pending": None if signal is None else B2BStep(signal),
        }
    )


def _columns(values: B2BOrderChanges) -> dict[str, Any]:
    """The change as column values: the status and the pending signal as their text."""
    columns: dict[str, Any] = dict(values)
    if "status" in values:
        columns["status"] = values["status"].value
    signal = values.get("signal_pending")
    if signal is not None:
        columns["signal_pending"] = signal.value
    return columns
