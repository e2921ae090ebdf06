"""Z reports the tills sent, and the ledger's own figures for a till and period."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, and_, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.domain.z_reports import KeptZReport, LedgerFigures, ZEntry


class ZReportRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: ZEntry, now: datetime) -> bool:
        """Keep a Z report once (by shift); False if it was kept before."""
        z = tables.z_report
        found = await self._connection.execute(
            select(z.c.shift_id).where(z.c.shift_id == entry.shift_id)
        )
        if found.first() is not None:
            return False
        await self._connection.execute(
            z.insert().values(
                shift_id=entry.shift_id,
                store_id=entry.store_id,
                node_id=entry.node_id,
                event_id=entry.event_id,
                till_id=entry.till_id,
                z_number=entry.z_number,
                business_day=entry.business_day,
                period_start=entry.period_start,
                period_end=entry.period_end,
                currency=entry.currency,
                documents=entry.figures.documents,
                net_sales_minor=entry.figures.net_sales_minor,
                tax_minor=entry.figures.tax_minor,
                expected_cash_minor=entry.figures.expected_cash_minor,
                counted_cash_minor=entry.counted_cash_minor,
                variance_minor=entry.variance_minor,
                grand_total_minor=entry.grand_total_minor,
                payload=entry.payload,
                received_at=now,
            )
        )
        return True

    async def ledger_figures(self, entry: ZEntry) -> LedgerFigures:
        """The ledger's documents, net sales, tax and expected cash for the Z's node, till and
        period (both ends included): its sales and returns, their cash tenders, the drawer's
        cash movements, and the Z's opening float."""
        document, line, tender = tables.sale_document, tables.sale_line, tables.tender
        movement = tables.cash_movement
        in_period = and_(
            document.c.node_id == entry.node_id,
            document.c.till_id == entry.till_id,
            document.c.business_time >= entry.period_start,
            document.c.business_time <= entry.period_end,
        )
        documents = select(document.c.document_id).where(in_period)
        net = (
            await self._connection.execute(
                select(func.coalesce(func.sum(line.c.line_total_minor), 0)).where(
                    line.c.document_id.in_(documents)
                )
            )
        ).scalar_one()
        count = (await self._connection.execute(select(func.count()).where(in_period))).scalar_one()
        tax = (
            await self._connection.execute(
                select(func.coalesce(func.sum(line.c.tax_minor), 0)).where(
                    line.c.document_id.in_(documents)
                )
            )
        ).scalar_one()
        signed_cash = case(
            (document.c.kind == "return", -tender.c.amount_minor), else_=tender.c.amount_minor
        )
        cash = (
            await self._connection.execute(
                select(func.coalesce(func.sum(signed_cash), 0))
                .select_from(tender.join(document, document.c.document_id == tender.c.document_id))
                .where(in_period, tender.c.kind == "cash")
            )
        ).scalar_one()
        drawer = case(
            (movement.c.kind.in_(("paid_out", "pickup")), -movement.c.amount_minor),
            else_=movement.c.amount_minor,
        )
        moved = (
            await self._connection.execute(
                select(func.coalesce(func.sum(drawer), 0)).where(
                    movement.c.node_id == entry.node_id,
                    movement.c.till_id == entry.till_id,
                    movement.c.business_time >= entry.period_start,
                    movement.c.business_time <= entry.period_end,
                )
            )
        ).scalar_one()
        return LedgerFigures(
            documents=int(count),
            net_sales_minor=int(net),
            tax_minor=int(tax),
            expected_cash_minor=entry.opening_float_minor + int(cash) + int(moved),
        )

    async def settle(self, shift_id: UUID, ledger: LedgerFigures, status: str) -> None:
        await self._connection.execute(
            update(tables.z_report)
            .where(tables.z_report.c.shift_id == shift_id)
            .values(
                status=status,
                hub_documents=ledger.documents,
                hub_net_sales_minor=ledger.net_sales_minor,
                hub_tax_minor=ledger.tax_minor,
                hub_expected_cash_minor=ledger.expected_cash_minor,
            )
        )

    async def page(
        self,
        store_id: str | None,
        first_day: date | None,
        last_day: date | None,
        limit: int,
        offset: int,
    ) -> list[KeptZReport]:
        z = tables.z_report
        where: list[ColumnElement[bool]] = []
        if store_id is not None:
            where.append(z.c.store_id == store_id)
        if first_day is not None:
            where.append(z.c.business_day >= first_day)
        if last_day is not None:
            where.append(z.c.business_day <= last_day)
        rows = await self._connection.execute(
            select(z)
            .where(and_(True, *where))
            .order_by(z.c.store_id, z.c.business_day, z.c.till_id, z.c.z_number)
            .limit(limit)
            .offset(offset)
        )
        return [_kept(row) for row in rows]


def _kept(row: Row[Any]) -> KeptZReport:
    ledger = (
        LedgerFigures(
            documents=row.hub_documents,
            net_sales_minor=row.hub_net_sales_minor,
            tax_minor=row.hub_tax_minor,
            expected_cash_minor=row.hub_expected_cash_minor,
        )
        if row.hub_documents is not None
        else None
    )
    return KeptZReport(
        store_id=row.store_id,
        node_id=row.node_id,
        currency=row.currency,
        payload=row.payload,
        status=row.status,
        ledger=ledger,
    )
