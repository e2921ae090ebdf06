"""Use case of the returns desk: take goods back against a stored receipt or without one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting
from edge.domain.documents import CardDetails, Return, ReturnRecorded, Sale
from edge.domain.node import NodeIdentity
from edge.domain.refund_tenders import RefundChoice, refunded_by_tender
from edge.domain.returns import ReturnItem, make_return
from edge.domain.staff import Permission
from edge.domain.till_limits import approval_needed, check_no_receipt_line
from edge.errors import IdReused, RefundNeedsApproval, ReturnNotFound, SaleNotFound, UnknownSku
from edge.service.card_payments import queue_card_refunds, with_card_answers
from edge.service.shifts import require_open_shift
from edge.service.staff import OverrideRequest, authorize
from shared.clock import Clock
from shared.ids import new_id
from shared.till_limits import TillLimits


@dataclass(frozen=True, slots=True)
class RecordReturn:
    till_id: str
    reason: str
    items: list[ReturnItem]
    return_id: UUID | None = None
    original_sale_id: UUID | None = None
    original_receipt_number: str | None = None
    customer_id: str | None = None
    external_reference: str | None = None
    refund: RefundChoice | None = None
    # What the payment terminal answered for card refunds made before the return is
    # recorded (edge.service.card_refunds), by refund tender id.
    card_answers: Mapping[UUID, CardDetails] = field(default_factory=dict)


def record_return(
    command: RecordReturn, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> tuple[Return, bool]:
    """Record a return and its refund, with its outbox event, atomically.

    With a receipt (sale id or receipt number) each line must name a receipt line and no more
    than the units left to return; the refund is at the price paid. Without one, a line's
    price defaults to the current catalogue price, may not exceed it (unless the store
    allows it) and each line is within the store's per-line caps (`check_refund_lines`). A
    `return_id` seen before returns that return (created=False). A refund above the store's
    refund limit, or without a receipt above its no-receipt limit, needs HQ's approval first
    (edge.service.refunds; the limits: shared.till_limits). The refund goes back to the
    sale's tenders in proportion, or without a receipt to cash or store credit
    (edge.domain.refund_tenders). Raises SaleNotFound, UnknownSku, InvalidReturn,
    InvalidQuantity, ReturnExceedsSale, IdReused, LineOverCap, RefundAbovePrice,
    RefundNeedsApproval, RefundTenderRefused.
    """
    if command.return_id is not None:
        existing = uow.returns.get(command.return_id)
        if existing is not None:
            if not _same_request(existing, command):
                raise IdReused("return", str(command.return_id))
            return existing, False
    draft = checked_draft(command, uow, identity=identity, clock=clock)
    return record_draft(draft, uow), True


def checked_draft(
    command: RecordReturn, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> Return:
    """`draft_return`, within the store's refund rules: what may be refunded before any
    money moves. Raises what `record_return` raises but IdReused."""
    draft = draft_return(command, uow, identity=identity, clock=clock)
    limits = uow.node.till_limits().in_force(identity.currency)
    check_refund_lines(draft, limits, uow)
    over = approval_needed(draft, limits)
    if over is not None:
        limit, which = over
        raise RefundNeedsApproval(str(draft.total.amount), str(limit.amount), which)
    return draft


# The counter issue adds staff sign-in and a permissions table: a refund without a receipt
# will then need the permission of this name, checked where `check_refund_lines` is called.
# Until then the till API knows no cashier, and only the till limits bound such a refund.
NO_RECEIPT_REFUND_PERMISSION = "refund_without_receipt"


def check_refund_lines(draft: Return, limits: TillLimits, uow: EdgeUnitOfWork) -> None:
    """The rules of a refund without a receipt (`edge.domain.till_limits.check_no_receipt_line`
    for each line, against the catalogue's current price); a refund against a receipt is
    bounded by the receipt. Raises LineOverCap, RefundAbovePrice."""
    if draft.original_sale_id is not None:
        return
    for line in draft.lines:
        item = uow.catalogue.priced_item(line.sku)
        check_no_receipt_line(
            line.sku,
            line.quantity,
            line.unit_price,
            line.line_total,
            item.unit_price if item is not None else None,
            limits,
        )


def record_draft(draft: Return, uow: EdgeUnitOfWork) -> Return:
    """Give a drafted return its receipt number and record it with its outbox event, in the
    till's open shift. Raises NoOpenShift."""
    require_open_shift(uow, draft.till_id)
    sales_return = replace(draft, receipt_number=uow.node.next_receipt_number(draft.till_id))
    seq = uow.emit(ReturnRecorded(sales_return))
    uow.returns.add(sales_return, seq)
    queue_card_refunds(sales_return, uow)
    return sales_return


def draft_return(
    command: RecordReturn, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> Return:
    """The return `command` asks for, priced and checked but not recorded, and without a
    receipt number; its refund tenders planned against what earlier returns of the same
    receipt paid back to each of its tenders. Raises SaleNotFound, UnknownSku, InvalidReturn,
    InvalidQuantity, ReturnExceedsSale, RefundTenderRefused."""
    original = _original(command, uow)
    items = command.items if original is not None else _priced(command.items, uow)
    now = clock.now()
    business_time = identity.local_time(now)
    event = make_return(
        return_id=command.return_id or new_id(),
        receipt_number="",
        till_id=command.till_id,
        business_time=business_time,
        business_day=business_time.date(),
        currency=identity.currency,
        reason=command.reason,
        items=items,
        original=original,
        already_returned=(uow.sales.returned_quantities(original.sale_id) if original else {}),
        refund=command.refund,
        refunded_so_far=(
            refunded_by_tender(original.tenders, uow.returns.against(original.sale_id))
            if original is not None
            else None
        ),
        customer_id=command.customer_id,
        external_reference=command.external_reference,
    )
    return with_card_answers(event.sales_return, command.card_answers)


def _same_request(existing: Return, command: RecordReturn) -> bool:
    """Whether a return id seen before was sent for the same goods (a retry), not new ones."""
    return (
        existing.till_id == command.till_id
        and [(line.sku, line.quantity) for line in existing.lines]
        == [(item.sku, item.quantity) for item in command.items]
        and (
            command.original_sale_id is None
            or existing.original_sale_id == command.original_sale_id
        )
    )


def _original(command: RecordReturn, uow: EdgeUnitOfWork) -> Sale | None:
    if command.original_sale_id is not None:
        sale = uow.sales.get(command.original_sale_id)
        if sale is None:
            raise SaleNotFound(str(command.original_sale_id))
        return sale
    if command.original_receipt_number is not None:
        sale = uow.sales.by_receipt(command.original_receipt_number)
        if sale is None:
            raise SaleNotFound(command.original_receipt_number)
        return sale
    return None


def _priced(items: list[ReturnItem], uow: EdgeUnitOfWork) -> list[ReturnItem]:
    """Fill description, price and price version of unreferenced return lines from the catalogue."""
    priced = []
    for item in items:
        catalogue_item = uow.catalogue.priced_item(item.sku)
        if catalogue_item is None:
            raise UnknownSku(item.sku)
        priced.append(
            ReturnItem(
                sku=item.sku,
                quantity=item.quantity,
                unit_price=item.unit_price
                if item.unit_price is not None
                else catalogue_item.unit_price,
                description=catalogue_item.description,
                price_version=catalogue_item.price_version,
                tax=catalogue_item.tax,
                unit=catalogue_item.unit,
            )
        )
    return priced


def get_return(return_id: UUID, uow: EdgeUnitOfWork) -> Return:
    """A return of this node. Raises ReturnNotFound."""
    sales_return = uow.returns.get(return_id)
    if sales_return is None:
        raise ReturnNotFound(str(return_id))
    return sales_return


def take_back(
    command: RecordReturn,
    acting: Acting,
    override: OverrideRequest | None,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    clock: Clock,
) -> tuple[Return, bool]:
    """A return at the till of the signed-in `acting`: `record_return`, and one without a
    receipt needs Permission.RETURN_WITHOUT_RECEIPT (a supervisor, or `override`), and its
    refund as store credit Permission.ISSUE_STORE_CREDIT too (a cashier issues store credit
    on a receipted return only). Raises what those two raise
    (edge.service.staff.authorize)."""
    if command.original_sale_id is None and command.original_receipt_number is None:
        authorize(uow, acting, Permission.RETURN_WITHOUT_RECEIPT, override, identity=identity)
        authorize_store_credit(command.refund, acting, override, uow, identity=identity)
    return record_return(command, uow, identity=identity, clock=clock)


def authorize_store_credit(
    refund: RefundChoice | None,
    acting: Acting,
    override: OverrideRequest | None,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
) -> None:
    """A refund without a receipt paid as store credit needs Permission.ISSUE_STORE_CREDIT
    (a supervisor or manager, or `override`); cash needs nothing more. Raises what
    edge.service.staff.authorize raises."""
    if refund is not None and refund.kind == "store_credit":
        authorize(uow, acting, Permission.ISSUE_STORE_CREDIT, override, identity=identity)
