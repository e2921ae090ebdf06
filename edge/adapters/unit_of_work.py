"""The edge's unit of work: the repositories and the outbox of one SQLite write transaction.

The transaction itself belongs to `EdgeDatabase.write`: it commits when the use case returns
and rolls back when it raises. `emit` writes an event to the outbox inside that transaction,
so a fact and its upload record exist together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from edge.adapters import outbox
from edge.adapters.repositories.b2b_orders import B2BOrderRepository
from edge.adapters.repositories.carts import CartRepository
from edge.adapters.repositories.cash import CashRepository
from edge.adapters.repositories.catalogue import CatalogueRepository
from edge.adapters.repositories.node import NodeRepository
from edge.adapters.repositories.records import RecordRepository
from edge.adapters.repositories.refunds import RefundRequestRepository
from edge.adapters.repositories.sales import ReturnRepository, SaleRepository
from edge.domain.documents import DomainEvent
from shared.clock import Clock, HLCTimestamp, HybridLogicalClock


class EdgeUnitOfWork:
    """Repositories over one open transaction, plus `emit` to the outbox."""

    def __init__(
        self, connection: Connection, clock: Clock, hlc: HybridLogicalClock | None
    ) -> None:
        self.connection = connection
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

    def now(self) -> datetime:
        """The node's clock (aware)."""
        return self._clock.now()

    def emit(self, event: DomainEvent) -> int:
        """Append `event` to the outbox in this transaction; return its seq."""
        if self._hlc is None:
            raise RuntimeError("events need an enrolled node (no HLC yet)")
        (seq,) = outbox.append(self.connection, [event], self._hlc, self._clock.now())
        return seq

    def stamp(self, after: HLCTimestamp | None = None) -> str:
        """A new HLC stamp of this node, later than `after` (a stamp seen in a record being
        edited) so the edit follows, causally, everything it was made on top of."""
        if self._hlc is None:
            raise RuntimeError("edits need an enrolled node (no HLC yet)")
        if after is not None:
            self._hlc.receive(after)
        return self._hlc.tick().encode()
