"""Repository of refund requests: asked for here, or heard of from the hub's feed."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, case, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from edge.adapters import tables
from edge.domain.documents import RefundLine, RefundRequest, StoredRefundRequest
from shared.money import Money


class RefundRequestRepository:
    """Refund requests of the store: asked for here, or heard of from the hub's feed."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, request: RefundRequest) -> None:
        """A request just asked for here: pending, not yet heard from the hub (version 0)."""
        self._connection.execute(
            tables.refund_request.insert().values(
                **_refund_row(request), status="pending", version=0
            )
        )

    def get(self, request_id: UUID) -> StoredRefundRequest | None:
        row = self._connection.execute(
            select(tables.refund_request).where(
                tables.refund_request.c.request_id == str(request_id)
            )
        ).first()
        return _stored_refund(row) if row else None

    def list(self, status: str | None, limit: int) -> list[StoredRefundRequest]:
        request = tables.refund_request
        statement = select(request).order_by(request.c.business_time.desc()).limit(limit)
        if status is not None:
            statement = statement.where(request.c.status == status)
        return [_stored_refund(row) for row in self._connection.execute(statement)]

    def apply_decision(self, heard: StoredRefundRequest) -> None:
        """Take the hub's state of a request (edge.wire.refund_request_of) unless the one held
        is as new (`heard.version`); a request of another till of the store is added. A refund
        made here stays `executed` whatever the hub said before it heard of it."""
        request = heard.request
        table = tables.refund_request
        decided = {
            "status": heard.status,
            "version": heard.version,
            "decided_by": heard.decided_by,
            "decided_at": heard.decided_at.isoformat() if heard.decided_at else None,
            "notes": heard.notes,
            "executed_return_id": (
                str(heard.executed_return_id) if heard.executed_return_id else None
            ),
        }
        statement = sqlite_insert(table).values(**_refund_row(request), **decided)
        held_executed = table.c.executed_return_id.is_not(None) & (
            statement.excluded.executed_return_id.is_(None)
        )
        self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.request_id],
                set_={
                    **{name: statement.excluded[name] for name in decided},
                    "status": case(
                        (held_executed, table.c.status), else_=statement.excluded.status
                    ),
                    # A refund made here keeps naming its own return, even when the hub
                    # says another node's return made the request first.
                    "executed_return_id": func.coalesce(
                        table.c.executed_return_id, statement.excluded.executed_return_id
                    ),
                },
                where=table.c.version < statement.excluded.version,
            )
        )

    def mark_executed(self, request_id: UUID, return_id: UUID) -> None:
        self._connection.execute(
            update(tables.refund_request)
            .where(tables.refund_request.c.request_id == str(request_id))
            .values(status="executed", executed_return_id=str(return_id))
        )


def _refund_row(request: RefundRequest) -> dict[str, Any]:
    currency = request.amount.currency
    return {
        "request_id": str(request.request_id),
        "till_id": request.till_id,
        "requested_by": request.requested_by,
        "reason": request.reason,
        "currency": currency,
        "amount_minor": request.amount.minor,
        "original_sale_id": str(request.original_sale_id) if request.original_sale_id else None,
        "original_receipt_number": request.original_receipt_number,
        "customer_id": request.customer_id,
        "lines": json.dumps(
            [
                {
                    "sku": line.sku,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "line_total_minor": line.line_total.minor,
                    "original_line_no": line.original_line_no,
                }
                for line in request.lines
            ]
        ),
        "business_time": request.business_time.isoformat(),
    }


def _stored_refund(row: Row[Any]) -> StoredRefundRequest:
    currency = row.currency
    request = RefundRequest(
        request_id=UUID(row.request_id),
        till_id=row.till_id,
        requested_by=row.requested_by,
        reason=row.reason,
        amount=Money.from_minor(row.amount_minor, currency),
        original_sale_id=UUID(row.original_sale_id) if row.original_sale_id else None,
        original_receipt_number=row.original_receipt_number,
        customer_id=row.customer_id,
        lines=tuple(
            RefundLine(
                sku=line["sku"],
                description=line["description"],
                quantity=line["quantity"],
                unit_price=Decimal(line["unit_price"]),
                line_total=Money.from_minor(line["line_total_minor"], currency),
                original_line_no=line["original_line_no"],
            )
            for line in json.loads(row.lines)
        ),
        business_time=datetime.fromisoformat(row.business_time),
    )
    return StoredRefundRequest(
        request=request,
        status=row.status,
        version=row.version,
        decided_by=row.decided_by,
        decided_at=datetime.fromisoformat(row.decided_at) if row.decided_at else None,
        notes=row.notes,
        executed_return_id=UUID(row.executed_return_id) if row.executed_return_id else None,
    )
