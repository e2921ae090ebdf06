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

Every change is written by an activity that changes the hub's row and publishes it to the
store's feed in one transaction, and does nothing if the row has moved on; it returns the
row's status, which drives the next phase. So a till's step that ingest recorded before the
workflow heard of it (a signal lost to an outage) is found when the timer fires, never
overwritten. Activities retry without limit; timers live in Temporal and survive restarts.
Self-approval is refused up front by the update's validator.

This module is loaded into Temporal's workflow sandbox: it imports only the standard library
and temporalio, and names its activities by string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

RECORD_STATUS = "record_b2b_status"
PLACE_ORDER = "place_b2b_order"

_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
)

# The phase whose decision HQ is asked for in each status.
_DECISION_PHASE = {"cart_submitted": "cart", "payment_composed": "payment"}
FINAL = frozenset({"cart_rejected", "blocked", "fulfilled", "expired", "lapsed"})


def workflow_id(order_id: str) -> str:
    return f"b2b-approval-{order_id}"


@dataclass(frozen=True)
class B2BApprovalInput:
    order_id: str
    store_id: str
    submitted_by: str
    decide_within_s: int
    valid_for_s: int


@dataclass(frozen=True)
class B2BDecision:
    phase: str  # "cart" or "payment"
    approved: bool
    decided_by: str
    notes: str | None = None


@dataclass(frozen=True)
class B2BRecord:
    """What RECORD_STATUS writes: cart_approved, cart_rejected, payment_approved,
    payment_rejected (the order returns to cart_approved), expired or lapsed."""

    order_id: str
    status: str
    decided_by: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class PaymentComposed:
    """`attempt`: payments rejected before this one, so that a late repeat of an earlier
    signal cannot pass for a new composition."""

    attempt: int
    composed_by: str


@workflow.defn(name="B2BOrderApproval")
class B2BApprovalWorkflow:
    @workflow.init
    def __init__(self, order: B2BApprovalInput) -> None:
        self._order = order
        self._status = "cart_submitted"
        self._awaiting: str | None = None  # the phase HQ may decide now
        self._decision: B2BDecision | None = None
        self._attempt = 0  # payment compositions rejected so far
        self._composers: dict[int, str] = {}  # attempt -> who composed that payment
        self._fulfilled = False

    @workflow.run
    async def run(self, order: B2BApprovalInput) -> str:
        decide_within = timedelta(seconds=order.decide_within_s)
        valid_for = timedelta(seconds=order.valid_for_s)
        status = self._status
        while status not in FINAL:
            if status in _DECISION_PHASE:
                phase = _DECISION_PHASE[status]
                decision = await self._await_decision(phase, decide_within)
                if decision is None:
                    status = await self._record("expired", None, f"HQ did not decide the {phase}")
                elif phase == "cart":
                    outcome = "cart_approved" if decision.approved else "cart_rejected"
                    status = await self._record(outcome, decision.decided_by, decision.notes)
                else:
                    outcome = "payment_approved" if decision.approved else "payment_rejected"
                    status = await self._record(outcome, decision.decided_by, decision.notes)
            elif status == "cart_approved":
                if await self._wait(lambda: self._attempt in self._composers, valid_for):
                    status = "payment_composed"  # ingest recorded it before signalling
                else:
                    status = await self._record("lapsed", None, "no payment composed in time")
            elif status == "payment_approved":
                status = await workflow.execute_activity(
                    PLACE_ORDER,
                    order.order_id,
                    result_type=str,
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=_RETRY,
                )
            elif status == "placed":
                if await self._wait(lambda: self._fulfilled, valid_for):
                    status = "fulfilled"
                else:
                    status = await self._record("lapsed", None, "not handed over in time")
            else:
                raise ApplicationError(f"order {order.order_id} is in unknown status {status}")
            if self._status == "payment_composed" and status == "cart_approved":
                self._attempt += 1  # HQ rejected the payment
            self._status = status
        return self._status

    async def _await_decision(self, phase: str, within: timedelta) -> B2BDecision | None:
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

    async def _record(self, status: str, decided_by: str | None, notes: str | None) -> str:
        recorded: str = await workflow.execute_activity(
            RECORD_STATUS,
            B2BRecord(self._order.order_id, status, decided_by, notes),
            result_type=str,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=_RETRY,
        )
        return recorded

    @workflow.update
    async def decide(self, decision: B2BDecision) -> str:
        """HQ's decision on the cart or the payment; returns the status it led to (for an
        approved payment, once the order is placed or blocked)."""
        before = self._status
        self._decision = decision
        await workflow.wait_condition(lambda: self._status not in (before, "payment_approved"))
        return self._status

    @decide.validator
    def _check_decision(self, decision: B2BDecision) -> None:
        if self._awaiting != decision.phase or self._decision is not None:
            raise ApplicationError(
                f"order {self._order.order_id} is {self._status}, not awaiting a "
                f"{decision.phase} decision",
                type="NotAwaitingDecision",
            )
        if decision.decided_by == self._order.submitted_by or (
            decision.phase == "payment"
            and decision.decided_by == self._composers.get(self._attempt)
        ):
            raise ApplicationError(
                f"{decision.decided_by} submitted this order or its payment", type="SelfApproval"
            )

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
