"""Wiring of an edge node: migrate the SQLite file, build the clock, the agent and the scheduler.

Nothing connects at import time; `build_runtime` does the work and `EdgeRuntime.start/stop`
run and end the background jobs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from edge.adapters.database import EdgeDatabase
from edge.adapters.files import prepare_database_file
from edge.adapters.unit_of_work import EdgeTransactions, EdgeUnitOfWork
from edge.domain.node import NodeIdentity
from edge.jobs.card_forwarder import FORWARD_INTERVAL_S, forward_card_payments
from edge.jobs.parked_carts import SWEEP_INTERVAL_S, sweep_parked_carts
from edge.jobs.sync_agent import SyncAgent
from edge.metrics import EdgeMetrics
from edge.payments.http_terminal import terminal_from_settings
from edge.payments.hub_stored_value import HubStoredValueLedger
from edge.service.sync import hub_credential
from edge.service.tendering import TenderPorts
from edge.settings import EdgeSettings
from migrations.runner import upgrade_edge
from shared.clock import Clock, HLCTimestamp, HybridLogicalClock, ManualClock, SystemClock

log = logging.getLogger("vectis.edge")
T = TypeVar("T")


@dataclass(slots=True)
class EdgeRuntime:
    """Everything one edge node process holds while it runs."""

    settings: EdgeSettings
    database: EdgeDatabase
    transactions: EdgeTransactions
    clock: Clock
    metrics: EdgeMetrics
    identity: NodeIdentity | None = None
    agent: SyncAgent | None = None
    scheduler: AsyncIOScheduler | None = field(default=None)
    # The card terminal and the hub's stored-value ledgers (edge.service.tendering).
    tender_ports: TenderPorts = field(default_factory=TenderPorts)

    @property
    def hlc(self) -> HybridLogicalClock | None:
        """The node's hybrid logical clock; None until it is enrolled."""
        return self.transactions.hlc

    async def write(self, use_case: Callable[[EdgeUnitOfWork], T], *, durable: bool = True) -> T:
        """Run a use case in one write transaction on the writer thread; commit if it returns.

        `durable=False` for steps a power cut may lose without losing money (a scanned line).
        """
        return await self.transactions.write(use_case, durable=durable)

    async def read(self, use_case: Callable[[EdgeUnitOfWork], T]) -> T:
        """Run a query over the repositories in a read transaction (no outbox)."""
        return await self.transactions.read(use_case)

    async def read_here(self, use_case: Callable[[EdgeUnitOfWork], T]) -> T:
        """`read` on the event loop's thread, for a few rows by key (the session's check)."""
        return await self.transactions.read_here(use_case)

    async def adopt_identity(self, identity: NodeIdentity) -> None:
        """Take on the identity from enrolment; restore the HLC from the last one issued."""
        last = await self.read(lambda uow: uow.node.last_hlc())
        self.identity = identity
        self.transactions.hlc = HybridLogicalClock(
            self.clock, identity.node_id, HLCTimestamp.parse(last) if last else None
        )

    async def start(self) -> None:
        """Start the sync agent's schedule and the parked-cart sweep (needs a running event
        loop)."""
        assert self.agent is not None
        self.scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
        self.scheduler.add_job(
            self.agent.run_cycle,
            "interval",
            seconds=self.settings.sync_interval_s,
            id="sync",
            max_instances=3,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.add_job(
            sweep_parked_carts,
            "interval",
            args=(self.transactions, lambda: self.identity),
            seconds=SWEEP_INTERVAL_S,
            id="parked_carts",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self.scheduler.add_job(
            forward_card_payments,
            "interval",
            args=(self.transactions, lambda: self.identity, lambda: self.tender_ports.terminal),
            seconds=FORWARD_INTERVAL_S,
            id="card_forwarder",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),  # cards left by a previous run go at once
        )
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.agent is not None:
            await self.agent.close()
        await asyncio.to_thread(self.database.dispose)


def make_clock(settings: EdgeSettings) -> Clock:
    if settings.clock_mode == "manual":
        return ManualClock(settings.manual_clock_start or datetime.now(UTC))
    return SystemClock()


async def build_runtime(
    settings: EdgeSettings, *, hub_transport: httpx.AsyncBaseTransport | None = None
) -> EdgeRuntime:
    """Migrate the node's SQLite file to the newest schema and assemble the runtime.

    The file, and its directory if this makes it, are readable by this user only (0600, 0700).

    `hub_transport` replaces the network between this node and the hub (tests).
    """
    path = settings.database_path.resolve()
    await asyncio.to_thread(prepare_database_file, path)
    await asyncio.to_thread(upgrade_edge, path)
    database = EdgeDatabase(path)
    clock = make_clock(settings)
    transactions = EdgeTransactions(database, clock)
    runtime = EdgeRuntime(
        settings=settings,
        database=database,
        transactions=transactions,
        clock=clock,
        metrics=EdgeMetrics(),
    )

    async def credential() -> str | None:
        return await transactions.read(hub_credential)

    runtime.tender_ports = TenderPorts(
        terminal=terminal_from_settings(settings),
        ledger=HubStoredValueLedger(
            settings.hub_url,
            credential,
            timeout_s=settings.stored_value_timeout_s,
            transport=hub_transport,
        ),
    )
    identity = await transactions.read(lambda uow: uow.node.identity())
    if isinstance(runtime.clock, ManualClock):
        driven = await transactions.read(lambda uow: uow.node.driven_time())
        if driven is not None and driven > runtime.clock.now():
            runtime.clock.set(driven)  # a restart does not turn time back
    if identity is not None:
        await runtime.adopt_identity(identity)
    runtime.agent = SyncAgent(
        settings=settings,
        transactions=transactions,
        clock=runtime.clock,
        metrics=runtime.metrics,
        identity=lambda: runtime.identity,
        on_enrolled=runtime.adopt_identity,
        transport=hub_transport,
    )
    return runtime
