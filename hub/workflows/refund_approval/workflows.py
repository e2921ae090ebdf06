"""Refund approval, durable on Temporal: one workflow per refund a till asked HQ to approve.

Phases (after the platform's refund approval: staff submits, an approver decides, self-approval
is blocked, decisions are recorded idempotently; see docs/refund-approvals.md):

1. pending: wait up to `decide_within_s` for HQ's decision (the `decide` update). No decision
   in time: `expired`.
2. approved: wait up to `valid_for_s` for a till to make the refund (the `executed` signal,
   sent when the hub ingests the return that names the request). Not made in time: `lapsed`.
   `rejected`, `expired`, `executed` and `lapsed` end the workflow.

Every status change is written by the `record_refund_decision` activity
(`activities.RefundActivities.record_decision`, whose input is hub.domain.refunds'
RecordRefundOutcome), which changes the hub's row and publishes it to the store's feed in one
transaction, and does nothing if the row has moved on (a till's refund that landed first wins
over a lapse). The activity retries without limit: a database
outage delays a decision, never loses it. Timers live in Temporal, so a hub restarted mid-wait
resumes them. The statuses and the moves between them are hub.domain.refunds'.

This module is loaded into Temporal's workflow sandbox: it imports only the standard library,
temporalio and the pure hub.domain.refunds, and names its activity by string (the activity
module imports the hub's services and database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

from hub.domain.refunds import (
    START,
    RecordRefundOutcome,
    RefundDecision,
    RefundStatus,
    can_move,
    check_decision,
)
from hub.errors import RefundAlreadyDecided, SelfApproval

RECORD_DECISION = "record_refund_decision"

# Error types of the `decide` update's validator (the client maps them to hub errors).
ALREADY_DECIDED = "AlreadyDecided"
SELF_APPROVAL = "SelfApproval"

# One attempt is one short transaction on the hub's database.
ACTIVITY_TIMEOUT = timedelta(seconds=30)
# A database outage only delays a decision: retry for ever, backing off to once a minute.
ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=0,  # unlimited
)


def workflow_id(request_id: str) -> str:
    """The one workflow id of a request, never reused."""
    return f"refund-approval-{request_id}"


@dataclass(frozen=True)
class RefundApprovalInput:
    """The workflow's input; durations in seconds."""

    request_id: str
    store_id: str
    requested_by: str
    decide_within_s: int
    valid_for_s: int


@workflow.defn(name="RefundApproval")
class RefundApprovalWorkflow:
    @workflow.init
    def __init__(self, request: RefundApprovalInput) -> None:
        self._request = request
        self._decision: RefundDecision | None = None
        self._status = START
        self._executed = False

    @workflow.run
    async def run(self, request: RefundApprovalInput) -> str:
        """Returns the final status: rejected, expired, executed or lapsed."""
        try:
            await workflow.wait_condition(
                lambda: self._decision is not None,
                timeout=timedelta(seconds=request.decide_within_s),
            )
        except TimeoutError:
            self._decision = RefundDecision(False, "", None)  # closes the door to `decide`
            self._status = await self._record(RefundStatus.EXPIRED, None, "no decision in time")
            return self._status
        decision = self._decision
        assert decision is not None
        self._status = await self._record(decision.outcome, decision.decided_by, decision.notes)
        if self._status != RefundStatus.APPROVED:
            return self._status
        try:
            await workflow.wait_condition(
                lambda: self._executed, timeout=timedelta(seconds=request.valid_for_s)
            )
        except TimeoutError:
            self._status = await self._record(RefundStatus.LAPSED, None, "not refunded in time")
            return self._status
        self._status = RefundStatus.EXECUTED  # the hub closed the request before signalling
        return self._status

    async def _record(
        self, outcome: RefundStatus, decided_by: str | None, notes: str | None
    ) -> RefundStatus:
        status: str = await workflow.execute_activity(
            RECORD_DECISION,
            RecordRefundOutcome(UUID(self._request.request_id), outcome, decided_by, notes),
            result_type=str,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        return RefundStatus(status)

    @workflow.update
    async def decide(self, decision: RefundDecision) -> str:
        """HQ's decision; returns the status recorded (approved or rejected)."""
        self._decision = decision
        await workflow.wait_condition(lambda: self._status != RefundStatus.PENDING)
        return self._status

    @decide.validator
    def _check_decision(self, decision: RefundDecision) -> None:
        """Refuses, before anything is recorded: ALREADY_DECIDED, SELF_APPROVAL."""
        request = self._request
        if self._decision is not None:  # taken, and being recorded
            raise ApplicationError(
                f"refund request {request.request_id} is being decided", type=ALREADY_DECIDED
            )
        try:
            check_decision(
                UUID(request.request_id), self._status, request.requested_by, decision.decided_by
            )
        except RefundAlreadyDecided as error:
            raise ApplicationError(str(error), type=ALREADY_DECIDED) from None
        except SelfApproval as error:
            raise ApplicationError(str(error), type=SELF_APPROVAL) from None

    @workflow.signal
    def executed(self) -> None:
        """A till made the approved refund (the hub ingested its return and closed the
        request). Before approval the hub closes nothing, so the signal means nothing then."""
        if can_move(self._status, RefundStatus.EXECUTED):
            self._executed = True

    @workflow.query
    def status(self) -> str:
        return self._status
