"""The exception queue of recorded sales: what is odd about a sale, for a person to resolve."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import chunks, one_of, write_rows
from hub.domain.sale_exceptions import ExceptionRecord, SaleException


class SaleExceptionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, exceptions: Sequence[SaleException], now: datetime) -> None:
        """Open these exceptions (COPY on PostgreSQL). Raises StorageRefused."""
        await write_rows(
            self._connection,
            tables.sale_exception,
            ("document_id", "store_id", "kind", "sku", "detail", "status", "created_at"),
            [
                (item.document_id, item.store_id, item.kind, item.sku, item.detail, "open", now)
                for item in exceptions
            ],
        )

    async def open_details(self, document_ids: Sequence[UUID], kind: str) -> set[tuple[UUID, str]]:
        """(document id, detail) of the open exceptions of `kind` on these documents: what is
        already said, and need not be said twice."""
        exception = tables.sale_exception
        found: set[tuple[UUID, str]] = set()
        for chunk in chunks(list(document_ids)):
            rows = await self._connection.execute(
                select(exception.c.document_id, exception.c.detail).where(
                    one_of(self._connection, exception.c.document_id, chunk),
                    exception.c.kind == kind,
                    exception.c.status == "open",
                )
            )
            found.update((row.document_id, row.detail) for row in rows)
        return found

    async def page(
        self,
        *,
        status: str | None,
        store_id: str | None,
        kind: str | None,
        after_id: int,
        limit: int,
    ) -> list[ExceptionRecord]:
        exception = tables.sale_exception
        statement = select(exception).where(exception.c.exception_id > after_id)
        for column, value in (
            (exception.c.status, status),
            (exception.c.store_id, store_id),
            (exception.c.kind, kind),
        ):
            if value is not None:
                statement = statement.where(column == value)
        statement = statement.order_by(exception.c.exception_id).limit(limit)
        return [_exception(row) for row in await self._connection.execute(statement)]

    async def resolve(
        self, exception_id: int, resolution: str, now: datetime
    ) -> ExceptionRecord | None:
        """Close an open exception; an already closed one is returned as it is (None: no such
        exception)."""
        exception = tables.sale_exception
        result = await self._connection.execute(
            update(exception)
            .where(exception.c.exception_id == exception_id, exception.c.status == "open")
            .values(status="resolved", resolution=resolution, resolved_at=now)
            .returning(*exception.c)
        )
        row = result.first()
        if row is None:
            found = await self._connection.execute(
                select(exception).where(exception.c.exception_id == exception_id)
            )
            row = found.first()
        return _exception(row) if row else None

    async def count_open(self) -> int:
        statement = select(func.count()).where(tables.sale_exception.c.status == "open")
        return int((await self._connection.execute(statement)).scalar_one())


def _exception(row: Row[Any]) -> ExceptionRecord:
    return ExceptionRecord(
        exception_id=row.exception_id,
        document_id=row.document_id,
        store_id=row.store_id,
        kind=row.kind,
        sku=row.sku,
        detail=row.detail,
        status=row.status,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
    )
