"""The exception queue of recorded sales: listing what is odd, and resolving it."""

from __future__ import annotations

from hub.adapters.repositories.sale_exceptions import ExceptionRecord as ExceptionRecord
from hub.adapters.unit_of_work import HubUnitOfWork
from hub.errors import AlreadyResolved, ExceptionNotFound


async def list_exceptions(
    uow: HubUnitOfWork,
    *,
    status: str | None = "open",
    store_id: str | None = None,
    kind: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[ExceptionRecord]:
    """Exceptions in the order they were found; page with `after_id`."""
    async with uow.read() as tx:
        return await tx.sale_exceptions.page(
            status=status, store_id=store_id, kind=kind, after_id=after_id, limit=limit
        )


async def resolve_exception(
    exception_id: int, resolution: str, uow: HubUnitOfWork
) -> ExceptionRecord:
    """Close an exception with what was done about it. Sending the same resolution again (a
    retry) returns the exception as resolved the first time. Raises ExceptionNotFound,
    AlreadyResolved (closed before with another resolution: the first one stands).
    """
    async with uow.write() as tx:
        record = await tx.sale_exceptions.resolve(exception_id, resolution, uow.now())
    if record is None:
        raise ExceptionNotFound(exception_id)
    if record.resolution != resolution:
        raise AlreadyResolved("exception", exception_id, record.resolution)
    return record


async def open_exceptions(uow: HubUnitOfWork) -> int:
    async with uow.read() as tx:
        return await tx.sale_exceptions.count_open()
