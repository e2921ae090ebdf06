"""Refund approval, durable on Temporal: one workflow per refund a till asked HQ to approve.

Phases (after the platform's refund approval: staff submits, an approver decides, self-approval
is blocked, decisions are recorded idempotently; see docs/refund-approvals.md):

1. pending: wait up to `decide_within_s` for HQ's decision (the `decide` update). No decision
   in time: `expired`.
2. approved: wait up to `valid_for_s` for a till to make the refund (the `executed` signal,
   sent when the hub ingests the return that names the request). Not made in time: `lapsed`.
   `rejected`, `expired`, `executed` and `lapsed` end the workflow.

Every status change is written by the `record_refund_decision` activity, which changes the
hub's row and publishes it to the store's feed in one transaction, and does nothing if the row
has moved on (a till's refund that landed first wins over a lapse). The activity retries
without limit: a database outage delays a decision, never loses it. Timers live in Temporal, so
a hub restarted mid-wait resumes them.

This module is loaded into Temporal's workflow sandbox: it imports only the standard library
and temporalio, and names its activity by string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

RECORD_DECISION = "record_refund_decision"

# A database outage only delays a decision: retry for ever, backing off to once a minute.
_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
)


def workflow_id(request_id: str) -> str:
    return f"refund-approval-{request_id}"


@dataclass(frozen=True)
class RefundApprovalInput:
    request_id: str
    store_id: str
    requested_by: str
    decide_within_s: int
    valid_for_s: int


@dataclass(frozen=True)
class RefundDecision:
    approved: bool
    decided_by: str
    notes: str | None = None


@dataclass(frozen=True)
class DecisionRecord:
    """What the activity writes: `status` is approved, rejected, expired or lapsed."""

    request_id: str
    status: str
    decided_by: str | None = None
    notes: str | None = None


@workflow.defn(name="RefundApproval")
class RefundApprovalWorkflow:
    @workflow.init
    def __init__(self, request: RefundApprovalInput) -> None:
        self._request = request
        self._decision: RefundDecision | None = None
        self._status = "pending"
        self._executed = False

    @workflow.run
    async def run(self, request: RefundApprovalInput) -> str:
        try:
            await workflow.wait_condition(
                lambda: self._decision is not None,
                timeout=timedelta(seconds=request.decide_within_s),
            )
        except TimeoutError:
            self._decision = RefundDecision(False, "", None)  # closes the door to `decide`
            self._status = await self._record(
                DecisionRecord(request.request_id, "expired", None, "no decision in time")
            )
            return self._status
        decision = self._decision
        assert decision is not None
        self._status = await self._record(
            DecisionRecord(
                request.request_id,
                "approved" if decision.approved else "rejected",
                decision.decided_by,
                decision.notes,
            )
        )
        if self._status != "approved":
            return self._status
        try:
            await workflow.wait_condition(
                lambda: self._executed, timeout=timedelta(seconds=request.valid_for_s)
            )
        except TimeoutError:
            self._status = await self._record(
                DecisionRecord(request.request_id, "lapsed", None, "not refunded in time")
            )
            return self._status
        self._status = "executed"
        return self._status

    async def _record(self, record: DecisionRecord) -> str:
        status: str = await workflow.execute_activity(
            RECORD_DECISION,
            record,
            result_type=str,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=_RETRY,
        )
        return status

    @workflow.update
    async def decide(self, decision: RefundDecision) -> str:
        """HQ's decision; returns the status recorded (approved or rejected)."""
        self._decision = decision
        await workflow.wait_condition(lambda: self._status != "pending")
        return self._status

    @decide.validator
    def _check_decision(self, decision: RefundDecision) -> None:
        if self._decision is not None or self._status != "pending":
            raise ApplicationError(
                f"refund request {self._request.request_id} is {self._status}",
                type="AlreadyDecided",
            )
        if decision.decided_by == self._request.requested_by:
            raise ApplicationError(
                f"{decision.decided_by} asked for this refund", type="SelfApproval"
            )

    @workflow.signal
    def executed(self) -> None:
        """A till made the approved refund (the hub ingested its return and closed the
        request). Before approval the hub closes nothing, so the signal means nothing then."""
        if self._status == "approved":
            self._executed = True

    @workflow.query
    def status(self) -> str:
        return self._status
