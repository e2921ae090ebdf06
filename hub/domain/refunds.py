"""A refund request's statuses and the steps between them: the one copy of the rules, used by
the hub's services (hub/service/refunds.py) and by the approval workflow
(hub/workflows/refund_approval/).

             HQ approves                 the hub ingests the return a till made
  pending ──────────────> approved ────────────────────────────────────> executed
     │                        │
     │ HQ rejects             │ not made in time
     ├──────────> rejected    └──────────> lapsed
     │
     │ no decision in time
     └──────────> expired

rejected, expired, executed and lapsed are final. A request as ingest makes it is a
NewRefundRequest, as the hub holds it a RefundRequestRecord (RefundChanges: what one change of
it may set). Pure (the standard library and hub.errors only): Temporal's workflow sandbox loads
this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypedDict
from uuid import UUID

from hub.errors import RefundAlreadyDecided, SelfApproval, StatusChangeRefused


class RefundStatus(StrEnum):
    """Where a refund request stands; the values are the wire's (`sync.messages.RefundStatus`)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    EXECUTED = "executed"
    LAPSED = "lapsed"


# Where every request starts: the till asked, HQ has still to decide.
START = RefundStatus.PENDING

FINAL = frozenset(
    {RefundStatus.REJECTED, RefundStatus.EXPIRED, RefundStatus.EXECUTED, RefundStatus.LAPSED}
)

# The whole state machine: for each status a request can reach, the statuses it may leave.
MOVES: Mapping[RefundStatus, frozenset[RefundStatus]] = MappingProxyType(
    {
        RefundStatus.APPROVED: frozenset({RefundStatus.PENDING}),
        RefundStatus.REJECTED: frozenset({RefundStatus.PENDING}),
        RefundStatus.EXPIRED: frozenset({RefundStatus.PENDING}),
        RefundStatus.EXECUTED: frozenset({RefundStatus.APPROVED}),
        RefundStatus.LAPSED: frozenset({RefundStatus.APPROVED}),
    }
)

# What the approval workflow records; `executed` is ingest's (a till's return arrived).
WORKFLOW_OUTCOMES = frozenset(
    {RefundStatus.APPROVED, RefundStatus.REJECTED, RefundStatus.EXPIRED, RefundStatus.LAPSED}
)


@dataclass(frozen=True)
class RefundDecision:
    """HQ's decision on a request; `decided_by` names the approver."""

    approved: bool
    decided_by: str
    notes: str | None = None

    @property
    def outcome(self) -> RefundStatus:
        """approved or rejected."""
        return RefundStatus.APPROVED if self.approved else RefundStatus.REJECTED


@dataclass(frozen=True, slots=True)
class RecordRefundOutcome:
    """Record the approval workflow's `status` (approved, rejected, expired or lapsed) on a
    request, with who decided (None for a timer's outcome) and their notes.

    The command of hub.service.refunds.record_decision and, as it is, the input of the
    workflow's `record_refund_decision` activity: Temporal's histories store it as JSON
    (`request_id` as text), so its field names and their JSON types never change.
    """

    request_id: UUID
    status: RefundStatus
    decided_by: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """The status after a step; `changed` is False when the request had moved on and was left
    as it was."""

    status: RefundStatus
    changed: bool


def can_move(status: RefundStatus, target: RefundStatus) -> bool:
    """Whether a request that is `status` may become `target`."""
    return status in MOVES.get(target, frozenset())


def move(status: RefundStatus, target: RefundStatus) -> RefundStatus:
    """`target`, if a request that is `status` may become it. Raises StatusChangeRefused."""
    if not can_move(status, target):
        raise StatusChangeRefused("refund request", status, target)
    return target


def record_outcome(status: RefundStatus, outcome: RefundStatus) -> Transition:
    """The workflow's `outcome` (approved, rejected, expired or lapsed) recorded on a request
    that is `status`. Idempotent: a request that has moved on (the step is a replay, or a
    till's refund reached the hub before a lapse) is left alone and its status returned.
    Raises StatusChangeRefused for an outcome the workflow never records (pending, executed).
    """
    if outcome not in WORKFLOW_OUTCOMES:
        raise StatusChangeRefused("refund request", status, outcome)
    if can_move(status, outcome):
        return Transition(outcome, True)
    return Transition(status, False)


def check_decision(
    request_id: UUID, status: RefundStatus, requested_by: str, approver: str
) -> None:
    """Whether `approver` may decide the request now. Raises RefundAlreadyDecided (it is no
    longer pending), SelfApproval (the approver asked for the refund)."""
    if status != RefundStatus.PENDING:
        raise RefundAlreadyDecided(request_id, status)
    if approver == requested_by:
        raise SelfApproval(request_id, approver)


@dataclass(frozen=True, slots=True)
class NewRefundRequest:
    """A till's request for HQ to approve a refund of `amount_minor` (minor units of
    `currency`), as ingest received it; `lines` in their wire form (RefundLineV1 as JSON)."""

    request_id: UUID
    store_id: str
    node_id: str
    event_id: UUID
    till_id: str
    requested_by: str
    reason: str
    currency: str
    amount_minor: int
    original_sale_id: UUID | None
    original_receipt_number: str | None
    customer_id: str | None
    lines: list[dict[str, Any]]
    business_time: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True)
class RefundRequestRecord:
    """A refund request and what became of it; `version` counts the changes its store's feed
    carried, `workflow_started_at` None until its workflow is started."""

    request_id: UUID
    store_id: str
    node_id: str
    event_id: UUID
    till_id: str
    requested_by: str
    reason: str
    currency: str
    amount_minor: int
    original_sale_id: UUID | None
    original_receipt_number: str | None
    customer_id: str | None
    lines: list[dict[str, Any]]
    business_time: datetime
    received_at: datetime
    status: RefundStatus
    version: int
    workflow_started_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    notes: str | None
    executed_return_id: UUID | None
    executed_at: datetime | None


class RefundChanges(TypedDict, total=False):
    """What one change of a request may set (`RefundRepository.change` takes it)."""

    status: RefundStatus
    decided_by: str | None
    decided_at: datetime | None
    notes: str | None
    executed_return_id: UUID | None
    executed_at: datetime | None
