"""Integrity alerts: a node's day totals that did not match the hub's ledger."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.domain.integrity import SETTLEMENT_NODE, IntegrityAlert
from hub.domain.settlements import CardMoney, CardSettlement
from hub.domain.z_reports import LedgerFigures, ZEntry
from sync.messages import DayChecksumV1


class IntegrityRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def raise_once(
        self, store_id: str, node_id: str, edge: DayChecksumV1, hub: DayChecksumV1, now: datetime
    ) -> None:
        """Record the mismatch unless an open alert already holds these very figures."""
        alert = tables.integrity_alert
        figures = {
            "edge_count": edge.count,
            "edge_total_minor": edge.total_minor,
            "edge_id_hash": edge.id_hash,
            "hub_count": hub.count,
            "hub_total_minor": hub.total_minor,
            "hub_id_hash": hub.id_hash,
        }
        existing = await self._connection.execute(
            select(alert.c.alert_id).where(
                alert.c.node_id == node_id,
                alert.c.business_day == edge.business_day,
                alert.c.resolved_at.is_(None),
                *(alert.c[name] == value for name, value in figures.items()),
            )
        )
        if existing.first() is None:
            await self._connection.execute(
                alert.insert().values(
                    store_id=store_id,
                    node_id=node_id,
                    business_day=edge.business_day,
                    created_at=now,
                    **figures,
                )
            )

    async def raise_for_z(
        self,
        entry: ZEntry,
        ledger: LedgerFigures,
        details: str,
        now: datetime,
    ) -> None:
        """Record a Z report the ledger does not confirm: its count and total are the
        documents and net sales (the Z's and the ledger's), its hashes digest every compared
        figure, `details` says what differs. Once per Z and pair of figures."""
        alert = tables.integrity_alert
        figures = {
            "edge_count": entry.figures.documents,
            "edge_total_minor": entry.figures.net_sales_minor,
            "edge_id_hash": _digest(entry.figures),
            "hub_count": ledger.documents,
            "hub_total_minor": ledger.net_sales_minor,
            "hub_id_hash": _digest(ledger),
        }
        existing = await self._connection.execute(
            select(alert.c.alert_id).where(
                alert.c.node_id == entry.node_id,
                alert.c.till_id == entry.till_id,
                alert.c.z_number == entry.z_number,
                alert.c.resolved_at.is_(None),
                *(alert.c[name] == value for name, value in figures.items()),
            )
        )
        if existing.first() is None:
            await self._connection.execute(
                alert.insert().values(
                    store_id=entry.store_id,
                    node_id=entry.node_id,
                    business_day=entry.business_day,
                    created_at=now,
                    till_id=entry.till_id,
                    z_number=entry.z_number,
                    details=details,
                    **figures,
                )
            )

    async def raise_for_settlement(self, verdict: CardSettlement, now: datetime) -> None:
        """Record a store-day whose card money the acquirer settled differently: node
        `acquirer`, its edge figures the acquirer's (count of captures and refunds, net), its
        hub figures the ledger's, hashes digesting captured and refunded; `details` says both.
        Once per store-day and pair of figures while open."""
        alert = tables.integrity_alert
        figures = {
            "edge_count": verdict.acquirer.count,
            "edge_total_minor": verdict.acquirer.net_minor,
            "edge_id_hash": _money_digest(verdict.acquirer),
            "hub_count": verdict.hub.count,
            "hub_total_minor": verdict.hub.net_minor,
            "hub_id_hash": _money_digest(verdict.hub),
        }
        existing = await self._connection.execute(
            select(alert.c.alert_id).where(
                alert.c.store_id == verdict.store_id,
                alert.c.node_id == SETTLEMENT_NODE,
                alert.c.business_day == verdict.day,
                alert.c.resolved_at.is_(None),
                *(alert.c[name] == value for name, value in figures.items()),
            )
        )
        if existing.first() is None:
            await self._connection.execute(
                alert.insert().values(
                    store_id=verdict.store_id,
                    node_id=SETTLEMENT_NODE,
                    business_day=verdict.day,
                    created_at=now,
                    details=verdict.describe(),
                    **figures,
                )
            )

    async def open_alerts(self, store_id: str | None, limit: int) -> list[IntegrityAlert]:
        alert = tables.integrity_alert
        statement = select(alert).where(alert.c.resolved_at.is_(None))
        if store_id is not None:
            statement = statement.where(alert.c.store_id == store_id)
        rows = await self._connection.execute(statement.order_by(alert.c.alert_id).limit(limit))
        return [_alert(row) for row in rows]

    async def resolve(self, alert_id: int, resolution: str, now: datetime) -> IntegrityAlert | None:
        """Close an open alert; an already closed one is returned as it is (None: no such
        alert)."""
        alert = tables.integrity_alert
        result = await self._connection.execute(
            update(alert)
            .where(alert.c.alert_id == alert_id, alert.c.resolved_at.is_(None))
            .values(resolution=resolution, resolved_at=now)
            .returning(*alert.c)
        )
        row = result.first()
        if row is None:
            row = (
                await self._connection.execute(select(alert).where(alert.c.alert_id == alert_id))
            ).first()
        return _alert(row) if row else None

    async def count_open(self) -> int:
        statement = select(func.count()).where(tables.integrity_alert.c.resolved_at.is_(None))
        return int((await self._connection.execute(statement)).scalar_one())


def _alert(row: Row[Any]) -> IntegrityAlert:
    return IntegrityAlert(
        alert_id=row.alert_id,
        store_id=row.store_id,
        node_id=row.node_id,
        business_day=row.business_day,
        edge=DayChecksumV1(
            business_day=row.business_day,
            count=row.edge_count,
            total_minor=row.edge_total_minor,
            id_hash=row.edge_id_hash,
        ),
        hub=DayChecksumV1(
            business_day=row.business_day,
            count=row.hub_count,
            total_minor=row.hub_total_minor,
            id_hash=row.hub_id_hash,
        ),
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
        till_id=row.till_id,
        z_number=row.z_number,
        details=row.details,
    )


def _money_digest(money: CardMoney) -> str:
    text = f"card:{money.captured_minor}:{money.refunded_minor}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _digest(figures: LedgerFigures) -> str:
    text = (
        f"{figures.documents}:{figures.net_sales_minor}:{figures.tax_minor}:"
        f"{figures.expected_cash_minor}"
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
