"""Card settlement reconciliation: each store's card money of a UTC day at the hub against the
acquirer's settlement report, kept per store-day; a mismatch raises an integrity alert.

HQ runs it for a day (`POST /v1/settlements/{day}/reconcile`); with an acquirer configured the
hub runs it for yesterday once a day (hub.workflows.settlement). Running it again replaces the
store-day's verdict (a card forwarded late may turn a mismatch into a match) and raises no
alert twice for the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.settlements import CardSettlement, SettlementStatus, reconcile
from hub.errors import AcquirerNotConfigured, InvalidRequest
from hub.service.ports import CardAcquirer


@dataclass(frozen=True, slots=True)
class ReconcileDay:
    """Reconcile the card settlement of UTC `day`."""

    day: date


async def reconcile_day(
    command: ReconcileDay, uow: HubUnitOfWork, acquirer: CardAcquirer | None
) -> list[CardSettlement]:
    """Compare, per store, the ledger's card money of the day with the acquirer's settlement
    (in the acquirer's currency), keep every verdict, raise an integrity alert for each
    mismatch; returns the verdicts by store id (none: no card money either side). Raises
    AcquirerNotConfigured, InvalidRequest (a day after the hub's today, UTC),
    AcquirerUnavailable (no report from it: nothing is kept)."""
    if acquirer is None:
        raise AcquirerNotConfigured()
    today = uow.now().date()
    if command.day > today:
        raise InvalidRequest(f"{command.day} is after today ({today}, UTC): nothing is settled")
    settled = await acquirer.settlement(command.day)
    async with uow.write() as tx:
        ours = await tx.settlements.card_money(command.day, settled.currency)
        recorded = await tx.settlements.recorded_stores(command.day)
        verdicts = reconcile(
            command.day, settled.currency, ours, settled.by_store, uow.now(), recorded
        )
        await tx.settlements.keep(verdicts)
        for verdict in verdicts:
            if verdict.status == "mismatch":
                await tx.integrity.raise_for_settlement(verdict, uow.now())
    return verdicts


async def list_settlements(
    *,
    first_day: date | None,
    last_day: date | None,
    store_id: str | None,
    status: SettlementStatus | None,
    limit: int,
    offset: int,
    uow: HubUnitOfWork,
) -> list[CardSettlement]:
    """Kept reconciliations by UTC day, then store; days inclusive; a page."""
    async with uow.read() as tx:
        return await tx.settlements.page(first_day, last_day, store_id, status, limit, offset)
