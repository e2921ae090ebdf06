"""The workflow worker and the sweeper, run inside the hub's process.

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
from uuid import UUID

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from hub.adapters.database import HubDatabase
from hub.adapters.unit_of_work import HubUnitOfWork
from hub.errors import B2BOrderNotFound, RefundRequestNotFound, WorkflowsUnavailable
from hub.service import b2b, refunds
from hub.workflows.b2b_approval import (
    PLACE_ORDER,
    RECORD_STATUS,
    B2BApprovalWorkflow,
    B2BRecord,
)
from hub.workflows.client import Workflows
from hub.workflows.refund_approval import RECORD_DECISION, DecisionRecord, RefundApprovalWorkflow
from shared.clock import Clock

log = logging.getLogger(__name__)


class RefundActivities:
    def __init__(self, db: HubDatabase, clock: Clock) -> None:
        self._uow = HubUnitOfWork(db, clock)

    @activity.defn(name=RECORD_DECISION)
    async def record_decision(self, record: DecisionRecord) -> str:
        try:
            return await refunds.record_decision(
                UUID(record.request_id),
                record.status,
                record.decided_by,
                record.notes,
                self._uow,
            )
        except RefundRequestNotFound as error:
            raise ApplicationError(str(error), non_retryable=True) from None


class B2BActivities:
    def __init__(self, db: HubDatabase, clock: Clock) -> None:
        self._uow = HubUnitOfWork(db, clock)

    @activity.defn(name=RECORD_STATUS)
    async def record_status(self, record: B2BRecord) -> str:
        try:
            return await b2b.record_status(
                UUID(record.order_id),
                record.status,
                record.decided_by,
                record.notes,
                self._uow,
            )
        except B2BOrderNotFound as error:
            raise ApplicationError(str(error), non_retryable=True) from None

    @activity.defn(name=PLACE_ORDER)
    async def place(self, order_id: str) -> str:
        try:
            return await b2b.place(UUID(order_id), self._uow)
        except B2BOrderNotFound as error:
            raise ApplicationError(str(error), non_retryable=True) from None


class WorkflowRunner:
    """Runs the worker and the sweeper as one background task until `stop`."""

    def __init__(
        self, workflows: Workflows, db: HubDatabase, clock: Clock, *, sweep_every_s: float = 5.0
    ) -> None:
        self._workflows = workflows
        self._db = db
        self._clock = clock
        self._uow = HubUnitOfWork(db, clock)
        self._sweep_every_s = sweep_every_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="hub-workflow-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                client = await self._workflows.client()
                worker = Worker(
                    client,
                    task_queue=self._workflows.task_queue,
                    workflows=[RefundApprovalWorkflow, B2BApprovalWorkflow],
                    activities=[
                        RefundActivities(self._db, self._clock).record_decision,
                        B2BActivities(self._db, self._clock).record_status,
                        B2BActivities(self._db, self._clock).place,
                    ],
                )
                async with worker:
                    while True:
                        await self._sweep()
                        await asyncio.sleep(self._sweep_every_s)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # any failure: log it, wait, connect again
                log.warning("workflow worker stopped (%s); retrying", error)
                await asyncio.sleep(self._sweep_every_s)

    async def _sweep(self) -> None:
        try:
            started = await refunds.start_workflows(self._uow, self._workflows)
            started_b2b = await b2b.start_workflows(self._uow, self._workflows)
            told = await b2b.deliver_signals(self._uow, self._workflows)
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
