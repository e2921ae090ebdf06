"""Refund approvals at the hub: tills ask, HQ decides, the store's feed carries the outcome.

A till asks for a refund above its store's limit with a `refund.requested` event. Ingest
records the request (pending) and publishes it to the store's feed; a durable workflow (reached
through ports.ApprovalWorkflows) then waits for HQ's decision and, once approved, for a till
to make the refund. Every change of status is one transaction: the request row and its feed
entry (`refund_decision`, with the next version). The till makes an approved refund as a
`return.recorded` of version 3 naming the request; ingest closes the request (`executed`), and
records a `refund_problem` exception (never a refusal: the money has left the drawer) when the
return names a request that is not approved, or refunds more than was approved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.feed import FeedEntry
from hub.domain.ledger import LedgerDocument
from hub.domain.refunds import (
    NewRefundRequest,
    RecordRefundOutcome,
    RefundChanges,
    RefundDecision,
    RefundRequestRecord,
    RefundStatus,
    can_move,
    check_decision,
    move,
    record_outcome,
)
from hub.domain.sale_exceptions import SaleException
from hub.errors import RefundRequestNotFound, StoreNotFound, WorkflowsUnavailable
from hub.service.ports import ApprovalWorkflows
from hub.service.till_limits import minor_of, publish_limits, refunds_beyond_limits
from shared.money import Money, to_minor
from sync import messages
from sync.messages import RefundDecisionV1, RefundLineV1, RefundRequested

log = logging.getLogger(__name__)


def new_request(event: RefundRequested, received_at: datetime) -> NewRefundRequest:
    """The request an uploaded `refund.requested` makes. Raises SharedError (currency, amount)."""
    request = event.payload
    return NewRefundRequest(
        request_id=request.request_id,
        store_id=event.store_id,
        node_id=event.node_id,
        event_id=event.event_id,
        till_id=request.till_id,
        requested_by=request.requested_by,
        reason=request.reason,
        currency=request.currency,
        amount_minor=to_minor(request.amount, request.currency),
        original_sale_id=request.original_sale_id,
        original_receipt_number=request.original_receipt_number,
        customer_id=request.customer_id,
        lines=[line.model_dump(mode="json") for line in request.lines],
        business_time=request.business_time,
        received_at=received_at,
    )


async def record_request(request: NewRefundRequest, tx: HubTransaction) -> str | None:
    """Record a request and publish it (pending) to its store's feed, in the caller's
    transaction. Returns why it cannot be recorded (its id is taken), or None."""
    if await tx.refunds.get(request.request_id) is not None:
        return f"refund request {request.request_id} is already recorded"
    store = await tx.stores.get(request.store_id)
    if store is not None and store.currency != request.currency:
        return (
            f"refund asked in {request.currency}, but {store.store_id} trades in {store.currency}"
        )
    stored = await tx.refunds.add(request)
    tx.publish(_feed_entry(stored, request.received_at))
    return None


async def settle_refunds(
    documents: Iterable[LedgerDocument], tx: HubTransaction, now: datetime
) -> list[SaleException]:
    """Close the approved requests that returns of `documents` made; the exceptions of those
    that name a request not approved (unknown, pending, rejected, expired, lapsed, or made
    already) or refund more than was approved, and of those a till made alone beyond its
    store's till limits (hub.service.till_limits.refunds_beyond_limits). In the caller's
    transaction."""
    problems: list[SaleException] = []
    for document in documents:
        request_id = document.refund_request_id
        if request_id is None:
            continue
        row = await tx.refunds.get(request_id, lock=True)
        refunded = -document.total_minor

        def problem(detail: str, document: LedgerDocument = document) -> None:
            problems.append(
                SaleException(
                    document.document_id, document.store_id, "refund_problem", None, detail
                )
            )

        if row is None or row.store_id != document.store_id:
            problem(f"return names refund request {request_id}, which the hub does not know")
            continue
        if not can_move(row.status, RefundStatus.EXECUTED):
            made = (
                f" by return {row.executed_return_id}"
                if row.status == RefundStatus.EXECUTED
                else ""
            )
            problem(f"refund request {request_id} was {row.status}{made}, not approved")
            continue
        if refunded > row.amount_minor:
            approved = Money.from_minor(row.amount_minor, row.currency)
            paid = Money.from_minor(refunded, row.currency)
            problem(
                f"refunded {paid.amount} against refund request {request_id} approved for {approved.amount}"
            )
        changed = await tx.refunds.change(
            request_id,
            status=move(row.status, RefundStatus.EXECUTED),
            executed_return_id=document.document_id,
            executed_at=now,
        )
        tx.publish(_feed_entry(changed, now))
    return problems + await refunds_beyond_limits(documents, tx)


async def record_decision(command: RecordRefundOutcome, uow: HubUnitOfWork) -> str:
    """Write the workflow's outcome (approved, rejected, expired) or a lapse, with its feed
    entry; the workflow's one activity. Returns the request's status after it. Idempotent: a
    request that has moved on is left alone, and its status returned. Raises
    RefundRequestNotFound, StatusChangeRefused (`command.status` is not one the workflow
    records)."""
    now = uow.now()
    async with uow.write() as tx:
        row = await tx.refunds.get(command.request_id, lock=True)
        if row is None:
            raise RefundRequestNotFound(command.request_id)
        transition = record_outcome(row.status, command.status)
        if not transition.changed:
            return row.status.value
        values: RefundChanges = {"status": transition.status}
        if transition.status != RefundStatus.LAPSED:
            values.update(
                {"decided_by": command.decided_by, "decided_at": now, "notes": command.notes}
            )
        changed = await tx.refunds.change(command.request_id, **values)
        tx.publish(_feed_entry(changed, now))
    return transition.status.value


@dataclass(frozen=True, slots=True)
class DecideRefund:
    """HQ's decision on a pending request: `approver` names the person deciding."""

    request_id: UUID
    approved: bool
    approver: str
    notes: str | None = None


async def decide(
    command: DecideRefund, uow: HubUnitOfWork, workflows: ApprovalWorkflows | None
) -> RefundDecisionV1:
    """HQ decides a pending request through its workflow; returns the request as decided.

    Raises RefundRequestNotFound, RefundAlreadyDecided, SelfApproval (the approver asked for
    it), WorkflowsUnavailable.
    """
    request_id = command.request_id
    row = await _get(request_id, uow)
    check_decision(request_id, row.status, row.requested_by, command.approver)
    if workflows is None:
        raise WorkflowsUnavailable("refund approvals need the hub's workflow service")
    await workflows.start_refund_approval(str(row.request_id), row.store_id, row.requested_by)
    await workflows.decide_refund(
        str(request_id), RefundDecision(command.approved, command.approver, command.notes)
    )
    return decision_payload(await _get(request_id, uow))


async def start_workflows(uow: HubUnitOfWork, workflows: ApprovalWorkflows) -> int:
    """Start the workflow of every pending request that has none yet (starting is idempotent:
    one workflow id per request). Returns how many were started. Raises WorkflowsUnavailable."""
    started = 0
    while True:
        async with uow.read() as tx:
            rows = await tx.refunds.unstarted(100)
        if not rows:
            return started
        for row in rows:
            await workflows.start_refund_approval(
                str(row.request_id), row.store_id, row.requested_by
            )
        async with uow.write() as tx:
            await tx.refunds.mark_started([row.request_id for row in rows], uow.now())
        started += len(rows)


async def after_ingest(
    requested: bool,
    executed: Sequence[UUID],
    uow: HubUnitOfWork,
    workflows: ApprovalWorkflows | None,
) -> None:
    """Start the workflows of new requests (`requested`: the batch held some), tell those of
    refunds made; best effort: the
    sweeper starts what this misses, and a missed `executed` only delays nothing but the
    workflow's end (its lapse finds the request executed and leaves it)."""
    if workflows is None or not (requested or executed):
        return
    try:
        if requested:
            await start_workflows(uow, workflows)
        for request_id in executed:
            await workflows.signal_executed(str(request_id))
    except Exception as error:  # the batch is committed: never fail its answer for this
        log.warning("refund workflows not told of this batch (the sweeper will): %s", error)


@dataclass(frozen=True, slots=True)
class RefundPage:
    requests: list[tuple[RefundDecisionV1, str]]  # each with its store id
    next_after: UUID | None


async def list_requests(
    *,
    status: messages.RefundStatus | None,
    store_id: str | None,
    after: UUID | None,
    limit: int,
    uow: HubUnitOfWork,
) -> RefundPage:
    """HQ's inbox: requests by id, filtered by status and store; keyset pages."""
    wanted = None if status is None else RefundStatus(status)
    async with uow.read() as tx:
        rows = await tx.refunds.page(status=wanted, store_id=store_id, after=after, limit=limit + 1)
    page = [(decision_payload(row), row.store_id) for row in rows[:limit]]
    return RefundPage(page, page[-1][0].request_id if len(rows) > limit else None)


async def get_request(request_id: UUID, uow: HubUnitOfWork) -> tuple[RefundDecisionV1, str]:
    """The request and its store. Raises RefundRequestNotFound."""
    row = await _get(request_id, uow)
    return decision_payload(row), row.store_id


@dataclass(frozen=True, slots=True)
class SetRefundPolicy:
    """Refunds above `approval_over` (in the store's currency; None: the default limit,
    shared.till_limits) need HQ's approval at the store's tills."""

    store_id: str
    approval_over: Decimal | None


async def set_refund_policy(command: SetRefundPolicy, uow: HubUnitOfWork) -> int:
    """Set the refund above which a store's tills need HQ's approval (its other till limits
    stay), and publish the store's configuration. Returns its new version. Raises
    StoreNotFound, InvalidAmount (negative, or more places than the currency has)."""
    async with uow.write() as tx:
        store = await tx.stores.get(command.store_id)
        if store is None:
            raise StoreNotFound(command.store_id)
        limits = replace(
            store.limits,
            refund_approval_over_minor=minor_of(command.approval_over, store.currency),
        )
        updated = await publish_limits(store.store_id, limits, tx, uow)
    return updated.config_version


async def pending_count(uow: HubUnitOfWork) -> int:
    async with uow.read() as tx:
        return await tx.refunds.count(RefundStatus.PENDING)


async def _get(request_id: UUID, uow: HubUnitOfWork) -> RefundRequestRecord:
    async with uow.read() as tx:
        row = await tx.refunds.get(request_id)
    if row is None:
        raise RefundRequestNotFound(request_id)
    return row


def decision_payload(row: RefundRequestRecord) -> RefundDecisionV1:
    """The request as its store's feed carries it (entity `refund_decision`)."""
    return RefundDecisionV1(
        request_id=row.request_id,
        status=row.status,
        till_id=row.till_id,
        requested_by=row.requested_by,
        reason=row.reason,
        currency=row.currency,
        amount=Money.from_minor(row.amount_minor, row.currency).amount,
        original_sale_id=row.original_sale_id,
        original_receipt_number=row.original_receipt_number,
        customer_id=row.customer_id,
        lines=[RefundLineV1.model_validate(line) for line in row.lines],
        business_time=row.business_time,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        notes=row.notes,
        executed_return_id=row.executed_return_id,
    )


def _feed_entry(row: RefundRequestRecord, now: datetime) -> FeedEntry:
    return FeedEntry(
        store_id=row.store_id,
        entity="refund_decision",
        entity_key=str(row.request_id),
        version=row.version,
        payload=decision_payload(row).model_dump(mode="json"),
        created_at=now,
    )
