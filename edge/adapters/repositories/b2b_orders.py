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
from edge.domain.documents import B2BOrder, StoredB2BOrder, TenderPlan
from edge.wire import b2b_line_of, b2b_line_payload
from shared.money import Money
from sync.messages import B2BLineV1


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

    def apply_approval(self, heard: StoredB2BOrder) -> None:
        """Take the hub's state of an order (edge.wire.b2b_order_of) unless the one held is as
        new (`heard.version`); an order of another till of the store is added. The node keeps
        its own handover: an order fulfilled here stays `fulfilled` with its sale, whatever the
        hub said before it heard of that sale (`heard` carries no sale: the hub's, maybe
        another node's, is not taken)."""
        order = heard.order
        decided = {
            "status": heard.status,
            "version": heard.version,
            "tenders": _tenders(heard.tenders),
            "composed_by": heard.composed_by,
            "cart_decided_by": heard.cart_decided_by,
            "payment_decided_by": heard.payment_decided_by,
            "payment_rejections": heard.payment_rejections,
            "notes": heard.notes,
            "order_number": heard.order_number,
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
            b2b_line_of(B2BLineV1.model_validate(line), currency) for line in json.loads(row.lines)
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
