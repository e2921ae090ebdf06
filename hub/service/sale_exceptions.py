"""The exception queue of recorded sales: listing what is odd, and resolving it."""

from __future__ import annotations

from dataclasses import dataclass

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.sale_exceptions import ExceptionRecord
from hub.errors import AlreadyResolved, ExceptionNotFound


async def list_exceptions(
    *,
    status: str | None = "open",
    store_id: str | None = None,
    kind: str | None = None,
    after_id: int = 0,
    limit: int = 100,
    uow: HubUnitOfWork,
) -> list[ExceptionRecord]:
    """Exceptions in the order they were found; page with `after_id`."""
    async with uow.read() as tx:
        return await tx.sale_exceptions.page(
            status=status, store_id=store_id, kind=kind, after_id=after_id, limit=limit
        )


@dataclass(frozen=True, slots=True)
class ResolveException:
    """Close exception `exception_id` with `resolution`: what was done about it."""

    exception_id: int
    resolution: str


async def resolve_exception(command: ResolveException, uow: HubUnitOfWork) -> ExceptionRecord:
    """Close an exception; returns it closed. Sending the same resolution again (a retry)
    returns the exception as resolved the first time. Raises ExceptionNotFound,
    AlreadyResolved (closed before with another resolution: the first one stands).
    """
    async with uow.write() as tx:
        record = await tx.sale_exceptions.resolve(
            command.exception_id, command.resolution, uow.now()
        )
    if record is None:
        raise ExceptionNotFound(command.exception_id)
    if record.resolution != command.resolution:
        raise AlreadyResolved("exception", command.exception_id, record.resolution)
    return record


async def open_exceptions(uow: HubUnitOfWork) -> int:
    async with uow.read() as tx:
        return await tx.sale_exceptions.count_open()
