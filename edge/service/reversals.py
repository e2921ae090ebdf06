"""A sale voided after checkout: never deleted, but reversed by a return document against it
with all its lines (reason `reversal`), refunding what was paid, audited `sale_reversed`.

Only a sale of the same till and business day is reversed at the till (the shift's sales;
once shifts are persisted, "the same shift"); anything older is a return at the returns
desk. A sale is reversed once.
"""

from __future__ import annotations

from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting
from edge.domain.documents import Return, Sale
from edge.domain.node import NodeIdentity
from edge.domain.returns import ReturnItem
from edge.domain.staff import Permission
from edge.errors import Conflict, SaleNotFound
from edge.service.audit import audit_action
from edge.service.permits import Permit
from edge.service.returns import RecordReturn, draft_return, record_draft
from shared.clock import Clock

REVERSAL_REASON = "reversal"


class SaleAlreadyReversed(Conflict):
    """The sale was reversed before (`return_id`: the reversal)."""

    code = "sale_already_reversed"

    def __init__(self, sale_id: str, return_id: str) -> None:
        super().__init__(f"sale {sale_id} was reversed already by return {return_id}")
        self.sale_id = sale_id
        self.return_id = return_id


class NotReversible(Conflict):
    """The sale cannot be reversed at this till now: another till's or day's sale, one paid on
    account, one with units given back inside it, or one returned in full already."""

    code = "not_reversible"


def _check_reversible(sale: Sale, acting: Acting, uow: EdgeUnitOfWork) -> list[ReturnItem]:
    """The return items that reverse `sale` (every unit not yet returned). Raises
    SaleAlreadyReversed, NotReversible."""
    reversal = uow.returns.reversal_of(sale.sale_id, REVERSAL_REASON)
    if reversal is not None:
        raise SaleAlreadyReversed(str(sale.sale_id), str(reversal))
    if sale.till_id != acting.till_id:
        raise NotReversible(
            f"sale {sale.receipt_number} was made at till {sale.till_id}, not {acting.till_id}: "
            "take it back as a return"
        )
    current = uow.shifts.open_at(sale.till_id)
    if current is None or uow.shifts.of_sale(sale.sale_id) != current.shift.shift_id:
        raise NotReversible(
            f"sale {sale.receipt_number} was not made in this till's open shift: "
            "take it back as a return"
        )
    if any(tender.kind != "cash" for tender in sale.tenders):
        raise NotReversible(f"sale {sale.receipt_number} was not paid in cash")
    if any(line.quantity <= 0 for line in sale.lines):
        raise NotReversible(
            f"sale {sale.receipt_number} gives units back on a line: take it back as a return"
        )
    returned = uow.sales.returned_quantities(sale.sale_id)
    items = [
        ReturnItem(sku=line.sku, quantity=left, original_line_no=line.line_no)
        for line in sale.lines
        if (left := line.quantity - returned.get(line.line_no, 0)) > 0
    ]
    if not items:
        raise NotReversible(f"sale {sale.receipt_number} was returned in full already")
    return items


def reverse_sale(
    sale_id: UUID,
    uow: EdgeUnitOfWork,
    *,
    acting: Acting,
    permit: Permit,
    identity: NodeIdentity,
    clock: Clock,
) -> Return:
    """Reverse a sale of this till and business day (VOID_CART): a return document
    `reversal` of every unit not yet returned, refunded in cash at the price paid (the
    receipted return's rule, edge.domain.returns), recorded with its outbox event. The
    store's refund limits do not apply: the reversal is approved at the till by VOID_CART.
    Audited `sale_reversed`. Raises SaleNotFound, SaleAlreadyReversed (409), NotReversible
    (409), NotPermitted."""
    sale = uow.sales.get(sale_id)
    if sale is None:
        raise SaleNotFound(str(sale_id))
    items = _check_reversible(sale, acting, uow)
    who = permit(Permission.VOID_CART)
    command = RecordReturn(
        till_id=sale.till_id,
        reason=REVERSAL_REASON,
        items=items,
        original_sale_id=sale.sale_id,
        customer_id=sale.customer_id,
    )
    reversal = record_draft(draft_return(command, uow, identity=identity, clock=clock), uow)
    audit_action(
        uow, "sale_reversed", who, identity=identity, subject=str(sale.sale_id),
        details={
            "receipt_number": sale.receipt_number, "return_id": str(reversal.return_id),
            "return_receipt_number": reversal.receipt_number,
            "total": str(reversal.total.amount),
        },
    )  # fmt: skip
    return reversal
