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

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters.database import HubDatabase
from hub.adapters.repository import FeedRepository, RefundRepository, StoreRepository
from hub.domain.exceptions import SaleException
from hub.domain.ledger import LedgerDocument
from hub.domain.refunds import RefundDecision, can_move, check_decision, record_outcome
from hub.domain.refunds import RefundStatus as RequestStatus
from hub.errors import RefundRequestNotFound, StoreNotFound, WorkflowsUnavailable
from hub.service.ports import ApprovalWorkflows
from hub.service.stores import store_feed_entry
from shared.clock import Clock
from shared.money import Money, to_minor
from sync.messages import RefundDecisionV1, RefundLineV1, RefundRequested, RefundStatus

log = logging.getLogger(__name__)


def request_row(event: RefundRequested, received_at: datetime) -> dict[str, Any]:
    """The `refund_request` row of an uploaded request. Raises SharedError (currency, amount)."""
    request = event.payload
    return {
        "request_id": request.request_id,
        "store_id": event.store_id,
        "node_id": event.node_id,
        "event_id": event.event_id,
        "till_id": request.till_id,
        "requested_by": request.requested_by,
        "reason": request.reason,
        "currency": request.currency,
        "amount_minor": to_minor(request.amount, request.currency),
        "original_sale_id": request.original_sale_id,
        "original_receipt_number": request.original_receipt_number,
        "customer_id": request.customer_id,
        "lines": [line.model_dump(mode="json") for line in request.lines],
        "business_time": request.business_time,
        "received_at": received_at,
        "status": "pending",
        "version": 1,
    }


async def record_request(row: dict[str, Any], connection: AsyncConnection) -> str | None:
    """Record a request and publish it (pending) to its store's feed, in the caller's
    transaction. Returns why it cannot be recorded (its id is taken), or None."""
    repository = RefundRepository(connection)
    if await repository.get(row["request_id"]) is not None:
        return f"refund request {row['request_id']} is already recorded"
    store = await StoreRepository(connection).get(row["store_id"])
    if store is not None and store.currency != row["currency"]:
        return f"refund asked in {row['currency']}, but {store.store_id} trades in {store.currency}"
    stored = await repository.add(row)
    await FeedRepository(connection).append([_feed_entry(stored, row["received_at"])])
    return None


async def settle_refunds(
    documents: Iterable[LedgerDocument], connection: AsyncConnection, now: datetime
) -> list[SaleException]:
    """Close the approved requests that returns of `documents` made; the exceptions of those
    that name a request not approved (unknown, pending, rejected, expired, lapsed, or made
    already) or refund more than was approved. In the caller's transaction."""
    repository = RefundRepository(connection)
    feed = FeedRepository(connection)
    problems: list[SaleException] = []
    for document in documents:
        request_id = document.refund_request_id
        if request_id is None:
            continue
        row = await repository.get(request_id, lock=True)
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
        if not can_move(RequestStatus(row.status), RequestStatus.EXECUTED):
            made = f" by return {row.executed_return_id}" if row.status == "executed" else ""
            problem(f"refund request {request_id} was {row.status}{made}, not approved")
            continue
        if refunded > row.amount_minor:
            approved = Money.from_minor(row.amount_minor, row.currency)
            paid = Money.from_minor(refunded, row.currency)
            problem(
                f"refunded {paid.amount} against refund request {request_id} approved for {approved.amount}"
            )
        changed = await repository.change(
            request_id, status="executed", executed_return_id=document.document_id, executed_at=now
        )
        await feed.append([_feed_entry(changed, now)])
    return problems


async def record_decision(
    request_id: UUID,
    status: str,
    decided_by: str | None,
    notes: str | None,
    db: HubDatabase,
    clock: Clock,
) -> str:
    """Write a decision (approved, rejected, expired) or a lapse, with its feed entry; the
    workflows' one activity. Idempotent: a request that has moved on is left alone, and its
    status returned. Raises RefundRequestNotFound, StatusChangeRefused (`status` is not one
    the workflow records)."""
    now = clock.now()
    async with db.write() as connection:
        repository = RefundRepository(connection)
        row = await repository.get(request_id, lock=True)
        if row is None:
            raise RefundRequestNotFound(request_id)
        transition = record_outcome(RequestStatus(row.status), RequestStatus(status))
        if not transition.changed:
            return str(row.status)
        values: dict[str, Any] = {"status": transition.status.value}
        if transition.status != RequestStatus.LAPSED:
            values.update(decided_by=decided_by, decided_at=now, notes=notes)
        changed = await repository.change(request_id, **values)
        await FeedRepository(connection).append([_feed_entry(changed, now)])
    return status


async def decide(
    request_id: UUID,
    approved: bool,
    notes: str | None,
    approver: str,
    db: HubDatabase,
    workflows: ApprovalWorkflows | None,
) -> RefundDecisionV1:
    """HQ decides a pending request through its workflow; returns the request as decided.

    Raises RefundRequestNotFound, RefundAlreadyDecided, SelfApproval (the approver asked for
    it), WorkflowsUnavailable.
    """
    row = await _get(request_id, db)
    check_decision(request_id, RequestStatus(row.status), row.requested_by, approver)
    if workflows is None:
        raise WorkflowsUnavailable("refund approvals need the hub's workflow service")
    await workflows.start_refund_approval(str(row.request_id), row.store_id, row.requested_by)
    await workflows.decide_refund(str(request_id), RefundDecision(approved, approver, notes))
    return decision_payload(await _get(request_id, db))


async def start_workflows(db: HubDatabase, workflows: ApprovalWorkflows, clock: Clock) -> int:
    """Start the workflow of every pending request that has none yet (starting is idempotent:
    one workflow id per request). Returns how many were started. Raises WorkflowsUnavailable."""
    started = 0
    while True:
        async with db.read() as connection:
            rows = await RefundRepository(connection).unstarted(100)
        if not rows:
            return started
        for row in rows:
            await workflows.start_refund_approval(
                str(row.request_id), row.store_id, row.requested_by
            )
        async with db.write() as connection:
            await RefundRepository(connection).mark_started(
                [row.request_id for row in rows], clock.now()
            )
        started += len(rows)


async def after_ingest(
    requested: bool,
    executed: Sequence[UUID],
    db: HubDatabase,
    workflows: ApprovalWorkflows | None,
    clock: Clock,
) -> None:
    """Start the workflows of new requests (`requested`: the batch held some), tell those of
    refunds made; best effort: the
    sweeper starts what this misses, and a missed `executed` only delays nothing but the
    workflow's end (its lapse finds the request executed and leaves it)."""
    if workflows is None or not (requested or executed):
        return
    try:
        if requested:
            await start_workflows(db, workflows, clock)
        for request_id in executed:
            await workflows.signal_executed(str(request_id))
    except Exception as error:  # the batch is committed: never fail its answer for this
        log.warning("refund workflows not told of this batch (the sweeper will): %s", error)


@dataclass(frozen=True, slots=True)
class RefundPage:
    requests: list[tuple[RefundDecisionV1, str]]  # each with its store id
    next_after: UUID | None


async def list_requests(
    db: HubDatabase,
    *,
    status: RefundStatus | None,
    store_id: str | None,
    after: UUID | None,
    limit: int,
) -> RefundPage:
    """HQ's inbox: requests by id, filtered by status and store; keyset pages."""
    async with db.read() as connection:
        rows = await RefundRepository(connection).page(
            status=status, store_id=store_id, after=after, limit=limit + 1
        )
    page = [(decision_payload(row), str(row.store_id)) for row in rows[:limit]]
    return RefundPage(page, page[-1][0].request_id if len(rows) > limit else None)


async def get_request(request_id: UUID, db: HubDatabase) -> tuple[RefundDecisionV1, str]:
    """The request and its store. Raises RefundRequestNotFound."""
    row = await _get(request_id, db)
    return decision_payload(row), str(row.store_id)


async def set_refund_policy(
    store_id: str, approval_over: Decimal | None, db: HubDatabase, clock: Clock
) -> int:
    """Set the refund above which a store's tills need HQ's approval (None: no limit), and
    publish the store's configuration. Returns its new version. Raises StoreNotFound,
    InvalidAmount (more places than the currency has)."""
    async with db.write() as connection:
        stores = StoreRepository(connection)
        store = await stores.get(store_id)
        if store is None:
            raise StoreNotFound(store_id)
        minor = (
            Money.exact(approval_over, store.currency).minor if approval_over is not None else None
        )
        updated = await stores.set_refund_policy(store_id, minor)
        assert updated is not None  # the row was read in this transaction
        await FeedRepository(connection).append(
            [store_feed_entry(updated, updated.config_version, clock.now())]
        )
    return updated.config_version


async def pending_count(db: HubDatabase) -> int:
    async with db.read() as connection:
        return await RefundRepository(connection).count("pending")


async def _get(request_id: UUID, db: HubDatabase) -> Row[Any]:
    async with db.read() as connection:
        row = await RefundRepository(connection).get(request_id)
    if row is None:
        raise RefundRequestNotFound(request_id)
    return row


def decision_payload(row: Row[Any]) -> RefundDecisionV1:
    lines = row.lines if isinstance(row.lines, list) else json.loads(row.lines)
    return RefundDecisionV1(
        request_id=row.request_id,
        status=row.status,
        till_id=row.till_id,
        requested_by=row.requested_by,
        reason=row.reason,
        currency=row.currency,
        amount=Money.from_minor(int(row.amount_minor), row.currency).amount,
        original_sale_id=row.original_sale_id,
        original_receipt_number=row.original_receipt_number,
        customer_id=row.customer_id,
        lines=[RefundLineV1.model_validate(line) for line in lines],
        business_time=row.business_time,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        notes=row.notes,
        executed_return_id=row.executed_return_id,
    )


def _feed_entry(row: Row[Any], now: datetime) -> dict[str, Any]:
    return {
        "store_id": row.store_id,
        "entity": "refund_decision",
        "entity_key": str(row.request_id),
        "version": int(row.version),
        "op": "upsert",
        "payload": decision_payload(row).model_dump(mode="json"),
        "created_at": now,
    }
