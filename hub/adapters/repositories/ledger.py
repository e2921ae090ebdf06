"""The sales ledger (documents, their lines and tenders) and the drawers' cash movements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import and_, case, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import chunks, one_of, write_rows
from hub.domain.ledger import CashEntry, CashTotals, LedgerDocument, SalesTotals
from hub.errors import StorageRefused

_DOCUMENT_COLUMNS = (
    "document_id",
    "kind",
    "store_id",
    "node_id",
    "event_id",
    "receipt_number",
    "till_id",
    "external_reference",
    "original_document_id",
    "customer_id",
    "business_day",
    "business_time",
    "currency",
    "total_minor",
    "line_count",
    "units",
    "weight_g",
)
_LINE_COLUMNS = (
    "document_id",
    "line_no",
    "sku",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "line_total_minor",
    "price_version",
    "price_source",
    "discount_minor",
    "promotion_id",
    "promotion_version",
    "tax_minor",
    "tax_code",
    "tax_rate",
    "tax_version",
)
_TENDER_COLUMNS = (
    "document_id",
    "tender_no",
    "kind",
    "amount_minor",
    "tendered_minor",
    "change_minor",
    "tender_id",
    "account",
    "card_status",
    "card_transaction_id",
    "card_brand",
    "card_last4",
    "card_deadline",
    "original_tender_no",
)


class LedgerRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def existing_documents(self, document_ids: Sequence[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        for chunk in chunks(list(document_ids)):
            rows = await self._connection.execute(
                select(tables.sale_document.c.document_id).where(
                    one_of(self._connection, tables.sale_document.c.document_id, chunk)
                )
            )
            found.update(row.document_id for row in rows)
        return found

    async def existing_receipts(self, node_id: str, receipt_numbers: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(list(receipt_numbers)):
            rows = await self._connection.execute(
                select(tables.sale_document.c.receipt_number).where(
                    tables.sale_document.c.node_id == node_id,
                    one_of(self._connection, tables.sale_document.c.receipt_number, chunk),
                )
            )
            found.update(row.receipt_number for row in rows)
        return found

    async def add(self, documents: Sequence[LedgerDocument]) -> None:
        """Write documents with their lines and tenders (COPY on PostgreSQL). Raises
        StorageRefused when the database refuses a value."""
        if not documents:
            return
        await write_rows(
            self._connection,
            tables.sale_document,
            _DOCUMENT_COLUMNS,
            [
                (
                    document.document_id,
                    document.kind,
                    document.store_id,
                    document.node_id,
                    document.event_id,
                    document.receipt_number,
                    document.till_id,
                    document.external_reference,
                    document.original_document_id,
                    document.customer_id,
                    document.business_day,
                    document.business_time,
                    document.currency,
                    document.total_minor,
                    len(document.lines),
                    document.units,
                    document.weight_g,
                )
                for document in documents
            ],
        )
        await write_rows(
            self._connection,
            tables.sale_line,
            _LINE_COLUMNS,
            [
                (
                    document.document_id,
                    line.line_no,
                    line.sku,
                    line.description,
                    Decimal(line.quantity),
                    line.unit,
                    line.unit_price,
                    line.line_total_minor,
                    line.price_version,
                    line.price_source,
                    line.discount_minor,
                    line.promotion_id,
                    line.promotion_version,
                    line.tax_minor,
                    line.tax_code,
                    line.tax_rate,
                    line.tax_version,
                )
                for document in documents
                for line in document.lines
            ],
        )
        await write_rows(
            self._connection,
            tables.tender,
            _TENDER_COLUMNS,
            [
                (
                    document.document_id,
                    tender.tender_no,
                    tender.kind,
                    tender.amount_minor,
                    tender.tendered_minor,
                    tender.change_minor,
                    tender.tender_id,
                    tender.account,
                    tender.card_status,
                    tender.card_transaction_id,
                    tender.card_brand,
                    tender.card_last4,
                    tender.card_deadline,
                    tender.original_tender_no,
                )
                for document in documents
                for tender in document.tenders
            ],
        )

    async def event_totals(
        self, node_id: str, days: Sequence[date]
    ) -> dict[date, list[tuple[str, int]]]:
        """(event id, signed amount in minor units) of a node's documents (their signed total)
        and cash movements (their effect on the drawer), by business day; as the edge's
        `IntegrityRepository.day_events`."""
        document = tables.sale_document
        movement = tables.cash_movement
        drawer = case(
            (movement.c.kind.in_(("paid_out", "pickup")), -movement.c.amount_minor),
            else_=movement.c.amount_minor,
        )
        statement = union_all(
            select(document.c.business_day, document.c.event_id, document.c.total_minor).where(
                document.c.node_id == node_id,
                one_of(self._connection, document.c.business_day, list(days)),
            ),
            select(movement.c.business_day, movement.c.event_id, drawer).where(
                movement.c.node_id == node_id,
                one_of(self._connection, movement.c.business_day, list(days)),
            ),
        )
        found: dict[date, list[tuple[str, int]]] = {}
        for business_day, event_id, amount in await self._connection.execute(statement):
            found.setdefault(business_day, []).append((str(event_id), int(amount)))
        return found

    async def sales_report(
        self,
        group_by: Literal["day", "store", "store_day"],
        first_day: date | None,
        last_day: date | None,
        store_id: str | None,
        currency: str,
    ) -> list[SalesTotals]:
        """Per group, over documents in `currency` (days inclusive): see SalesTotals."""
        document = tables.sale_document
        keys: list[Any] = {
            "day": [document.c.business_day],
            "store": [document.c.store_id],
            "store_day": [document.c.store_id, document.c.business_day],
        }[group_by]
        statement = (
            select(
                *keys,
                func.count().label("invoices"),
                func.coalesce(func.sum(document.c.line_count), 0).label("lines"),
                func.coalesce(func.sum(document.c.units), 0).label("units"),
                func.coalesce(func.sum(document.c.weight_g), 0).label("weight_g"),
                func.coalesce(func.sum(document.c.total_minor), 0).label("revenue_minor"),
                func.coalesce(
                    func.sum(case((document.c.kind == "return", -document.c.total_minor), else_=0)),
                    0,
                ).label("returns_minor"),
            )
            .group_by(*keys)
            .order_by(*keys)
        )
        conditions = [document.c.currency == currency]
        if first_day is not None:
            conditions.append(document.c.business_day >= first_day)
        if last_day is not None:
            conditions.append(document.c.business_day <= last_day)
        if store_id is not None:
            conditions.append(document.c.store_id == store_id)
        statement = statement.where(and_(*conditions))
        rows = [dict(row._mapping) for row in await self._connection.execute(statement)]
        # Tax and promotion discounts live on the lines: one more grouped pass, joined.
        line = tables.sale_line
        terms = (
            select(
                *keys,
                func.coalesce(func.sum(line.c.tax_minor), 0).label("tax_minor"),
                func.coalesce(func.sum(line.c.discount_minor), 0).label("discount_minor"),
            )
            .select_from(line.join(document, document.c.document_id == line.c.document_id))
            .where(and_(*conditions))
            .group_by(*keys)
        )
        width = len(keys)
        found = {
            tuple(row[:width]): (int(row.tax_minor), int(row.discount_minor))
            for row in await self._connection.execute(terms)
        }
        totals: list[SalesTotals] = []
        for row in rows:
            tax, discount = found.get(tuple(row[key.name] for key in keys), (0, 0))
            totals.append(
                SalesTotals(
                    store_id=row.get("store_id"),
                    business_day=row.get("business_day"),
                    invoices=int(row["invoices"]),
                    lines=int(row["lines"]),
                    units=int(row["units"]),
                    weight_g=int(row["weight_g"]),
                    revenue_minor=int(row["revenue_minor"]),
                    returns_minor=int(row["returns_minor"]),
                    tax_minor=tax,
                    discount_minor=discount,
                )
            )
        return totals


class CashRepository:
    """Cash movements of the drawers, recorded as they happened."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: CashEntry, now: datetime) -> None:
        """Raises StorageRefused when the movement id is already recorded (by another event)."""
        exists = await self._connection.execute(
            select(tables.cash_movement.c.event_id).where(
                tables.cash_movement.c.movement_id == entry.movement_id
            )
        )
        held = exists.scalar_one_or_none()
        if held is not None:
            raise StorageRefused(
                "cash_movement", f"movement {entry.movement_id} is already recorded"
            )
        await self._connection.execute(
            tables.cash_movement.insert().values(
                movement_id=entry.movement_id,
                store_id=entry.store_id,
                node_id=entry.node_id,
                event_id=entry.event_id,
                till_id=entry.till_id,
                kind=entry.kind,
                amount_minor=entry.amount_minor,
                currency=entry.currency,
                reason=entry.reason,
                business_day=entry.business_day,
                business_time=entry.business_time,
                recorded_at=now,
            )
        )

    async def report(
        self, first_day: date | None, last_day: date | None, store_id: str | None, currency: str
    ) -> list[CashTotals]:
        """Per store and business day (inclusive), in `currency`: see CashTotals."""
        movement = tables.cash_movement

        def total(kind: str) -> Any:
            return func.coalesce(
                func.sum(case((movement.c.kind == kind, movement.c.amount_minor), else_=0)), 0
            ).label(kind)

        conditions = [movement.c.currency == currency]
        if first_day is not None:
            conditions.append(movement.c.business_day >= first_day)
        if last_day is not None:
            conditions.append(movement.c.business_day <= last_day)
        if store_id is not None:
            conditions.append(movement.c.store_id == store_id)
        statement = (
            select(
                movement.c.store_id,
                movement.c.business_day,
                func.count().label("movements"),
                total("float"),
                total("paid_in"),
                total("paid_out"),
                total("pickup"),
            )
            .where(and_(*conditions))
            .group_by(movement.c.store_id, movement.c.business_day)
            .order_by(movement.c.store_id, movement.c.business_day)
        )
        return [
            CashTotals(
                row.store_id,
                row.business_day,
                int(row.movements),
                int(row.float),
                int(row.paid_in),
                int(row.paid_out),
                int(row.pickup),
            )
            for row in await self._connection.execute(statement)
        ]
