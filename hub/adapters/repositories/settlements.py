"""Card settlement at the hub: the ledger's card money of a UTC day per store, and the
reconciliations kept (`card_settlement`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import json_value, upsert
from hub.domain.settlements import CardMoney, CardSettlement
from shared.money import to_minor

# A card taken offline is captured when the store forwards it, and the hub hears of it
# (`card.settled`) when the store next syncs: the event of a capture on day D arrives on D
# or later, so events received before D (less a margin for clocks) are never read.
_CLOCK_MARGIN = timedelta(days=1)


class SettlementRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def card_money(self, day: date, currency: str) -> dict[str, CardMoney]:
        """Per store, the card money in `currency` that moved on UTC `day`: card tenders
        captured (sales) or refunded (returns) online, by their document's business time, and
        card tenders the stores forwarded later (`card.settled` captured or refunded, once per
        tender), by when they settled."""
        start = datetime.combine(day, time(), UTC)
        end = start + timedelta(days=1)
        found: dict[str, CardMoney] = {}
        for store_id, money in [
            *(await self._online(start, end, currency)),
            *(await self._forwarded(start, end, currency)),
        ]:
            found[store_id] = found.get(store_id, CardMoney()) + money
        return found

    async def _online(
        self, start: datetime, end: datetime, currency: str
    ) -> list[tuple[str, CardMoney]]:
        document, tender = tables.sale_document, tables.tender
        statement = (
            select(document.c.store_id, document.c.kind, tender.c.amount_minor)
            .select_from(tender.join(document, document.c.document_id == tender.c.document_id))
            .where(
                tender.c.kind == "card",
                tender.c.card_deadline.is_(None),  # not taken offline
                tender.c.card_status.in_(("captured", "refunded")),
                document.c.currency == currency,
                document.c.business_time >= start,
                document.c.business_time < end,
            )
        )
        return [
            (row.store_id, _money(row.kind == "sale", int(row.amount_minor)))
            for row in await self._connection.execute(statement)
        ]

    async def _forwarded(
        self, start: datetime, end: datetime, currency: str
    ) -> list[tuple[str, CardMoney]]:
        event = tables.sync_event
        statement = select(event.c.store_id, event.c.payload).where(
            event.c.kind == "card.settled",
            event.c.status == "applied",
            event.c.received_at >= start - _CLOCK_MARGIN,
        )
        seen: set[str] = set()
        moved = []
        for row in await self._connection.execute(statement):
            payload = json_value(row.payload)
            settled_at = datetime.fromisoformat(payload["settled_at"])
            if (
                payload["outcome"] not in ("captured", "refunded")
                or payload["currency"] != currency
                or not start <= settled_at < end
                or payload["tender_id"] in seen
            ):
                continue
            seen.add(payload["tender_id"])
            amount = to_minor(Decimal(str(payload["amount"])), currency)
            moved.append((row.store_id, _money(payload["outcome"] == "captured", amount)))
        return moved

    async def recorded_stores(self, day: date) -> list[str]:
        """Stores with a reconciliation kept for UTC `day`."""
        settlement = tables.card_settlement
        rows = await self._connection.execute(
            select(settlement.c.store_id).where(settlement.c.settlement_day == day)
        )
        return [row.store_id for row in rows]

    async def keep(self, verdicts: Sequence[CardSettlement]) -> None:
        """Keep each verdict, replacing the store-day's earlier one."""
        if not verdicts:
            return
        settlement = tables.card_settlement
        statement = upsert(self._connection, settlement)
        figures = [
            "currency",
            "hub_captured_minor",
            "hub_refunded_minor",
            "hub_count",
            "acquirer_captured_minor",
            "acquirer_refunded_minor",
            "acquirer_count",
            "status",
            "reconciled_at",
        ]
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["store_id", "settlement_day"],
                set_={name: statement.excluded[name] for name in figures},
            ),
            [
                {
                    "store_id": verdict.store_id,
                    "settlement_day": verdict.day,
                    "currency": verdict.currency,
                    "hub_captured_minor": verdict.hub.captured_minor,
                    "hub_refunded_minor": verdict.hub.refunded_minor,
                    "hub_count": verdict.hub.count,
                    "acquirer_captured_minor": verdict.acquirer.captured_minor,
                    "acquirer_refunded_minor": verdict.acquirer.refunded_minor,
                    "acquirer_count": verdict.acquirer.count,
                    "status": verdict.status,
                    "reconciled_at": verdict.reconciled_at,
                }
                for verdict in verdicts
            ],
        )

    async def page(
        self,
        first_day: date | None,
        last_day: date | None,
        store_id: str | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> list[CardSettlement]:
        """Kept reconciliations by day then store; days inclusive."""
        settlement = tables.card_settlement
        conditions: list[Any] = []
        if first_day is not None:
            conditions.append(settlement.c.settlement_day >= first_day)
        if last_day is not None:
            conditions.append(settlement.c.settlement_day <= last_day)
        if store_id is not None:
            conditions.append(settlement.c.store_id == store_id)
        if status is not None:
            conditions.append(settlement.c.status == status)
        statement = (
            select(settlement)
            .where(and_(True, *conditions))
            .order_by(settlement.c.settlement_day, settlement.c.store_id)
            .limit(limit)
            .offset(offset)
        )
        return [_settlement(row) for row in await self._connection.execute(statement)]


def _money(captured: bool, amount_minor: int) -> CardMoney:
    if captured:
        return CardMoney(captured_minor=amount_minor, count=1)
    return CardMoney(refunded_minor=amount_minor, count=1)


def _settlement(row: Row[Any]) -> CardSettlement:
    return CardSettlement(
        store_id=row.store_id,
        day=row.settlement_day,
        currency=row.currency,
        hub=CardMoney(row.hub_captured_minor, row.hub_refunded_minor, row.hub_count),
        acquirer=CardMoney(
            row.acquirer_captured_minor, row.acquirer_refunded_minor, row.acquirer_count
        ),
        status=row.status,
        reconciled_at=row.reconciled_at,
    )
