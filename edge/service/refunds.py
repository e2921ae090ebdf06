"""Refunds above the store's limit: ask HQ, wait for its decision, then make the refund.

1. `request_refund`: the till prices and checks the return as it would record it, and sends it
   to HQ as a `refund.requested` event (through the outbox, like a sale). Nothing leaves the
   drawer; the goods stay with the customer.
2. HQ decides (hub.workflows.refund_approval); the decision reaches every node of the store
   through its feed (`refund_decision`), with the request itself, so any till of the store
   that holds the receipt can make it.
3. `complete_refund`: a till makes an approved refund as a return that names the request
   (`return.recorded` version 3); the request is then `executed` here and, once uploaded, at
   the hub. A request is made once per node (a unique index); a second node making the same
   approval is caught at the hub as a `refund_problem` exception.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting
from edge.domain.documents import (
    RefundLine,
    RefundRequest,
    RefundRequested,
    Return,
    StoredRefundRequest,
)
from edge.domain.node import NodeIdentity
from edge.domain.refund_tenders import RefundChoice
from edge.domain.returns import ReturnItem
from edge.errors import IdReused, InvalidReturn, RefundNotApproved, RefundRequestNotFound
from edge.service.returns import (
    RecordReturn,
    authorize_store_credit,
    check_refund_lines,
    draft_return,
    record_draft,
)
from edge.service.staff import OverrideRequest
from shared.clock import Clock
from shared.ids import new_id


@dataclass(frozen=True, slots=True)
class RequestRefund:
    """`details` is the return asked for (its `return_id` is ignored)."""

    details: RecordReturn
    requested_by: str
    request_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class CompleteRefund:
    request_id: UUID
    till_id: str
    return_id: UUID | None = None
    refund: RefundChoice | None = None


def request_refund(
    command: RequestRefund, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> tuple[StoredRefundRequest, bool]:
    """Ask HQ to approve a refund; returns the request (pending) and whether it is new. A
    `request_id` seen before returns that request. A refund without a receipt follows the
    same line rules as at the till (edge.service.returns.check_refund_lines); the amount
    limits do not apply: asking is how a refund above them is made. Raises SaleNotFound,
    UnknownSku, InvalidReturn, InvalidQuantity, ReturnExceedsSale, IdReused, LineOverCap,
    RefundAbovePrice."""
    request_id = command.request_id or new_id()
    existing = uow.refunds.get(request_id)
    if existing is not None:
        asked = [(item.sku, item.quantity) for item in command.details.items]
        held = [(line.sku, line.quantity) for line in existing.request.lines]
        if asked != held or existing.request.till_id != command.details.till_id:
            raise IdReused("refund request", str(request_id))
        return existing, False
    draft = draft_return(command.details, uow, identity=identity, clock=clock)
    check_refund_lines(draft, uow.node.till_limits().in_force(identity.currency), uow)
    if any(line.unit != "each" for line in draft.lines):
        # refund.requested (version 1) carries whole units only.
        raise InvalidReturn("a refund of weighed items cannot be sent to HQ for approval yet")
    original = command.details.original_receipt_number
    if original is None and draft.original_sale_id is not None:
        sale = uow.sales.get(draft.original_sale_id)
        original = sale.receipt_number if sale else None
    request = RefundRequest(
        request_id=request_id,
        till_id=command.details.till_id,
        requested_by=command.requested_by,
        reason=draft.reason,
        amount=draft.total,
        original_sale_id=draft.original_sale_id,
        original_receipt_number=original,
        customer_id=draft.customer_id,
        lines=tuple(
            RefundLine(
                sku=line.sku,
                description=line.description,
                quantity=int(line.quantity),
                unit_price=line.unit_price,
                line_total=line.line_total,
                original_line_no=line.original_line_no,
            )
            for line in draft.lines
        ),
        business_time=draft.business_time,
    )
    uow.emit(RefundRequested(request))
    uow.refunds.add(request)
    pending = StoredRefundRequest(
        request=request,
        status="pending",
        version=0,
        decided_by=None,
        decided_at=None,
        notes=None,
        executed_return_id=None,
    )
    return pending, True


def complete_refund(
    command: CompleteRefund, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> tuple[Return, bool]:
    """Make an approved refund: record its return, naming the request, its refund paid back
    to the receipt's tenders in proportion (or, without a receipt, as `command.refund`
    chooses: cash or store credit; edge.domain.refund_tenders). Returns the return and
    whether it is new (a retry, by `return_id` or of a request made here, returns the return
    made). Raises RefundRequestNotFound, RefundNotApproved (not approved, or the refund
    would now exceed what was approved: ask again), SaleNotFound (the receipt is not on this
    node), ReturnExceedsSale (the receipt's goods came back meanwhile), IdReused,
    RefundTenderRefused."""
    if command.return_id is not None:
        made = uow.returns.get(command.return_id)
        if made is not None:
            if made.refund_request_id != command.request_id:
                raise IdReused("return", str(command.return_id))
            return made, False
    stored = uow.refunds.get(command.request_id)
    if stored is None:
        raise RefundRequestNotFound(str(command.request_id))
    if stored.status == "executed" and stored.executed_return_id is not None:
        made = uow.returns.get(stored.executed_return_id)
        if made is not None:
            return made, False
    if stored.status != "approved":
        raise RefundNotApproved(str(command.request_id), stored.status)
    request = stored.request
    by_receipt = request.original_sale_id is not None
    details = RecordReturn(
        till_id=command.till_id,
        reason=request.reason,
        items=[
            ReturnItem(
                sku=line.sku,
                quantity=line.quantity,
                unit_price=None if by_receipt else line.unit_price,
                original_line_no=line.original_line_no,
            )
            for line in request.lines
        ],
        return_id=command.return_id,
        original_sale_id=request.original_sale_id,
        customer_id=request.customer_id,
        refund=command.refund,
    )
    draft = draft_return(details, uow, identity=identity, clock=clock)
    if draft.total > request.amount:
        raise RefundNotApproved(
            str(command.request_id),
            stored.status,
            f"refund request {command.request_id} was approved for {request.amount.amount} "
            f"but would now refund {draft.total.amount}: ask again",
        )
    sales_return = record_draft(replace(draft, refund_request_id=command.request_id), uow)
    uow.refunds.mark_executed(command.request_id, sales_return.return_id)
    return sales_return, True


def complete_at_till(
    command: CompleteRefund,
    acting: Acting,
    override: OverrideRequest | None,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    clock: Clock,
) -> tuple[Return, bool]:
    """`complete_refund` by the signed-in `acting`: an approved refund without a receipt paid
    as store credit needs Permission.ISSUE_STORE_CREDIT (edge.service.returns
    .authorize_store_credit). Raises what those raise."""
    stored = uow.refunds.get(command.request_id)
    if stored is not None and stored.request.original_sale_id is None:
        authorize_store_credit(command.refund, acting, override, uow, identity=identity)
    return complete_refund(command, uow, identity=identity, clock=clock)


def get_request(request_id: UUID, uow: EdgeUnitOfWork) -> StoredRefundRequest:
    """A refund request of the store as this node knows it. Raises RefundRequestNotFound."""
    stored = uow.refunds.get(request_id)
    if stored is None:
        raise RefundRequestNotFound(str(request_id))
    return stored


def list_requests(
    uow: EdgeUnitOfWork, *, status: str | None, limit: int
) -> list[StoredRefundRequest]:
    """The store's refund requests known here, newest first; only those of `status` if given."""
    return uow.refunds.list(status, limit)
