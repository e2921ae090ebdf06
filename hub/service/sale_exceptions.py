"""The exception queue of recorded sales: listing what is odd, and resolving it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from hub.adapters.database import HubDatabase
from hub.adapters.repository import ExceptionRepository
from hub.errors import AlreadyResolved, ExceptionNotFound
from shared.clock import Clock


@dataclass(frozen=True, slots=True)
class ExceptionRecord:
    exception_id: int
    document_id: UUID
    store_id: str
    kind: str
    sku: str | None
    detail: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    resolution: str | None


def _of(row: Any) -> ExceptionRecord:
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


async def list_exceptions(
    db: HubDatabase,
    *,
    status: str | None = "open",
    store_id: str | None = None,
    kind: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[ExceptionRecord]:
    """Exceptions in the order they were found; page with `after_id`."""
    async with db.read() as connection:
        rows = await ExceptionRepository(connection).page(
            status=status, store_id=store_id, kind=kind, after_id=after_id, limit=limit
        )
    return [_of(row) for row in rows]


async def resolve_exception(
    exception_id: int, resolution: str, db: HubDatabase, clock: Clock
) -> ExceptionRecord:
    """Close an exception with what was done about it. Sending the same resolution again (a
    retry) returns the exception as resolved the first time. Raises ExceptionNotFound,
    AlreadyResolved (closed before with another resolution: the first one stands).
    """
    async with db.write() as connection:
        row = await ExceptionRepository(connection).resolve(exception_id, resolution, clock.now())
    if row is None:
        raise ExceptionNotFound(exception_id)
    if row.resolution != resolution:
        raise AlreadyResolved("exception", exception_id, row.resolution)
    return _of(row)


async def open_exceptions(db: HubDatabase) -> int:
    async with db.read() as connection:
        return await ExceptionRepository(connection).count_open()
