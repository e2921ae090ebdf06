"""What the hub's services need from outside the hub, named as Protocols; adapters implement
them. Services import these, never the adapters: the workflow service is implemented by the
Temporal client of the workflows package (`Workflows`), wired in hub/bootstrap.py."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from hub.domain.b2b import B2BDecision
from hub.domain.refunds import RefundDecision
from hub.domain.settlements import AcquirerSettlement


class ApprovalWorkflows(Protocol):
    """The durable approvals of refund requests and B2B orders: one workflow per request or
    order, started, decided by HQ and told of the tills' steps. Ids are the request's or the
    order's UUID as text. Every call raises WorkflowsUnavailable when the service cannot be
    reached."""

    async def start_refund_approval(
        self, request_id: str, store_id: str, requested_by: str
    ) -> None:
        """Start the request's approval; a no-op if it runs or ran already."""
        ...

    async def decide_refund(self, request_id: str, decision: RefundDecision) -> str:
        """Deliver HQ's decision and wait until it is recorded; returns the status (approved
        or rejected). Raises RefundAlreadyDecided, PermissionDenied (self-approval),
        WorkflowsUnavailable."""
        ...

    async def signal_executed(self, request_id: str) -> None:
        """Tell the request's approval that a till made the refund (a no-op once it ended)."""
        ...

    async def start_b2b_approval(self, order_id: str, store_id: str, submitted_by: str) -> None:
        """Start the order's approval; a no-op if it runs or ran already."""
        ...

    async def decide_b2b(self, order_id: str, decision: B2BDecision) -> str:
        """Deliver HQ's decision on the order's cart or payment and wait until it is recorded
        (an approved payment: until the order is placed or blocked); returns the status.
        Raises B2BNotAwaitingDecision, PermissionDenied (self-approval), WorkflowsUnavailable.
        """
        ...

    async def signal_payment_composed(self, order_id: str, attempt: int, composed_by: str) -> None:
        """Tell the order's approval that the till composed a payment (`attempt`: payments
        rejected before it)."""
        ...

    async def signal_fulfilled(self, order_id: str) -> None:
        """Tell the order's approval that a till handed the order over."""
        ...


class CardAcquirer(Protocol):
    """The card acquirer's side of settlement (hub.adapters.acquirer.HttpAcquirer for the
    simulator's HTTP API; a real acquirer's report file or API fits behind the same method)."""

    async def settlement(self, day: date) -> AcquirerSettlement:
        """What the acquirer captured and refunded on UTC `day`, per store, in one currency.
        Raises AcquirerUnavailable."""
        ...
