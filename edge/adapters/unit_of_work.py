"""The edge's unit of work: the repositories and the outbox of one SQLite transaction.

The transaction itself belongs to `EdgeDatabase`: `EdgeTransactions.write(use_case)` runs
`use_case(uow)` whole on the writer thread, committing when it returns and rolling back when
it raises; `read(use_case)` runs it on a reader thread over a consistent snapshot. `emit`
writes an event to the outbox inside the write transaction, so a fact and its upload record
exist together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Connection

from edge.adapters.database import EdgeDatabase
from edge.adapters.outbox import OutboxRepository
from edge.adapters.repositories.b2b_orders import B2BOrderRepository
from edge.adapters.repositories.carts import CartRepository
from edge.adapters.repositories.cash import CashRepository
from edge.adapters.repositories.catalogue import CatalogueRepository
from edge.adapters.repositories.dashboard_audit import DashboardAuditRepository
from edge.adapters.repositories.dashboard_day import DashboardDayRepository
from edge.adapters.repositories.dashboard_sessions import DashboardSessionRepository
from edge.adapters.repositories.dashboard_sync import DashboardSyncRepository
from edge.adapters.repositories.integrity import IntegrityRepository
from edge.adapters.repositories.node import NodeRepository
from edge.adapters.repositories.receipts import ReceiptPrintRepository
from edge.adapters.repositories.records import RecordRepository
from edge.adapters.repositories.refunds import RefundRequestRepository
from edge.adapters.repositories.reports import ReportRepository
from edge.adapters.repositories.sales import ReturnRepository, SaleRepository
from edge.adapters.repositories.shifts import ShiftRepository
from edge.adapters.repositories.staff import StaffRepository
from edge.adapters.repositories.tenders import CardPaymentRepository, StoredValueRepository
from edge.domain.documents import DomainEvent
from edge.errors import RecordedRefusal
from shared.clock import Clock, HLCTimestamp, HybridLogicalClock

T = TypeVar("T")


class EdgeUnitOfWork:
    """Repositories over one open transaction, plus `emit` to the outbox.

    A read transaction's unit of work has no HLC: `emit` and `stamp` raise RuntimeError.
    """

    def __init__(
        self, connection: Connection, clock: Clock, hlc: HybridLogicalClock | None
    ) -> None:
        self._clock = clock
        self._hlc = hlc
        self.node = NodeRepository(connection)
        self.catalogue = CatalogueRepository(connection)
        self.carts = CartRepository(connection)
        self.sales = SaleRepository(connection)
        self.returns = ReturnRepository(connection)
        self.records = RecordRepository(connection)
        self.cash = CashRepository(connection)
        self.refunds = RefundRequestRepository(connection)
        self.b2b_orders = B2BOrderRepository(connection)
        self.integrity = IntegrityRepository(connection)
        self.reports = ReportRepository(connection)
        self.staff = StaffRepository(connection)
        self.shifts = ShiftRepository(connection)
        self.receipt_prints = ReceiptPrintRepository(connection)
        self.card_payments = CardPaymentRepository(connection)
        self.stored_values = StoredValueRepository(connection)
        self.outbox = OutboxRepository(connection)
        self.dashboard_audit = DashboardAuditRepository(connection)
        self.dashboard_day = DashboardDayRepository(connection)
        self.dashboard_sessions = DashboardSessionRepository(connection)
        self.dashboard_sync = DashboardSyncRepository(connection)

    def now(self) -> datetime:
        """The node's clock (aware)."""
        return self._clock.now()

    def emit(self, event: DomainEvent) -> int:
        """Append `event` to the outbox in this transaction; return its seq."""
        if self._hlc is None:
            raise RuntimeError("events need an enrolled node (no HLC yet)")
        (seq,) = self.outbox.append([event], self._hlc, self._clock.now())
        return seq

    def stamp(self, after: HLCTimestamp | None = None) -> str:
        """A new HLC stamp of this node, later than `after` (a stamp seen in a record being
        edited) so the edit follows, causally, everything it was made on top of."""
        if self._hlc is None:
            raise RuntimeError("edits need an enrolled node (no HLC yet)")
        if after is not None:
            self._hlc.receive(after)
        return self._hlc.tick().encode()


class EdgeTransactions:
    """Runs use cases, each in one transaction of the node's SQLite file, with a unit of work.

    `hlc` is the node's hybrid logical clock, None until it is enrolled (set by the runtime
    when it adopts an identity); write transactions hand it to their unit of work.
    """

    def __init__(self, database: EdgeDatabase, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self.hlc: HybridLogicalClock | None = None

    async def write(self, use_case: Callable[[EdgeUnitOfWork], T], *, durable: bool = True) -> T:
        """Run `use_case` in one write transaction on the writer thread (one thread hop);
        commit if it returns, roll back if it raises, and return its result.

        A use case that raises RecordedRefusal is rolled back, its `record` runs in a new
        transaction (a wrong PIN's count and audit), and its `error` is raised.

        `durable=False` for steps a power cut may lose without losing money (a scanned line, a
        feed page): see EdgeDatabase.
        """
        clock, hlc = self.clock, self.hlc
        try:
            return await self.database.write(
                lambda connection: use_case(EdgeUnitOfWork(connection, clock, hlc)),
                durable=durable,
            )
        except RecordedRefusal as refusal:
            record = refusal.record
            await self.database.write(
                lambda connection: record(EdgeUnitOfWork(connection, clock, hlc))
            )
            raise refusal.error from None

    async def read(self, use_case: Callable[[EdgeUnitOfWork], T]) -> T:
        """Run `use_case` in a read transaction (a consistent snapshot; no outbox)."""
        clock = self.clock
        return await self.database.read(
            lambda connection: use_case(EdgeUnitOfWork(connection, clock, None))
        )

    async def read_here(self, use_case: Callable[[EdgeUnitOfWork], T]) -> T:
        """`read`, on the calling thread: for a few rows read by key on every request (see
        EdgeDatabase.read_here)."""
        clock = self.clock
        return await self.database.read_here(
            lambda connection: use_case(EdgeUnitOfWork(connection, clock, None))
        )
