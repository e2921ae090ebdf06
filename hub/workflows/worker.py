"""The hub's workflow worker: the Temporal worker of every approval workflow and its
activities, and the sweeper. It runs inside the API's process (`vectis hub serve`, unless
`--no-workflow-worker`) or on its own (`vectis hub worker`); see docs/operations.md.

The worker executes RefundApprovalWorkflow, B2BApprovalWorkflow and their activities against
the hub's database. The sweeper, every few seconds, starts the workflow of any pending refund
request or submitted B2B order that has none yet, and tells B2B workflows of the tills' steps
they have not heard of (ingest does both at once; the sweeper covers a hub that stopped in
between, or a workflow service that was down). Both retry a lost connection for ever; neither
blocks the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.errors import WorkflowsUnavailable
from hub.service import b2b, refunds
from hub.workflows.b2b_approval.activities import B2BActivities
from hub.workflows.b2b_approval.workflows import B2BApprovalWorkflow
from hub.workflows.client import Workflows
from hub.workflows.refund_approval.activities import RefundActivities
from hub.workflows.refund_approval.workflows import RefundApprovalWorkflow

log = logging.getLogger(__name__)

# On stop, activities under way (one short transaction each) get this long to finish before
# they are cancelled and left to Temporal's retry.
GRACEFUL_SHUTDOWN = timedelta(seconds=10)


def build_worker(client: Client, task_queue: str, uow: HubUnitOfWork) -> Worker:
    """The Temporal worker of the hub's workflows and activities on `task_queue`."""
    refund_activities = RefundActivities(uow)
    b2b_activities = B2BActivities(uow)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[RefundApprovalWorkflow, B2BApprovalWorkflow],
        activities=[
            refund_activities.record_decision,
            b2b_activities.record_status,
            b2b_activities.place,
        ],
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )


async def sweep(uow: HubUnitOfWork, workflows: Workflows) -> None:
    """Start the workflows of requests and orders that have none, tell B2B workflows of the
    tills' steps they missed; logs (never raises) when the workflow service is unreachable."""
    try:
        started = await refunds.start_workflows(uow, workflows)
        started_b2b = await b2b.start_workflows(uow, workflows)
        told = await b2b.deliver_signals(uow, workflows)
    except WorkflowsUnavailable as error:
        log.warning("could not start or signal workflows: %s", error)
        return
    if started or started_b2b or told:
        log.info(
            "started %d refund and %d B2B approval workflows; told %d of a till's step",
            started,
            started_b2b,
            told,
        )


class WorkflowRunner:
    """Runs the worker and the sweeper as one background task until `stop`."""

    def __init__(
        self, workflows: Workflows, uow: HubUnitOfWork, *, sweep_every_s: float = 5.0
    ) -> None:
        self._workflows = workflows
        self._uow = uow
        self._sweep_every_s = sweep_every_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="hub-workflow-worker")

    async def stop(self) -> None:
        """Stop polling, let activities under way finish (GRACEFUL_SHUTDOWN), return."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                client = await self._workflows.client()
                worker = build_worker(client, self._workflows.task_queue, self._uow)
                async with worker:
                    log.info(
                        "workflow worker polling task queue %s (namespace %s) on %s",
                        self._workflows.task_queue,
                        self._workflows.namespace,
                        self._workflows.address,
                    )
                    while True:
                        await sweep(self._uow, self._workflows)
                        await asyncio.sleep(self._sweep_every_s)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # any failure: log it, wait, connect again
                log.warning("workflow worker stopped (%s); retrying", error)
                await asyncio.sleep(self._sweep_every_s)
