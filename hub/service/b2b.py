"""B2B order approvals at the hub: a till submits a trade customer's order, HQ approves its cart
and then its payment, the hub places it, a till hands it over; the store's feed carries each
step (entity `b2b_approval`).

The till's steps arrive as events: `b2b.cart_submitted` (recorded here, pending HQ), then
`b2b.payment_composed` once the feed said the cart was approved, and finally the handover, a
`sale.completed` of version 3 naming the order. HQ's steps are decisions through the order's
durable approval workflow (reached through ports.ApprovalWorkflows), whose activities write
here. Every change is one transaction: the order row (next version) and its feed entry.

What a till sends that does not fit the order's state (a payment for an order that expired, a
payment that does not add up to the approved cart) is quarantined with its reason, never
applied half-way. A handover sale is never refused (the goods have left): when it does not
match the placed order it is recorded with a `b2b_problem` exception.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.b2b import (
    B2BDecision,
    B2BOrderChanges,
    B2BOrderRecord,
    B2BStatus,
    B2BStep,
    NewB2BOrder,
    Phase,
    PlaceB2BOrder,
    RecordB2BStep,
    can_take,
    check_decision,
    decided_phase,
    record_step,
    take,
)
from hub.domain.feed import FeedEntry
from hub.domain.ledger import LedgerDocument
from hub.domain.sale_exceptions import SaleException
from hub.errors import B2BOrderNotFound, WorkflowsUnavailable
from hub.service.ports import ApprovalWorkflows
from shared.money import Money, to_minor
from sync import messages
from sync.messages import (
    B2BApprovalV1,
    B2BCartSubmitted,
    B2BLineV1,
    B2BPaymentComposed,
    B2BTenderPlanV1,
)

log = logging.getLogger(__name__)


def new_order(event: B2BCartSubmitted, received_at: datetime) -> NewB2BOrder:
    """The order an uploaded `b2b.cart_submitted` makes. Raises SharedError (currency, amount)."""
    cart = event.payload
    return NewB2BOrder(
        order_id=cart.order_id,
        store_id=event.store_id,
        node_id=event.node_id,
        event_id=event.event_id,
        till_id=cart.till_id,
        customer_id=cart.customer_id,
        submitted_by=cart.submitted_by,
        reference=cart.reference,
        currency=cart.currency,
        total_minor=to_minor(cart.total, cart.currency),
        lines=[line.model_dump(mode="json") for line in cart.lines],
        business_time=cart.business_time,
        received_at=received_at,
    )


async def record_cart(order: NewB2BOrder, tx: HubTransaction) -> str | None:
    """Record a submitted cart and publish it to its store's feed, in the caller's
    transaction. Returns why it cannot be recorded (its id is taken, another currency), or
    None."""
    if await tx.b2b_orders.get(order.order_id) is not None:
        return f"B2B order {order.order_id} is already recorded"
    store = await tx.stores.get(order.store_id)
    if store is not None and store.currency != order.currency:
        return f"order in {order.currency}, but {store.store_id} trades in {store.currency}"
    stored = await tx.b2b_orders.add(order)
    tx.publish(_feed_entry(stored, order.received_at))
    return None


async def record_payment(
    event: B2BPaymentComposed, tx: HubTransaction, now: datetime
) -> str | None:
    """Record the payment a till composed for an approved cart, in the caller's transaction.
    Returns why it cannot be recorded (unknown order, not awaiting a payment, tenders that do
    not add up to the approved total), or None. Raises SharedError (an amount the currency
    cannot hold)."""
    payment = event.payload
    orders = tx.b2b_orders
    row = await orders.get(payment.order_id, lock=True)
    if row is None or row.store_id != event.store_id:
        return f"B2B order {payment.order_id} is not known to the hub"
    if not can_take(row.status, B2BStep.PAYMENT_COMPOSED):
        return f"B2B order {payment.order_id} is {row.status}, not awaiting a payment"
    composed = sum(to_minor(tender.amount, row.currency) for tender in payment.tenders)
    if composed != row.total_minor:
        approved = Money.from_minor(row.total_minor, row.currency).amount
        return f"payment of {payment.total} for B2B order {payment.order_id} approved at {approved}"
    changed = await orders.change(
        payment.order_id,
        status=take(row.status, B2BStep.PAYMENT_COMPOSED),
        tenders=[tender.model_dump(mode="json") for tender in payment.tenders],
        composed_by=payment.composed_by,
        composed_at=now,
        signal_pending=B2BStep.PAYMENT_COMPOSED,
    )
    tx.publish(_feed_entry(changed, now))
    return None


async def settle_orders(
    documents: Iterable[LedgerDocument], tx: HubTransaction, now: datetime
) -> list[SaleException]:
    """Close the placed orders that sales of `documents` handed over; the exceptions of those
    that name an order not placed (unknown, still in approval, ended, or handed over already)
    or charge it otherwise than HQ approved. In the caller's transaction."""
    orders = tx.b2b_orders
    problems: list[SaleException] = []
    for document in documents:
        order_id = document.b2b_order_id
        if order_id is None:
            continue
        row = await orders.get(order_id, lock=True)

        def problem(detail: str, document: LedgerDocument = document) -> None:
            problems.append(
                SaleException(document.document_id, document.store_id, "b2b_problem", None, detail)
            )

        if row is None or row.store_id != document.store_id:
            problem(f"sale names B2B order {order_id}, which the hub does not know")
            continue
        if not can_take(row.status, B2BStep.FULFILLED):
            made = f" by sale {row.fulfilled_sale_id}" if row.status == B2BStatus.FULFILLED else ""
            problem(f"B2B order {order_id} was {row.status}{made}, not placed")
            continue
        approved = _tender_split(_tenders(row), row.currency)
        charged: dict[str, int] = {}
        for tender in document.tenders:
            charged[tender.kind] = charged.get(tender.kind, 0) + tender.amount_minor
        if document.total_minor != row.total_minor or charged != approved:
            problem(
                f"B2B order {order_id} was approved for {_describe(approved, row.currency)}, "
                f"the sale charged {_describe(charged, row.currency)}"
            )
        changed = await orders.change(
            order_id,
            status=take(row.status, B2BStep.FULFILLED),
            fulfilled_sale_id=document.document_id,
            fulfilled_at=now,
            signal_pending=B2BStep.FULFILLED,
        )
        tx.publish(_feed_entry(changed, now))
    return problems


async def record_status(command: RecordB2BStep, uow: HubUnitOfWork) -> str:
    """Write one of the workflow's steps (hub.domain.b2b.WORKFLOW_STEPS) with its feed entry;
    returns the order's status after it. Idempotent: an order that has moved on is left alone.
    A rejected payment returns the order to cart_approved. Raises B2BOrderNotFound,
    StatusChangeRefused (a step the workflow does not record this way)."""
    now = uow.now()
    order_id = command.order_id
    async with uow.write() as tx:
        orders = tx.b2b_orders
        row = await orders.get(order_id, lock=True)
        if row is None:
            raise B2BOrderNotFound(order_id)
        step = command.status
        transition = record_step(row.status, step)
        if not transition.changed:
            return row.status.value
        values: B2BOrderChanges = {"status": transition.status, "notes": command.notes}
        phase = decided_phase(step)
        if phase == "cart":
            values.update({"cart_decided_by": command.decided_by, "cart_decided_at": now})
        elif phase == "payment":
            values.update({"payment_decided_by": command.decided_by, "payment_decided_at": now})
        if step == B2BStep.PAYMENT_REJECTED:
            values.update(
                {
                    "tenders": None,
                    "composed_by": None,
                    "composed_at": None,
                    "payment_rejections": row.payment_rejections + 1,
                }
            )
        changed = await orders.change(order_id, **values)
        tx.publish(_feed_entry(changed, now))
    return changed.status.value


async def place(command: PlaceB2BOrder, uow: HubUnitOfWork) -> str:
    """Place an order whose payment HQ approved: `placed` with the store's next order number,
    or `blocked` when the catalogue price of a line changed since the till priced it (the
    platform's stale-approval pricing gate: the approval was for other prices). Returns the
    status; an order that has moved on is left alone. Raises B2BOrderNotFound."""
    now = uow.now()
    order_id = command.order_id
    async with uow.write() as tx:
        orders = tx.b2b_orders
        row = await orders.get(order_id, lock=True)
        if row is None:
            raise B2BOrderNotFound(order_id)
        if not can_take(row.status, B2BStep.PLACED):
            return row.status.value
        lines = _lines(row)
        current = await tx.catalogue.prices(sorted({line.sku for line in lines}), "default")
        drifted = [
            f"{line.sku} {line.unit_price} (version {line.price_version}) is now "
            f"{current[line.sku].unit_price} (version {current[line.sku].version})"
            for line in lines
            if line.price_version is not None
            and line.sku in current
            and current[line.sku].version > line.price_version
            and current[line.sku].unit_price != line.unit_price
        ]
        if drifted:
            changed = await orders.change(
                order_id,
                status=take(row.status, B2BStep.BLOCKED),
                notes="prices changed since the cart was approved: " + "; ".join(drifted),
            )
        else:
            number = await orders.next_order_number(row.store_id)
            changed = await orders.change(
                order_id,
                status=take(row.status, B2BStep.PLACED),
                order_number=f"{row.store_id}-B{number:05d}",
                placed_at=now,
            )
        tx.publish(_feed_entry(changed, now))
    return changed.status.value


@dataclass(frozen=True, slots=True)
class DecideB2B:
    """HQ's decision on an order's cart or payment (`phase`): `approver` names the person
    deciding."""

    order_id: UUID
    phase: Phase
    approved: bool
    approver: str
    notes: str | None = None


async def decide(
    command: DecideB2B, uow: HubUnitOfWork, workflows: ApprovalWorkflows | None
) -> B2BApprovalV1:
    """HQ decides an order's cart or payment through its workflow; returns the order after
    the decision (an approved payment: placed or blocked).

    Raises B2BOrderNotFound, B2BNotAwaitingDecision, SelfApproval (the approver submitted the
    cart or composed the payment), WorkflowsUnavailable.
    """
    order_id, phase, approver = command.order_id, command.phase, command.approver
    row = await _get(order_id, uow)
    check_decision(order_id, row.status, phase, approver, row.submitted_by, row.composed_by)
    if workflows is None:
        raise WorkflowsUnavailable("B2B approvals need the hub's workflow service")
    await workflows.start_b2b_approval(str(row.order_id), row.store_id, row.submitted_by)
    await workflows.decide_b2b(
        str(order_id), B2BDecision(phase, command.approved, approver, command.notes)
    )
    return approval_payload(await _get(order_id, uow))


async def start_workflows(uow: HubUnitOfWork, workflows: ApprovalWorkflows) -> int:
    """Start the workflow of every submitted order that has none yet (idempotent: one
    workflow id per order). Returns how many. Raises WorkflowsUnavailable."""
    started = 0
    while True:
        async with uow.read() as tx:
            rows = await tx.b2b_orders.unstarted(100)
        if not rows:
            return started
        for row in rows:
            await workflows.start_b2b_approval(str(row.order_id), row.store_id, row.submitted_by)
        async with uow.write() as tx:
            await tx.b2b_orders.mark_started([row.order_id for row in rows], uow.now())
        started += len(rows)


async def deliver_signals(uow: HubUnitOfWork, workflows: ApprovalWorkflows) -> int:
    """Tell running workflows of the tills' steps ingest recorded (a composed payment, a
    handover) that they have not heard of yet. Returns how many were told. Raises
    WorkflowsUnavailable."""
    told = 0
    while True:
        async with uow.read() as tx:
            rows = await tx.b2b_orders.unsignalled(100)
        if not rows:
            return told
        for row in rows:
            signal = row.signal_pending
            assert signal is not None  # unsignalled() reads only orders with one
            if signal == B2BStep.PAYMENT_COMPOSED:
                await workflows.signal_payment_composed(
                    str(row.order_id), row.payment_rejections, str(row.composed_by)
                )
            else:
                await workflows.signal_fulfilled(str(row.order_id))
            async with uow.write() as tx:
                await tx.b2b_orders.clear_signal(row.order_id, signal)
        told += len(rows)


async def after_ingest(
    submitted: bool, stepped: bool, uow: HubUnitOfWork, workflows: ApprovalWorkflows | None
) -> None:
    """Start the workflows of carts submitted in a batch, tell those whose tills took a step;
    best effort: the sweeper does what this misses."""
    if workflows is None or not (submitted or stepped):
        return
    try:
        if submitted:
            await start_workflows(uow, workflows)
        if stepped:
            await deliver_signals(uow, workflows)
    except Exception as error:  # the batch is committed: never fail its answer for this
        log.warning("B2B workflows not told of this batch (the sweeper will): %s", error)


@dataclass(frozen=True, slots=True)
class B2BPage:
    orders: list[tuple[B2BApprovalV1, str]]  # each with its store id
    next_after: UUID | None


async def list_orders(
    *,
    status: messages.B2BStatus | None,
    store_id: str | None,
    after: UUID | None,
    limit: int,
    uow: HubUnitOfWork,
) -> B2BPage:
    """HQ's inbox: orders by id, filtered by status and store; keyset pages."""
    wanted = None if status is None else B2BStatus(status)
    async with uow.read() as tx:
        rows = await tx.b2b_orders.page(
            status=wanted, store_id=store_id, after=after, limit=limit + 1
        )
    page = [(approval_payload(row), row.store_id) for row in rows[:limit]]
    return B2BPage(page, page[-1][0].order_id if len(rows) > limit else None)


async def get_order(order_id: UUID, uow: HubUnitOfWork) -> tuple[B2BApprovalV1, str]:
    """The order and its store. Raises B2BOrderNotFound."""
    row = await _get(order_id, uow)
    return approval_payload(row), row.store_id


async def awaiting_count(uow: HubUnitOfWork) -> int:
    async with uow.read() as tx:
        return await tx.b2b_orders.count_awaiting_hq()


async def _get(order_id: UUID, uow: HubUnitOfWork) -> B2BOrderRecord:
    async with uow.read() as tx:
        row = await tx.b2b_orders.get(order_id)
    if row is None:
        raise B2BOrderNotFound(order_id)
    return row


def _lines(row: B2BOrderRecord) -> list[B2BLineV1]:
    return [B2BLineV1.model_validate(line) for line in row.lines]


def _tenders(row: B2BOrderRecord) -> list[B2BTenderPlanV1]:
    return [B2BTenderPlanV1.model_validate(tender) for tender in row.tenders or ()]


def _tender_split(tenders: Iterable[B2BTenderPlanV1], currency: str) -> dict[str, int]:
    split: dict[str, int] = {}
    for tender in tenders:
        split[tender.kind] = split.get(tender.kind, 0) + to_minor(tender.amount, currency)
    return split


def _describe(split: dict[str, int], currency: str) -> str:
    parts = [
        f"{Money.from_minor(minor, currency).amount} {kind}"
        for kind, minor in sorted(split.items())
    ]
    return " + ".join(parts) or str(Decimal(0))


def approval_payload(row: B2BOrderRecord) -> B2BApprovalV1:
    """The order as its store's feed carries it (entity `b2b_approval`)."""
    return B2BApprovalV1(
        order_id=row.order_id,
        status=row.status,
        till_id=row.till_id,
        customer_id=row.customer_id,
        submitted_by=row.submitted_by,
        reference=row.reference,
        currency=row.currency,
        total=Money.from_minor(row.total_minor, row.currency).amount,
        lines=_lines(row),
        business_time=row.business_time,
        cart_decided_by=row.cart_decided_by,
        cart_decided_at=row.cart_decided_at,
        tenders=_tenders(row),
        composed_by=row.composed_by,
        payment_decided_by=row.payment_decided_by,
        payment_decided_at=row.payment_decided_at,
        payment_rejections=row.payment_rejections,
        notes=row.notes,
        order_number=row.order_number,
        fulfilled_sale_id=row.fulfilled_sale_id,
    )


def _feed_entry(row: B2BOrderRecord, now: datetime) -> FeedEntry:
    return FeedEntry(
        store_id=row.store_id,
        entity="b2b_approval",
        entity_key=str(row.order_id),
        version=row.version,
        payload=approval_payload(row).model_dump(mode="json"),
        created_at=now,
    )
