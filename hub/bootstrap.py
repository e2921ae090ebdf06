"""Wiring of the hub: migrate the database, build the engine and the clock. Nothing at import."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from hub.adapters.acquirer import HttpAcquirer
from hub.adapters.database import HubDatabase
from hub.adapters.unit_of_work import HubUnitOfWork
from hub.metrics import HubMetrics
from hub.service.ports import CardAcquirer
from hub.settings import HubSettings
from hub.workflows.client import Workflows
from hub.workflows.settlement import SettlementScheduler
from hub.workflows.worker import WorkflowRunner
from migrations.runner import upgrade_hub
from shared.clock import Clock, SystemClock


@dataclass(slots=True)
class HubRuntime:
    """What the hub's entry points share: settings, database, clock, metrics, the unit of work
    services take (`uow`, over the database and the clock), the workflow service, and the
    card acquirer (None: not configured)."""

    settings: HubSettings
    database: HubDatabase
    clock: Clock
    metrics: HubMetrics
    workflows: Workflows | None = None
    runner: WorkflowRunner | None = None
    acquirer: CardAcquirer | None = None
    settlement: SettlementScheduler | None = None
    uow: HubUnitOfWork = field(init=False)

    def __post_init__(self) -> None:
        self.uow = HubUnitOfWork(self.database, self.clock)

    def start_background(self) -> None:
        """Start the workflow worker and sweeper (when Temporal is configured) and the daily
        card settlement run (when an acquirer is), unless `run_workflow_worker` is off; the
        app's lifespan calls it."""
        if self.workflows is not None and self.settings.run_workflow_worker:
            if self.runner is None:
                self.runner = WorkflowRunner(self.workflows, self.uow)
            self.runner.start()
        if self.acquirer is not None and self.settings.run_workflow_worker:
            if self.settlement is None:
                self.settlement = SettlementScheduler(
                    self.uow,
                    self.acquirer,
                    after_s=self.settings.settlement_reconcile_after_s,
                )
            self.settlement.start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.stop()
        if self.settlement is not None:
            await self.settlement.stop()
        await self.database.dispose()


def runtime_from(settings: HubSettings, clock: Clock | None = None) -> HubRuntime:
    """The runtime over an already-migrated database; connects lazily, does no I/O here."""
    workflows = (
        Workflows(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            task_queue=settings.temporal_task_queue,
            refund_decide_within=timedelta(seconds=settings.refund_decide_within_s),
            refund_valid_for=timedelta(seconds=settings.refund_valid_for_s),
            b2b_decide_within=timedelta(seconds=settings.b2b_decide_within_s),
            b2b_valid_for=timedelta(seconds=settings.b2b_valid_for_s),
        )
        if settings.temporal_address
        else None
    )
    return HubRuntime(
        settings=settings,
        database=HubDatabase(settings.database_url, pool_size=settings.pool_size),
        clock=clock or SystemClock(),
        metrics=HubMetrics(),
        workflows=workflows,
        acquirer=acquirer_from(settings),
    )


def acquirer_from(settings: HubSettings) -> CardAcquirer | None:
    """The card acquirer `settings` name (acquirer_url, acquirer_api_key), or None."""
    if settings.acquirer_url is None:
        return None
    key = settings.acquirer_api_key
    return HttpAcquirer(
        settings.acquirer_url,
        key.get_secret_value() if key is not None else "",
        timeout_s=settings.acquirer_timeout_s,
    )


async def build_runtime(settings: HubSettings, clock: Clock | None = None) -> HubRuntime:
    """Migrate (unless disabled), then `runtime_from`."""
    if settings.migrate_on_start:
        await asyncio.to_thread(upgrade_hub, settings.database_url)
    return runtime_from(settings, clock)
