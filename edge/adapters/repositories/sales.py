"""Repositories of the node's documents: sales and returns, with their lines and tenders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, func, select

from edge.adapters import tables
from edge.adapters.repositories.shifts import open_shift_of
from edge.adapters.repositories.sql import manual_of, manual_row, terms_of, terms_row
from edge.domain.documents import CardDetails, Return, ReturnLine, Sale, SaleLine, Tender
from shared.money import Money
from shared.quantity import LineQuantity, from_stored, to_stored


def _tender_rows(document_id: UUID, tenders: Iterable[Tender]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": str(document_id),
            "tender_no": tender.tender_no,
            "kind": tender.kind,
            "amount_minor": tender.amount.minor,
            "tendered_minor": tender.tendered.minor,
            "change_minor": tender.change.minor,
            "tender_id": str(tender.tender_id) if tender.tender_id is not None else None,
            "account": tender.account,
            "original_tender_no": tender.original_tender_no,
            **_card_row(tender.card),
        }
        for tender in tenders
    ]


def _card_row(card: CardDetails | None) -> dict[str, Any]:
    if card is None:
        return {
            "card_status": None,
            "card_transaction_id": None,
            "card_brand": None,
            "card_last4": None,
            "card_deadline": None,
        }
    return {
        "card_status": card.status,
        "card_transaction_id": card.transaction_id,
        "card_brand": card.brand,
        "card_last4": card.last4,
        "card_deadline": card.deadline.isoformat() if card.deadline is not None else None,
    }


def _card_of(row: Any) -> CardDetails | None:
    if row.card_status is None:
        return None
    return CardDetails(
        status=row.card_status,
        transaction_id=row.card_transaction_id,
        brand=row.card_brand,
        last4=row.card_last4,
        deadline=datetime.fromisoformat(row.card_deadline) if row.card_deadline else None,
    )


def _tenders(connection: Connection, document_id: str, currency: str) -> tuple[Tender, ...]:
    rows = connection.execute(
        select(tables.tender)
        .where(tables.tender.c.document_id == document_id)
        .order_by(tables.tender.c.tender_no)
    )
    return tuple(
        Tender(
            tender_no=row.tender_no,
            kind=row.kind,
            amount=Money.from_minor(row.amount_minor, currency),
            tendered=Money.from_minor(row.tendered_minor, currency),
            change=Money.from_minor(row.change_minor, currency),
            tender_id=UUID(row.tender_id) if row.tender_id is not None else None,
            account=row.account,
            card=_card_of(row),
            original_tender_no=row.original_tender_no,
        )
        for row in rows
    )


class SaleRepository:
    """Sales of this node with their lines and tenders; append-only."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, sale: Sale, event_seq: int) -> None:
        self._connection.execute(
            tables.sale.insert().values(
                sale_id=str(sale.sale_id),
                receipt_number=sale.receipt_number,
                cart_id=str(sale.cart_id) if sale.cart_id else None,
                till_id=sale.till_id,
                business_time=sale.business_time.isoformat(),
                business_day=sale.business_day.isoformat(),
                customer_id=sale.customer_id,
                currency=sale.currency,
                total_minor=sale.total.minor,
                external_reference=sale.external_reference,
                event_seq=event_seq,
                b2b_order_id=str(sale.b2b_order_id) if sale.b2b_order_id else None,
                shift_id=open_shift_of(sale.till_id),
            )
        )
        self._connection.execute(
            tables.sale_line.insert(),
            [
                {
                    "sale_id": str(sale.sale_id),
                    "line_no": line.line_no,
                    "sku": line.sku,
                    "description": line.description,
                    "quantity": to_stored(line.quantity, line.unit),
                    "unit": line.unit,
                    "unit_price": str(line.unit_price),
                    "line_total_minor": line.line_total.minor,
                    "price_version": line.price_version,
                    "price_source": line.price_source,
                    **terms_row(line.terms),
                    **manual_row(line),
                }
                for line in sale.lines
            ],
        )
        tender_rows = _tender_rows(sale.sale_id, sale.tenders)
        if tender_rows:
            self._connection.execute(tables.tender.insert(), tender_rows)

    def get(self, sale_id: UUID) -> Sale | None:
        row = (
            self._connection.execute(
                select(tables.sale).where(tables.sale.c.sale_id == str(sale_id))
            )
        ).first()
        return self._load(row) if row else None

    def by_receipt(self, receipt_number: str) -> Sale | None:
        row = (
            self._connection.execute(
                select(tables.sale).where(tables.sale.c.receipt_number == receipt_number)
            )
        ).first()
        return self._load(row) if row else None

    def by_cart(self, cart_id: UUID) -> Sale | None:
        row = (
            self._connection.execute(
                select(tables.sale).where(tables.sale.c.cart_id == str(cart_id))
            )
        ).first()
        return self._load(row) if row else None

    def by_b2b_order(self, order_id: UUID) -> Sale | None:
        """The sale of this node that handed B2B order `order_id` over, if any."""
        row = (
            self._connection.execute(
                select(tables.sale).where(tables.sale.c.b2b_order_id == str(order_id))
            )
        ).first()
        return self._load(row) if row else None

    def for_day(self, business_day: date, limit: int, offset: int) -> list[Sale]:
        rows = self._connection.execute(
            select(tables.sale)
            .where(tables.sale.c.business_day == business_day.isoformat())
            .order_by(tables.sale.c.event_seq)
            .limit(limit)
            .offset(offset)
        )
        return [self._load(row) for row in rows.all()]

    def returned_quantities(self, sale_id: UUID) -> dict[int, LineQuantity]:
        """Quantities already returned per original line number of `sale_id`, in the line's
        unit (an int, or a Decimal of kg)."""
        rows = self._connection.execute(
            select(
                tables.return_line.c.original_line_no,
                func.sum(tables.return_line.c.quantity),
                func.max(tables.return_line.c.unit),
            )
            .join(
                tables.sales_return,
                tables.sales_return.c.return_id == tables.return_line.c.return_id,
            )
            .where(tables.sales_return.c.original_sale_id == str(sale_id))
            .group_by(tables.return_line.c.original_line_no)
        )
        return {
            int(line_no): from_stored(int(quantity), unit)
            for line_no, quantity, unit in rows
            if line_no is not None
        }

    def _load(self, row: Row[Any]) -> Sale:
        currency = row.currency
        lines = self._connection.execute(
            select(tables.sale_line)
            .where(tables.sale_line.c.sale_id == row.sale_id)
            .order_by(tables.sale_line.c.line_no)
        )
        return Sale(
            sale_id=UUID(row.sale_id),
            receipt_number=row.receipt_number,
            cart_id=UUID(row.cart_id) if row.cart_id else None,
            till_id=row.till_id,
            business_time=datetime.fromisoformat(row.business_time),
            business_day=date.fromisoformat(row.business_day),
            currency=currency,
            customer_id=row.customer_id,
            external_reference=row.external_reference,
            lines=tuple(
                SaleLine(
                    line_no=line.line_no,
                    sku=line.sku,
                    description=line.description,
                    quantity=from_stored(line.quantity, line.unit),
                    unit=line.unit,
                    unit_price=Decimal(line.unit_price),
                    line_total=Money.from_minor(line.line_total_minor, currency),
                    price_version=line.price_version,
                    price_source=line.price_source,
                    terms=terms_of(line),
                    **manual_of(line),
                )
                for line in lines
            ),
            tenders=_tenders(self._connection, row.sale_id, currency),
            total=Money.from_minor(row.total_minor, currency),
            b2b_order_id=UUID(row.b2b_order_id) if row.b2b_order_id else None,
        )


class ReturnRepository:
    """Returns of this node with their lines and refund tenders; append-only."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, sales_return: Return, event_seq: int) -> None:
        self._connection.execute(
            tables.sales_return.insert().values(
                return_id=str(sales_return.return_id),
                receipt_number=sales_return.receipt_number,
                till_id=sales_return.till_id,
                original_sale_id=(
                    str(sales_return.original_sale_id) if sales_return.original_sale_id else None
                ),
                business_time=sales_return.business_time.isoformat(),
                business_day=sales_return.business_day.isoformat(),
                customer_id=sales_return.customer_id,
                currency=sales_return.currency,
                total_minor=sales_return.total.minor,
                reason=sales_return.reason,
                external_reference=sales_return.external_reference,
                event_seq=event_seq,
                refund_request_id=(
                    str(sales_return.refund_request_id) if sales_return.refund_request_id else None
                ),
                shift_id=open_shift_of(sales_return.till_id),
            )
        )
        self._connection.execute(
            tables.return_line.insert(),
            [
                {
                    "return_id": str(sales_return.return_id),
                    "line_no": line.line_no,
                    "sku": line.sku,
                    "description": line.description,
                    "quantity": to_stored(line.quantity, line.unit),
                    "unit": line.unit,
                    "unit_price": str(line.unit_price),
                    "line_total_minor": line.line_total.minor,
                    "original_line_no": line.original_line_no,
                    "price_version": line.price_version,
                    **terms_row(line.terms),
                }
                for line in sales_return.lines
            ],
        )
        tender_rows = _tender_rows(sales_return.return_id, sales_return.refunds)
        if tender_rows:
            self._connection.execute(tables.tender.insert(), tender_rows)

    def reversal_of(self, sale_id: UUID, reason: str) -> UUID | None:
        """The return of `reason` (a reversal) made against sale `sale_id`, if any."""
        return_id = self._connection.execute(
            select(tables.sales_return.c.return_id).where(
                tables.sales_return.c.original_sale_id == str(sale_id),
                tables.sales_return.c.reason == reason,
            )
        ).scalar()
        return UUID(return_id) if return_id else None

    def get(self, return_id: UUID) -> Return | None:
        row = (
            self._connection.execute(
                select(tables.sales_return).where(tables.sales_return.c.return_id == str(return_id))
            )
        ).first()
        if row is None:
            return None
        currency = row.currency
        lines = self._connection.execute(
            select(tables.return_line)
            .where(tables.return_line.c.return_id == row.return_id)
            .order_by(tables.return_line.c.line_no)
        )
        return Return(
            return_id=UUID(row.return_id),
            receipt_number=row.receipt_number,
            till_id=row.till_id,
            original_sale_id=UUID(row.original_sale_id) if row.original_sale_id else None,
            business_time=datetime.fromisoformat(row.business_time),
            business_day=date.fromisoformat(row.business_day),
            currency=currency,
            customer_id=row.customer_id,
            external_reference=row.external_reference,
            reason=row.reason,
            lines=tuple(
                ReturnLine(
                    line_no=line.line_no,
                    sku=line.sku,
                    description=line.description,
                    quantity=from_stored(line.quantity, line.unit),
                    unit=line.unit,
                    unit_price=Decimal(line.unit_price),
                    line_total=Money.from_minor(line.line_total_minor, currency),
                    original_line_no=line.original_line_no,
                    price_version=line.price_version,
                    terms=terms_of(line),
                )
                for line in lines
            ),
            refunds=_tenders(self._connection, row.return_id, currency),
            total=Money.from_minor(row.total_minor, currency),
            refund_request_id=UUID(row.refund_request_id) if row.refund_request_id else None,
        )
