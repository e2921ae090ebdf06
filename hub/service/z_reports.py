"""Z reports at the hub: each till's Z checked against the ledger, and HQ's list of them."""

from __future__ import annotations

from datetime import date, datetime

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.z_reports import KeptZReport, ZEntry, differences


async def check(entry: ZEntry, tx: HubTransaction, now: datetime) -> None:
    """Compare the Z's documents, net sales, VAT and expected cash with the ledger's for its
    node, till and period; settle it `confirmed`, or `mismatch` with an integrity alert that
    says what differs (hub.service.integrity lists it)."""
    ledger = await tx.z_reports.ledger_figures(entry)
    differ = differences(entry.figures, ledger)
    await tx.z_reports.settle(entry.shift_id, ledger, "mismatch" if differ else "confirmed")
    if differ:
        await tx.integrity.raise_for_z(entry, ledger, "; ".join(differ), now)


async def list_z_reports(
    *,
    store_id: str | None,
    first_day: date | None,
    last_day: date | None,
    limit: int,
    offset: int,
    uow: HubUnitOfWork,
) -> list[KeptZReport]:
    """Z reports by store, business day, till and Z number; days inclusive; a page."""
    async with uow.read() as tx:
        return await tx.z_reports.page(store_id, first_day, last_day, limit, offset)
