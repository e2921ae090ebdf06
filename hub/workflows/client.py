"""The hub's link to its workflow service (Temporal): a client connected on first use.

Every call raises WorkflowsUnavailable when the service cannot be reached, so a hub whose
Temporal is down keeps ingesting sales (requests wait, pending, for the sweeper) and answers
HQ's decisions with 503 rather than losing them.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from hub.domain.b2b import B2BDecision
from hub.domain.refunds import RefundDecision
from hub.errors import (
    B2BNotAwaitingDecision,
    PermissionDenied,
    RefundAlreadyDecided,
    WorkflowsUnavailable,
)
from hub.workflows.b2b_approval import workflows as b2b_approval
from hub.workflows.b2b_approval.workflows import (
    B2BApprovalInput,
    B2BApprovalWorkflow,
    PaymentComposed,
)
from hub.workflows.refund_approval import workflows as refund_approval
from hub.workflows.refund_approval.workflows import (
    RefundApprovalInput,
    RefundApprovalWorkflow,
    workflow_id,
)

log = logging.getLogger(__name__)


class Workflows:
    """Starts, decides and signals the hub's workflows on `address` (host:port); the
    services' hub.service.ports.ApprovalWorkflows."""

    def __init__(
        self,
        address: str,
        *,
        namespace: str = "default",
        task_queue: str = "vectis-hub",
        refund_decide_within: timedelta = timedelta(hours=72),
        refund_valid_for: timedelta = timedelta(days=7),
        b2b_decide_within: timedelta = timedelta(hours=72),
        b2b_valid_for: timedelta = timedelta(days=7),
    ) -> None:
        self.address = address
        self.namespace = namespace
        self.task_queue = task_queue
        self.refund_decide_within = refund_decide_within
        self.refund_valid_for = refund_valid_for
        self.b2b_decide_within = b2b_decide_within
        self.b2b_valid_for = b2b_valid_for
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        """The connected client. Raises WorkflowsUnavailable."""
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await asyncio.wait_for(
                        Client.connect(self.address, namespace=self.namespace), timeout=5
                    )
                except (RuntimeError, RPCError, OSError, TimeoutError) as error:
                    raise WorkflowsUnavailable(
                        f"workflow service at {self.address} unreachable: {error}"
                    ) from None
        return self._client

    async def ping(self) -> None:
        """Raises WorkflowsUnavailable unless the service answers."""
        client = await self.client()
        try:
            await client.service_client.check_health(timeout=timedelta(seconds=2))
        except RPCError as error:
            raise WorkflowsUnavailable(str(error)) from None

    async def start_refund_approval(
        self, request_id: str, store_id: str, requested_by: str
    ) -> None:
        """Start the request's approval workflow; a no-op if it runs or ran already (one
        workflow id per request, never reused)."""
        client = await self.client()
        request = RefundApprovalInput(
            request_id=request_id,
            store_id=store_id,
            requested_by=requested_by,
            decide_within_s=int(self.refund_decide_within.total_seconds()),
            valid_for_s=int(self.refund_valid_for.total_seconds()),
        )
        try:
            await client.start_workflow(
                RefundApprovalWorkflow.run,
                request,
                id=workflow_id(request_id),
                task_queue=self.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )
        except WorkflowAlreadyStartedError:
            return  # it ran and finished: nothing to start
        except RPCError as error:
            raise WorkflowsUnavailable(str(error)) from None

    async def decide_refund(self, request_id: str, decision: RefundDecision) -> str:
        """Deliver HQ's decision and wait until it is recorded; returns the status.

        Raises RefundAlreadyDecided, PermissionDenied (self-approval), WorkflowsUnavailable.
        """
        client = await self.client()
        handle = client.get_workflow_handle(workflow_id(request_id))
        try:
            status = await handle.execute_update(RefundApprovalWorkflow.decide, decision)
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            if (
                isinstance(cause, ApplicationError)
                and cause.type == refund_approval.ALREADY_DECIDED
            ):
                raise RefundAlreadyDecided(UUID(request_id), "decided") from None
            if isinstance(cause, ApplicationError) and cause.type == refund_approval.SELF_APPROVAL:
                raise PermissionDenied(str(cause)) from None
            raise WorkflowsUnavailable(f"the decision failed: {cause}") from None
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as error:
            if isinstance(error, RPCError) and error.status == RPCStatusCode.NOT_FOUND:
                raise RefundAlreadyDecided(UUID(request_id), "closed") from None
            raise WorkflowsUnavailable(str(error)) from None
        return status

    async def signal_executed(self, request_id: str) -> None:
        """Tell the request's workflow that a till made the refund. Raises WorkflowsUnavailable."""
        client = await self.client()
        try:
            await client.get_workflow_handle(workflow_id(request_id)).signal(
                RefundApprovalWorkflow.executed
            )
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return  # finished already (it lapsed, and the lapse found the refund made)
            raise WorkflowsUnavailable(str(error)) from None

    async def start_b2b_approval(self, order_id: str, store_id: str, submitted_by: str) -> None:
        """Start the order's approval workflow; a no-op if it runs or ran already."""
        client = await self.client()
        order = B2BApprovalInput(
            order_id=order_id,
            store_id=store_id,
            submitted_by=submitted_by,
            decide_within_s=int(self.b2b_decide_within.total_seconds()),
            valid_for_s=int(self.b2b_valid_for.total_seconds()),
        )
        try:
            await client.start_workflow(
                B2BApprovalWorkflow.run,
                order,
                id=b2b_approval.workflow_id(order_id),
                task_queue=self.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )
        except WorkflowAlreadyStartedError:
            return
        except RPCError as error:
            raise WorkflowsUnavailable(str(error)) from None

    async def decide_b2b(self, order_id: str, decision: B2BDecision) -> str:
        """Deliver HQ's decision on the order's cart or payment and wait until it is recorded
        (for an approved payment, until the order is placed or blocked); returns the status.

        Raises B2BNotAwaitingDecision, PermissionDenied (self-approval), WorkflowsUnavailable.
        """
        client = await self.client()
        handle = client.get_workflow_handle(b2b_approval.workflow_id(order_id))
        try:
            status = await handle.execute_update(B2BApprovalWorkflow.decide, decision)
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            if (
                isinstance(cause, ApplicationError)
                and cause.type == b2b_approval.NOT_AWAITING_DECISION
            ):
                raise B2BNotAwaitingDecision(UUID(order_id), "moved on", decision.phase) from None
            if isinstance(cause, ApplicationError) and cause.type == b2b_approval.SELF_APPROVAL:
                raise PermissionDenied(str(cause)) from None
            raise WorkflowsUnavailable(f"the decision failed: {cause}") from None
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as error:
            if isinstance(error, RPCError) and error.status == RPCStatusCode.NOT_FOUND:
                raise B2BNotAwaitingDecision(UUID(order_id), "closed", decision.phase) from None
            raise WorkflowsUnavailable(str(error)) from None
        return status

    async def signal_payment_composed(self, order_id: str, attempt: int, composed_by: str) -> None:
        """Tell the order's workflow that the till composed a payment. Raises
        WorkflowsUnavailable."""
        await self._signal_b2b(
            order_id, B2BApprovalWorkflow.payment_composed, PaymentComposed(attempt, composed_by)
        )

    async def signal_fulfilled(self, order_id: str) -> None:
        """Tell the order's workflow that a till handed it over. Raises WorkflowsUnavailable."""
        await self._signal_b2b(order_id, B2BApprovalWorkflow.fulfilled, None)

    async def _signal_b2b(self, order_id: str, signal: Any, argument: Any) -> None:
        client = await self.client()
        handle = client.get_workflow_handle(b2b_approval.workflow_id(order_id))
        try:
            if argument is None:
                await handle.signal(signal)
            else:
                await handle.signal(signal, argument)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return  # finished already: its last timer found the step recorded
            raise WorkflowsUnavailable(str(error)) from None
