"""B2B order approval, durable on Temporal: one workflow per order a till submitted.

The four phases of the platform's B2B approval (cart submitted -> cart approved -> payment
composed -> payment approved -> place order; see docs/b2b-approvals.md), with the store's till
doing the buyer's part:

1. cart_submitted: wait up to `decide_within_s` for HQ's decision on the cart (the `decide`
   update, phase "cart"). None in time: `expired`. Rejected: `cart_rejected` (final).
2. cart_approved: wait up to `valid_for_s` for the till to compose the payment (the
   `payment_composed` signal, sent once ingest recorded it). None in time: `lapsed`.
3. payment_composed: wait up to `decide_within_s` for HQ's decision on the payment (phase
   "payment"). Rejected: back to cart_approved, for the till to compose another payment.
4. payment_approved: place the order (`place_b2b_order`): `placed` with an order number, or
   `blocked` when a price changed since the cart was approved (the platform's stale-approval
   pricing gate). Then wait up to `valid_for_s` for the till to hand it over (`fulfilled`
   signal); not in time: `lapsed`.

Every change is written by an activity (`activities.B2BActivities`, whose inputs are
hub.domain.b2b's RecordB2BStep and PlaceB2BOrder) that changes the hub's row and publishes it
to the store's feed in one transaction, and does nothing if the row has moved on; it returns
the row's status, which drives the next phase. So a till's step that ingest recorded before
the workflow heard of it (a signal lost to an outage) is found when the timer fires, never
overwritten. Activities retry without limit; timers live in Temporal and survive
restarts. Self-approval is refused up front by the update's validator. The statuses and the
steps between them are hub.domain.b2b's.

This module is loaded into Temporal's workflow sandbox: it imports only the standard library,
temporalio and the pure hub.domain.b2b, and names its activities by string (the activity
module imports the hub's services and database).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

from hub.domain.b2b import (
    FINAL,
    START,
    B2BDecision,
    B2BStatus,
    B2BStep,
    Phase,
    PlaceB2BOrder,
    RecordB2BStep,
    awaiting,
    check_decision,
    take,
)
from hub.errors import B2BNotAwaitingDecision, SelfApproval

RECORD_STATUS = "record_b2b_status"
PLACE_ORDER = "place_b2b_order"

# Error types raised by the workflow: the `decide` update's validator (the client maps them to
# hub errors), and a status the workflow has no phase for (it fails the workflow).
NOT_AWAITING_DECISION = "NotAwaitingDecision"
SELF_APPROVAL = "SelfApproval"
UNKNOWN_STATUS = "UnknownStatus"

# One attempt is one short transaction on the hub's database.
ACTIVITY_TIMEOUT = timedelta(seconds=30)
# A database outage only delays a step: retry for ever, backing off to once a minute.
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=0,  # unlimited
)


def workflow_id(order_id: str) -> str:
    """The one workflow id of an order, never reused."""
    return f"b2b-approval-{order_id}"


@dataclass(frozen=True)
class B2BApprovalInput:
    """The workflow's input; durations in seconds."""

    order_id: str
    store_id: str
    submitted_by: str
    decide_within_s: int
    valid_for_s: int


@dataclass(frozen=True)
class PaymentComposed:
    """The `payment_composed` signal. `attempt`: payments rejected before this one, so that a
    late repeat of an earlier signal cannot pass for a new composition."""

    attempt: int
    composed_by: str


@workflow.defn(name="B2BOrderApproval")
class B2BApprovalWorkflow:
    @workflow.init
    def __init__(self, order: B2BApprovalInput) -> None:
        self._order = order
        self._status = START
        self._awaiting: Phase | None = None  # the phase HQ may decide now
        self._decision: B2BDecision | None = None
        self._attempt = 0  # payment compositions rejected so far
        self._composers: dict[int, str] = {}  # attempt -> who composed that payment
        self._fulfilled = False

    @workflow.run
    async def run(self, order: B2BApprovalInput) -> str:
        """Returns the final status: cart_rejected, blocked, fulfilled, expired or lapsed."""
        decide_within = timedelta(seconds=order.decide_within_s)
        valid_for = timedelta(seconds=order.valid_for_s)
        status = self._status
        while status not in FINAL:
            phase = awaiting(status)
            if phase is not None:
                decision = await self._await_decision(phase, decide_within)
                if decision is None:
                    status = await self._record(
                        B2BStep.EXPIRED, None, f"HQ did not decide the {phase}"
                    )
                else:
                    status = await self._record(decision.step, decision.decided_by, decision.notes)
            elif status == B2BStatus.CART_APPROVED:
                if await self._wait(lambda: self._attempt in self._composers, valid_for):
                    # ingest recorded it before signalling
                    status = take(status, B2BStep.PAYMENT_COMPOSED)
                else:
                    status = await self._record(B2BStep.LAPSED, None, "no payment composed in time")
            elif status == B2BStatus.PAYMENT_APPROVED:
                placed: str = await workflow.execute_activity(
                    PLACE_ORDER,
                    PlaceB2BOrder(UUID(order.order_id)),
                    result_type=str,
                    start_to_close_timeout=ACTIVITY_TIMEOUT,
                    retry_policy=ACTIVITY_RETRY,
                )
                status = self._status_of(placed)
            elif status == B2BStatus.PLACED:
                if await self._wait(lambda: self._fulfilled, valid_for):
                    status = take(status, B2BStep.FULFILLED)  # ingest closed it before signalling
                else:
                    status = await self._record(B2BStep.LAPSED, None, "not handed over in time")
            else:
                raise ApplicationError(
                    f"order {order.order_id} is in status {status}, which has no phase",
                    type=UNKNOWN_STATUS,
                    non_retryable=True,
                )
            if self._status == B2BStatus.PAYMENT_COMPOSED and status == B2BStatus.CART_APPROVED:
                self._attempt += 1  # HQ rejected the payment
            self._status = status
        return self._status

    async def _await_decision(self, phase: Phase, within: timedelta) -> B2BDecision | None:
        self._awaiting, self._decision = phase, None
        decided = await self._wait(lambda: self._decision is not None, within)
        self._awaiting = None  # closes the door to `decide` until the next phase
        return self._decision if decided else None

    @staticmethod
    async def _wait(condition: Callable[[], bool], within: timedelta) -> bool:
        try:
            await workflow.wait_condition(condition, timeout=within)
        except TimeoutError:
            return False
        return True

    async def _record(self, step: B2BStep, decided_by: str | None, notes: str | None) -> B2BStatus:
        recorded: str = await workflow.execute_activity(
            RECORD_STATUS,
            RecordB2BStep(UUID(self._order.order_id), step, decided_by, notes),
            result_type=str,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        return self._status_of(recorded)

    def _status_of(self, text: str) -> B2BStatus:
        try:
            return B2BStatus(text)
        except ValueError:
            raise ApplicationError(
                f"order {self._order.order_id} is in unknown status {text}",
                type=UNKNOWN_STATUS,
                non_retryable=True,
            ) from None

    @workflow.update
    async def decide(self, decision: B2BDecision) -> str:
        """HQ's decision on the cart or the payment; returns the status it led to (for an
        approved payment, once the order is placed or blocked)."""
        before = self._status
        self._decision = decision
        await workflow.wait_condition(
            lambda: self._status not in (before, B2BStatus.PAYMENT_APPROVED)
        )
        return self._status

    @decide.validator
    def _check_decision(self, decision: B2BDecision) -> None:
        """Refuses, before anything is recorded: NOT_AWAITING_DECISION, SELF_APPROVAL."""
        order = self._order
        try:
            if self._awaiting is None or self._decision is not None:
                # between phases, or a decision taken and being recorded
                raise B2BNotAwaitingDecision(UUID(order.order_id), self._status, decision.phase)
            check_decision(
                UUID(order.order_id),
                self._status,
                decision.phase,
                decision.decided_by,
                order.submitted_by,
                self._composers.get(self._attempt),
            )
        except B2BNotAwaitingDecision as error:
            raise ApplicationError(str(error), type=NOT_AWAITING_DECISION) from None
        except SelfApproval as error:
            raise ApplicationError(str(error), type=SELF_APPROVAL) from None

    @workflow.signal
    def payment_composed(self, composed: PaymentComposed) -> None:
        """The till composed the payment (ingest recorded it). Kept by attempt, so it counts
        even if it overtakes the workflow's own record of the cart's approval."""
        self._composers.setdefault(composed.attempt, composed.composed_by)

    @workflow.signal
    def fulfilled(self) -> None:
        """A till handed the placed order over (ingest closed the order with its sale)."""
        self._fulfilled = True

    @workflow.query
    def status(self) -> str:
        return self._status
