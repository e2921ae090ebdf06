"""Repository of B2B orders: the rows of `b2b_order` in, `StoredB2BOrder`s out.

Lines are kept as JSON in their wire form (sync.messages.B2BLineV1), the composed payment
as JSON in minor units. Takes the Connection of the caller's transaction;
never commits.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, case, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from edge.adapters import tables
from edge.adapters.outbox import b2b_line_payload
from edge.domain.documents import NO_TERMS, B2BLine, B2BOrder, LineTerms, StoredB2BOrder, TenderPlan
from shared.money import Money
from sync.messages import B2BApprovalV1, B2BLineV1, LineTermsV1


class B2BOrderRepository:
    """B2B orders of the store: submitted here, or heard of from the hub's feed."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, order: B2BOrder) -> None:
        """An order just submitted here: `cart_submitted`, not yet heard from the hub
        (version 0), no payment composed."""
        self._connection.execute(
            tables.b2b_order.insert().values(
                **_order_row(order), status="cart_submitted", version=0, tenders="[]"
            )
        )

    def get(self, order_id: UUID) -> StoredB2BOrder | None:
        row = self._connection.execute(
            select(tables.b2b_order).where(tables.b2b_order.c.order_id == str(order_id))
        ).first()
        return _stored_order(row) if row else None

    def list(self, status: str | None, limit: int) -> list[StoredB2BOrder]:
        """Orders of the store, newest first; only those of `status` if given."""
        order = tables.b2b_order
        statement = select(order).order_by(order.c.business_time.desc()).limit(limit)
        if status is not None:
            statement = statement.where(order.c.status == status)
        return [_stored_order(row) for row in self._connection.execute(statement)]

    def compose(self, order_id: UUID, composed_by: str, tenders: tuple[TenderPlan, ...]) -> None:
        """The payment composed here: `payment_composed` until the hub says otherwise (the
        hub's version is unchanged)."""
        self._connection.execute(
            update(tables.b2b_order)
            .where(tables.b2b_order.c.order_id == str(order_id))
            .values(status="payment_composed", composed_by=composed_by, tenders=_tenders(tenders))
        )

    def mark_fulfilled(self, order_id: UUID, sale_id: UUID) -> None:
        """Handed over here by sale `sale_id`."""
        self._connection.execute(
            update(tables.b2b_order)
            .where(tables.b2b_order.c.order_id == str(order_id))
            .values(status="fulfilled", fulfilled_sale_id=str(sale_id))
        )

    def apply_approval(self, approval: B2BApprovalV1, version: int) -> None:
        """Take the hub's state of an order unless the one held is as new (`version`); an
        order of another till of the store is added. The node keeps its own handover: an
        order fulfilled here stays `fulfilled` with its sale, whatever the hub said before it
        heard of that sale (its `fulfilled_sale_id`, maybe another node's, is not taken)."""
        currency = approval.currency
        order = B2BOrder(
            order_id=approval.order_id,
            till_id=approval.till_id,
            customer_id=approval.customer_id,
            submitted_by=approval.submitted_by,
            reference=approval.reference,
            total=Money(approval.total, currency),
            lines=tuple(_line_of(line, currency) for line in approval.lines),
            business_time=approval.business_time,
        )
        decided = {
            "status": approval.status,
            "version": version,
            "tenders": _tenders(
                tuple(
                    TenderPlan(kind=tender.kind, amount=Money(tender.amount, currency))
                    for tender in approval.tenders
                )
            ),
            "composed_by": approval.composed_by,
            "cart_decided_by": approval.cart_decided_by,
            "payment_decided_by": approval.payment_decided_by,
            "payment_rejections": approval.payment_rejections,
            "notes": approval.notes,
            "order_number": approval.order_number,
        }
        table = tables.b2b_order
        row = _order_row(order)
        statement = sqlite_insert(table).values(**row, **decided)
        self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.order_id],
                set_={
                    **{
                        name: statement.excluded[name]
                        for name in (*row, *decided)
                        if name != "order_id"
                    },
                    # Handed over here: the hub may not have the sale yet ("placed"), or
                    # may have lapsed the order meanwhile; the goods have gone either way.
                    "status": case(
                        (table.c.fulfilled_sale_id.is_not(None), table.c.status),
                        else_=statement.excluded.status,
                    ),
                },
                where=table.c.version < statement.excluded.version,
            )
        )


def _order_row(order: B2BOrder) -> dict[str, Any]:
    currency = order.total.currency
    return {
        "order_id": str(order.order_id),
        "till_id": order.till_id,
        "customer_id": order.customer_id,
        "submitted_by": order.submitted_by,
        "reference": order.reference,
        "currency": currency,
        "total_minor": order.total.minor,
        "lines": json.dumps(
            [b2b_line_payload(line, currency).model_dump(mode="json") for line in order.lines]
        ),
        "business_time": order.business_time.isoformat(),
    }


def _line_of(line: B2BLineV1, currency: str) -> B2BLine:
    """A B2B line as it travels (in the feed, and as kept in `b2b_order.lines`)."""
    return B2BLine(
        line_no=line.line_no,
        sku=line.sku,
        description=line.description,
        quantity=line.quantity,
        unit_price=line.unit_price,
        line_total=Money(line.line_total, currency),
        price_version=line.price_version,
        terms=_wire_terms(line.terms, currency),
    )


def _wire_terms(terms: LineTermsV1 | None, currency: str) -> LineTerms:
    """A line's terms as they travel (amounts in the currency) in minor units."""
    if terms is None:
        return NO_TERMS
    return LineTerms(
        discount_minor=Money(terms.discount, currency).minor,
        promotion_id=terms.promotion_id,
        promotion_version=terms.promotion_version,
        tax_minor=Money(terms.tax, currency).minor,
        tax_code=terms.tax_code,
        tax_rate=terms.tax_rate,
        tax_version=terms.tax_version,
    )


def _tenders(tenders: tuple[TenderPlan, ...]) -> str:
    return json.dumps(
        [{"kind": tender.kind, "amount_minor": tender.amount.minor} for tender in tenders]
    )


def _stored_order(row: Row[Any]) -> StoredB2BOrder:
    currency = row.currency
    order = B2BOrder(
        order_id=UUID(row.order_id),
        till_id=row.till_id,
        customer_id=row.customer_id,
        submitted_by=row.submitted_by,
        reference=row.reference,
        total=Money.from_minor(row.total_minor, currency),
        lines=tuple(
            _line_of(B2BLineV1.model_validate(line), currency) for line in json.loads(row.lines)
        ),
        business_time=datetime.fromisoformat(row.business_time),
    )
    return StoredB2BOrder(
        order=order,
        status=row.status,
        version=row.version,
        tenders=tuple(
            TenderPlan(
                kind=tender["kind"], amount=Money.from_minor(tender["amount_minor"], currency)
            )
            for tender in json.loads(row.tenders)
        ),
        composed_by=row.composed_by,
        cart_decided_by=row.cart_decided_by,
        payment_decided_by=row.payment_decided_by,
        payment_rejections=row.payment_rejections,
        notes=row.notes,
        order_number=row.order_number,
        fulfilled_sale_id=UUID(row.fulfilled_sale_id) if row.fulfilled_sale_id else None,
    )
