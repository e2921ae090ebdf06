"""The hub's unit of work: repositories over one transaction, and the feed entries it publishes.

Services receive a `HubUnitOfWork` and open one transaction per use case:

    async with uow.write() as tx:              # commits on normal exit, rolls back on an exception
        store = await tx.stores.get(store_id)
        tx.publish(store_feed_entry(...))     # written to the feed just before the commit

    async with uow.read(snapshot=True) as tx:  # PostgreSQL: REPEATABLE READ, read only
        rows = await tx.feed.read(...)

Helpers that run inside a caller's transaction (ingest's `refunds.record_request`,
`settle_refunds`, `b2b.record_cart`, `records.merge`...) take the open `tx` (a
`HubTransaction`), never the unit of work. `tx.savepoint()` runs a block in a savepoint of its
own and turns a database refusal into `StorageRefused`, so services never catch SQLAlchemy's
exceptions.

Transactions keep `HubDatabase`'s semantics: on PostgreSQL `engine.begin()`, feed reads in a
REPEATABLE READ read-only snapshot; on the SQLite hub writers take the in-process write lock
and BEGIN IMMEDIATE. Repositories are built on first use (ingest is a hot path: a batch builds
only those it touches, once), and feed entries published in a transaction go to the feed in
one statement, in publish order, in that same transaction: no entry without its change, no
change without its entry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from functools import cached_property

from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters.database import HubDatabase
from hub.adapters.repositories.audit import AuditRepository
from hub.adapters.repositories.b2b import B2BOrderRepository
from hub.adapters.repositories.catalogue import CatalogueRepository
from hub.adapters.repositories.feed import FeedRepository
from hub.adapters.repositories.inbox import InboxRepository
from hub.adapters.repositories.integrity import IntegrityRepository
from hub.adapters.repositories.ledger import CashRepository, LedgerRepository
from hub.adapters.repositories.records import RecordRepository
from hub.adapters.repositories.refunds import RefundRepository
from hub.adapters.repositories.sale_exceptions import SaleExceptionRepository
from hub.adapters.repositories.sql import visible_horizon
from hub.adapters.repositories.staff import StaffRepository, TillAuditRepository
from hub.adapters.repositories.stock import StockRepository
from hub.adapters.repositories.stores import (
    ApiKeyRepository,
    EnrolmentRepository,
    NodeRepository,
    StoreRepository,
)
from hub.adapters.repositories.tenders import StoredValueRepository, TenderRepository
from hub.adapters.repositories.z_reports import ZReportRepository
from hub.domain.feed import FeedEntry
from hub.errors import StorageRefused
from shared.clock import Clock


class HubTransaction:
    """One open transaction of the hub: its repositories, and the feed entries it publishes.

    Repositories are attributes built on first use. Does not commit: the `HubUnitOfWork`
    block that opened it does.
    """

    def __init__(self, connection: AsyncConnection, clock: Clock) -> None:
        self._connection = connection
        self._clock = clock
        self._published: list[FeedEntry] = []

    def now(self) -> datetime:
        """The hub clock's time (aware, UTC)."""
        return self._clock.now()

    def publish(self, entry: FeedEntry) -> None:
        """Add `entry` to the feed with this transaction: written just before the commit (or,
        inside `savepoint`, just before the savepoint is released), dropped if it rolls back."""
        self._published.append(entry)

    async def flush(self) -> None:
        """Write the entries published so far to the feed now, in publish order."""
        if self._published:
            entries, self._published = self._published, []
            await self.feed.append(entries)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Run the block in a savepoint: on an exception, what it wrote and published is undone
        and the exception raised again, a database refusal (DBAPIError: a constraint, a value
        it cannot store; or a value its column type cannot bind, OverflowError or ValueError)
        as StorageRefused, with the database's reason.

        The entries published in the block are written before the savepoint is released, so a
        feed entry the database refuses undoes the block that published it, as any other row.
        """
        await self.flush()  # entries published before the block keep their place in the feed
        try:
            async with self._connection.begin_nested():
                yield
                await self.flush()
        except DBAPIError as error:
            self._published.clear()
            raise StorageRefused(None, str(error.orig)) from error
        except StatementError as error:
            self._published.clear()
            if not isinstance(error.orig, OverflowError | ValueError):
                raise
            # A value its column's type cannot bind (a time beyond year 9999 in UTC).
            raise StorageRefused(None, f"{type(error.orig).__name__}: {error.orig}") from error
        except OverflowError as error:  # the driver's own: an integer beyond 64 bits (SQLite)
            self._published.clear()
            raise StorageRefused(None, f"OverflowError: {error}") from error
        except BaseException:
            self._published.clear()
            raise

    async def visible_horizon(self) -> int | None:
        """The oldest transaction id still running (PostgreSQL; None on SQLite): readers of the
        feed and of the stock movements page below it (see `repositories.sql`)."""
        return await visible_horizon(self._connection)

    @cached_property
    def stores(self) -> StoreRepository:
        return StoreRepository(self._connection)

    @cached_property
    def enrolment(self) -> EnrolmentRepository:
        return EnrolmentRepository(self._connection)

    @cached_property
    def nodes(self) -> NodeRepository:
        return NodeRepository(self._connection)

    @cached_property
    def api_keys(self) -> ApiKeyRepository:
        return ApiKeyRepository(self._connection)

    @cached_property
    def catalogue(self) -> CatalogueRepository:
        return CatalogueRepository(self._connection)

    @cached_property
    def inbox(self) -> InboxRepository:
        """The received events (`sync_event`)."""
        return InboxRepository(self._connection)

    @cached_property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self._connection)

    @cached_property
    def cash(self) -> CashRepository:
        return CashRepository(self._connection)

    @cached_property
    def sale_exceptions(self) -> SaleExceptionRepository:
        return SaleExceptionRepository(self._connection)

    @cached_property
    def integrity(self) -> IntegrityRepository:
        return IntegrityRepository(self._connection)

    @cached_property
    def stock(self) -> StockRepository:
        return StockRepository(self._connection)

    @cached_property
    def feed(self) -> FeedRepository:
        return FeedRepository(self._connection)

    @cached_property
    def records(self) -> RecordRepository:
        return RecordRepository(self._connection)

    @cached_property
    def refunds(self) -> RefundRepository:
        return RefundRepository(self._connection)

    @cached_property
    def b2b_orders(self) -> B2BOrderRepository:
        return B2BOrderRepository(self._connection)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self._connection)

    @cached_property
    def staff(self) -> StaffRepository:
        return StaffRepository(self._connection)

    @cached_property
    def till_audit(self) -> TillAuditRepository:
        """What the tills audited (`audit.recorded` events)."""
        return TillAuditRepository(self._connection)

    @cached_property
    def z_reports(self) -> ZReportRepository:
        return ZReportRepository(self._connection)

    @cached_property
    def tenders(self) -> TenderRepository:
        """Card tenders as the ledger holds them, and what became of those taken offline."""
        return TenderRepository(self._connection)

    @cached_property
    def stored_value(self) -> StoredValueRepository:
        """Gift-card and store-credit accounts and their movements."""
        return StoredValueRepository(self._connection)


class HubUnitOfWork:
    """Opens the hub's transactions (`write`, `read`) over its database, with its clock.

    Holds no state of its own between transactions: one per runtime, shared by every request.
    """

    def __init__(self, database: HubDatabase, clock: Clock) -> None:
        self._database = database
        self.clock = clock

    def now(self) -> datetime:
        """The hub clock's time (aware, UTC)."""
        return self.clock.now()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[HubTransaction]:
        """A write transaction: commits on normal exit, after writing the feed entries it
        published; rolls back on an exception."""
        async with self._database.write() as connection:
            transaction = HubTransaction(connection, self.clock)
            yield transaction
            await transaction.flush()

    @asynccontextmanager
    async def read(self, *, snapshot: bool = False) -> AsyncIterator[HubTransaction]:
        """A read transaction; `snapshot` asks PostgreSQL for REPEATABLE READ, read only (a
        feed page and its horizon read at one instant). Publishes nothing."""
        async with self._database.read(snapshot=snapshot) as connection:
            transaction = HubTransaction(connection, self.clock)
            yield transaction
            if transaction._published:
                raise RuntimeError("feed entries published in a read transaction")

    async def refresh_statistics(self, *tables: str) -> None:
        """ANALYZE `tables` after a bulk load (PostgreSQL; see `HubDatabase.refresh_statistics`)."""
        await self._database.refresh_statistics(*tables)
