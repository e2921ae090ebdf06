"""Refund requests of the tills and HQ's decisions on them."""

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
from hub.domain.refunds import (
    START,
    NewRefundRequest,
    RefundChanges,
    RefundRequestRecord,
    RefundStatus,
)


class RefundRepository:
    """Refund requests of the tills and HQ's decisions on them."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, request: NewRefundRequest) -> RefundRequestRecord:
        """Insert one request, in its start status (pending) at version 1 (a plain INSERT:
        few, and with a JSON column); returns it as stored."""
        table = tables.refund_request
        result = await self._connection.execute(
            table.insert().values(**asdict(request), status=START.value, version=1).returning(table)
        )
        return _request(result.one())

    async def get(self, request_id: UUID, *, lock: bool = False) -> RefundRequestRecord | None:
        """The request, its row locked until the transaction ends if `lock` (PostgreSQL)."""
        table = tables.refund_request
        statement = select(table).where(table.c.request_id == request_id)
        if lock and is_postgres(self._connection):
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return _request(row) if row else None

    async def change(
        self, request_id: UUID, **values: Unpack[RefundChanges]
    ) -> RefundRequestRecord:
        """Update the request, add one to its version; returns it as changed."""
        table = tables.refund_request
        result = await self._connection.execute(
            update(table)
            .where(table.c.request_id == request_id)
            .values(version=table.c.version + 1, **_columns(values))
            .returning(table)
        )
        return _request(result.one())

    async def page(
        self, *, status: RefundStatus | None, store_id: str | None, after: UUID | None, limit: int
    ) -> list[RefundRequestRecord]:
        """Requests by id after `after`, optionally of one status and store: a keyset page."""
        table = tables.refund_request
        statement = select(table).order_by(table.c.request_id).limit(limit)
        if status is not None:
            statement = statement.where(table.c.status == status.value)
        if store_id is not None:
            statement = statement.where(table.c.store_id == store_id)
        if after is not None:
            statement = statement.where(table.c.request_id > after)
        return [_request(row) for row in await self._connection.execute(statement)]

    async def unstarted(self, limit: int) -> list[RefundRequestRecord]:
        """Requests still in their start status whose workflow has not been started yet."""
        table = tables.refund_request
        rows = await self._connection.execute(
            select(table)
            .where(table.c.workflow_started_at.is_(None), table.c.status == START.value)
            .order_by(table.c.received_at)
            .limit(limit)
        )
        return [_request(row) for row in rows]

    async def mark_started(self, request_ids: list[UUID], now: datetime) -> None:
        if not request_ids:
            return
        table = tables.refund_request
        await self._connection.execute(
            update(table).where(table.c.request_id.in_(request_ids)).values(workflow_started_at=now)
        )

    async def count(self, status: RefundStatus) -> int:
        table = tables.refund_request
        return int(
            (
                await self._connection.execute(
                    select(func.count()).select_from(table).where(table.c.status == status.value)
                )
            ).scalar_one()
        )


def _request(row: Row[Any]) -> RefundRequestRecord:
    return RefundRequestRecord(
        **{**row._mapping, "lines": json_value(row.lines), "status": RefundStatus(row.status)}
    )


def _columns(values: RefundChanges) -> dict[str, Any]:
    """The change as column values: the status as its text."""
    columns: dict[str, Any] = dict(values)
    if "status" in values:
        columns["status"] = values["status"].value
    return columns
