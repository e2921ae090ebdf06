"""A B2B order's statuses and the steps between them: the one copy of the rules, used by the
hub's services (hub/service/b2b.py) and by the approval workflow (hub/workflows/b2b_approval/).

    cart_submitted -> cart_approved (HQ) or cart_rejected (HQ) or expired (no decision in time)
    cart_approved -> payment_composed (the till) or lapsed (not composed in time)
    payment_composed -> payment_approved (HQ) or cart_approved (HQ rejected the payment) or
        expired (no decision in time)
    payment_approved -> placed, or blocked (a price changed since the cart was approved)
    placed -> fulfilled (the hub ingested the handover sale) or lapsed (not in time)

cart_rejected, blocked, fulfilled, expired and lapsed are final (the drawing is in
docs/b2b-approvals.md). An order as ingest makes it is a NewB2BOrder, as the hub holds it a
B2BOrderRecord (B2BOrderChanges: what one change of it may set). Pure (the standard library and
hub.errors only): Temporal's workflow sandbox loads this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal, TypedDict
from uuid import UUID

from hub.errors import B2BNotAwaitingDecision, SelfApproval, StatusChangeRefused

Phase = Literal["cart", "payment"]
"""Which of HQ's two decisions: the cart's, or the payment's."""


class B2BStatus(StrEnum):
    """Where a B2B order stands; the values are the wire's (`sync.messages.B2BStatus`)."""

    CART_SUBMITTED = "cart_submitted"
    CART_APPROVED = "cart_approved"
    CART_REJECTED = "cart_rejected"
    PAYMENT_COMPOSED = "payment_composed"
    PAYMENT_APPROVED = "payment_approved"
    PLACED = "placed"
    BLOCKED = "blocked"
    FULFILLED = "fulfilled"
    EXPIRED = "expired"
    LAPSED = "lapsed"


class B2BStep(StrEnum):
    """A step an order takes. Each is named for the status it leads to, but payment_rejected,
    which returns the order to cart_approved for the till to compose another payment."""

    CART_APPROVED = "cart_approved"
    CART_REJECTED = "cart_rejected"
    PAYMENT_COMPOSED = "payment_composed"
    PAYMENT_APPROVED = "payment_approved"
    PAYMENT_REJECTED = "payment_rejected"
    PLACED = "placed"
    BLOCKED = "blocked"
    FULFILLED = "fulfilled"
    EXPIRED = "expired"
    LAPSED = "lapsed"


# Where every order starts: the till submitted the cart, HQ has still to decide on it.
START = B2BStatus.CART_SUBMITTED

FINAL = frozenset(
    {
        B2BStatus.CART_REJECTED,
        B2BStatus.BLOCKED,
        B2BStatus.FULFILLED,
        B2BStatus.EXPIRED,
        B2BStatus.LAPSED,
    }
)

# The status awaiting each of HQ's decisions.
AWAITING: Mapping[Phase, B2BStatus] = MappingProxyType(
    {"cart": START, "payment": B2BStatus.PAYMENT_COMPOSED}
)

# The whole state machine: each step, the statuses it may be taken from, and where it leads.
STEPS: Mapping[B2BStep, tuple[frozenset[B2BStatus], B2BStatus]] = MappingProxyType(
    {
        B2BStep.CART_APPROVED: (frozenset({B2BStatus.CART_SUBMITTED}), B2BStatus.CART_APPROVED),
        B2BStep.CART_REJECTED: (frozenset({B2BStatus.CART_SUBMITTED}), B2BStatus.CART_REJECTED),
        B2BStep.PAYMENT_COMPOSED: (
            frozenset({B2BStatus.CART_APPROVED}),
            B2BStatus.PAYMENT_COMPOSED,
        ),
        B2BStep.PAYMENT_APPROVED: (
            frozenset({B2BStatus.PAYMENT_COMPOSED}),
            B2BStatus.PAYMENT_APPROVED,
        ),
        B2BStep.PAYMENT_REJECTED: (
            frozenset({B2BStatus.PAYMENT_COMPOSED}),
            B2BStatus.CART_APPROVED,
        ),
        B2BStep.PLACED: (frozenset({B2BStatus.PAYMENT_APPROVED}), B2BStatus.PLACED),
        B2BStep.BLOCKED: (frozenset({B2BStatus.PAYMENT_APPROVED}), B2BStatus.BLOCKED),
        B2BStep.FULFILLED: (frozenset({B2BStatus.PLACED}), B2BStatus.FULFILLED),
        B2BStep.EXPIRED: (
            frozenset({B2BStatus.CART_SUBMITTED, B2BStatus.PAYMENT_COMPOSED}),
            B2BStatus.EXPIRED,
        ),
        B2BStep.LAPSED: (frozenset({B2BStatus.CART_APPROVED, B2BStatus.PLACED}), B2BStatus.LAPSED),
    }
)

# What the approval workflow records through its activity; the till's steps (payment_composed,
# fulfilled) are ingest's, and placing (placed, blocked) has an activity of its own.
WORKFLOW_STEPS = frozenset(
    {
        B2BStep.CART_APPROVED,
        B2BStep.CART_REJECTED,
        B2BStep.PAYMENT_APPROVED,
        B2BStep.PAYMENT_REJECTED,
        B2BStep.EXPIRED,
        B2BStep.LAPSED,
    }
)

_DECIDES: Mapping[B2BStep, Phase] = MappingProxyType(
    {
        B2BStep.CART_APPROVED: "cart",
        B2BStep.CART_REJECTED: "cart",
        B2BStep.PAYMENT_APPROVED: "payment",
        B2BStep.PAYMENT_REJECTED: "payment",
    }
)


@dataclass(frozen=True)
class B2BDecision:
    """HQ's decision on an order's cart or payment; `decided_by` names the approver."""

    phase: Phase
    approved: bool
    decided_by: str
    notes: str | None = None

    @property
    def step(self) -> B2BStep:
        """The step the decision records (cart_approved, cart_rejected, payment_approved or
        payment_rejected)."""
        if self.phase == "cart":
            return B2BStep.CART_APPROVED if self.approved else B2BStep.CART_REJECTED
        return B2BStep.PAYMENT_APPROVED if self.approved else B2BStep.PAYMENT_REJECTED


@dataclass(frozen=True, slots=True)
class RecordB2BStep:
    """Record the approval workflow's step on an order: `status` names the step (one of
    WORKFLOW_STEPS; payment_rejected returns the order to cart_approved), `decided_by` who
    decided (None for a timer's step) and `notes` why.

    The command of hub.service.b2b.record_status and, as it is, the input of the workflow's
    `record_b2b_status` activity: Temporal's histories store it as JSON (`order_id` as text),
    so its field names, `status` among them, and their JSON types never change.
    """

    order_id: UUID
    status: B2BStep
    decided_by: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceB2BOrder:
    """Place an order whose payment HQ approved. The command of hub.service.b2b.place and the
    input of the workflow's `place_b2b_order` activity: Temporal's histories store it as JSON
    (`{"order_id": "<uuid>"}`), so its field name and JSON type never change. Workflows
    started before it scheduled that activity with the order id alone (a JSON string), which
    the activity still takes; a worker from before it cannot read this one."""

    order_id: UUID


@dataclass(frozen=True, slots=True)
class Transition:
    """The status after a step; `changed` is False when the order had moved on and was left as
    it was."""

    status: B2BStatus
    changed: bool


def can_take(status: B2BStatus, step: B2BStep) -> bool:
    """Whether an order that is `status` may take `step`."""
    return status in STEPS[step][0]


def take(status: B2BStatus, step: B2BStep) -> B2BStatus:
    """The status `step` leads to from `status`. Raises StatusChangeRefused."""
    sources, target = STEPS[step]
    if status not in sources:
        raise StatusChangeRefused("B2B order", status, step)
    return target


def record_step(status: B2BStatus, step: B2BStep) -> Transition:
    """The workflow's `step` (see WORKFLOW_STEPS) recorded on an order that is `status`.
    Idempotent: an order that has moved on (the step is a replay, or a till's step reached the
    hub before the workflow's timer fired) is left alone and its status returned. Raises
    StatusChangeRefused for a step the workflow does not record this way."""
    if step not in WORKFLOW_STEPS:
        raise StatusChangeRefused("B2B order", status, step)
    if can_take(status, step):
        return Transition(take(status, step), True)
    return Transition(status, False)


def decided_phase(step: B2BStep) -> Phase | None:
    """Whose decision `step` records (its decider and time go with that phase), or None."""
    return _DECIDES.get(step)


def awaiting(status: B2BStatus) -> Phase | None:
    """The decision HQ is asked for while an order is `status`, or None."""
    return next((phase for phase, waiting in AWAITING.items() if waiting == status), None)


def check_decision(
    order_id: UUID,
    status: B2BStatus,
    phase: Phase,
    approver: str,
    submitted_by: str,
    composed_by: str | None,
) -> None:
    """Whether `approver` may decide the order's `phase` now. Raises B2BNotAwaitingDecision
    (the order is not awaiting that decision), SelfApproval (the approver submitted the cart,
    or, for the payment, composed it)."""
    if status != AWAITING[phase]:
        raise B2BNotAwaitingDecision(order_id, status, phase)
    if approver == submitted_by or (phase == "payment" and approver == composed_by):
        raise SelfApproval(order_id, approver, "B2B order")


@dataclass(frozen=True, slots=True)
class NewB2BOrder:
    """A trade customer's cart a till submitted, of `total_minor` (minor units of `currency`),
    as ingest received it; `lines` in their wire form (B2BLineV1 as JSON)."""

    order_id: UUID
    store_id: str
    node_id: str
    event_id: UUID
    till_id: str
    customer_id: str
    submitted_by: str
    reference: str | None
    currency: str
    total_minor: int
    lines: list[dict[str, Any]]
    business_time: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True)
class B2BOrderRecord:
    """A B2B order and how far its approval went; `version` counts the changes its store's
    feed carried, `signal_pending` the till's step its workflow has still to hear of, `tenders`
    the composed payment (B2BTenderPlanV1 as JSON; None before one)."""

    order_id: UUID
    store_id: str
    node_id: str
    event_id: UUID
    till_id: str
    customer_id: str
    submitted_by: str
    reference: str | None
    currency: str
    total_minor: int
    lines: list[dict[str, Any]]
    business_time: datetime
    received_at: datetime
    status: B2BStatus
    version: int
    workflow_started_at: datetime | None
    signal_pending: B2BStep | None
    cart_decided_by: str | None
    cart_decided_at: datetime | None
    tenders: list[dict[str, Any]] | None
    composed_by: str | None
    composed_at: datetime | None
    payment_decided_by: str | None
    payment_decided_at: datetime | None
    payment_rejections: int
    notes: str | None
    order_number: str | None
    placed_at: datetime | None
    fulfilled_sale_id: UUID | None
    fulfilled_at: datetime | None


class B2BOrderChanges(TypedDict, total=False):
    """What one change of an order may set (`B2BOrderRepository.change` takes it)."""

    status: B2BStatus
    notes: str | None
    signal_pending: B2BStep | None
    cart_decided_by: str | None
    cart_decided_at: datetime | None
    tenders: list[dict[str, Any]] | None
    composed_by: str | None
    composed_at: datetime | None
    payment_decided_by: str | None
    payment_decided_at: datetime | None
    payment_rejections: int
    order_number: str
    placed_at: datetime
    fulfilled_sale_id: UUID
    fulfilled_at: datetime
