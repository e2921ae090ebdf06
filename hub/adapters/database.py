"""The hub's database: PostgreSQL (asyncpg) in production and tests, SQLite for the embedded demo.

On SQLite, writers take an in-process lock and BEGIN IMMEDIATE, so they queue instead of
failing with SQLITE_BUSY, and positions of the change feed are assigned in commit order. On
PostgreSQL, feed reads run in a REPEATABLE READ snapshot (see hub.adapters.repositories.feed).
Services do not use it directly: they open transactions through hub.adapters.unit_of_work.

A transaction that fails because the database cannot be reached (refused or lost connection,
a server shutting down or starting up) raises hub.errors.DatabaseUnavailable, which the API
answers with 503; the pool drops the dead connections and reconnects once the server is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from hub.errors import DatabaseUnavailable

# SQLSTATEs of a database that is not there: class 08 (connection exception), and 57P01-57P03
# (terminated by an administrator, crash shutdown, cannot connect now: starting or stopping).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")


def _is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached, not that it refused a statement."""
    if isinstance(error, OSError):  # connection refused, host unreachable, timed out
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated or isinstance(error, InterfaceError):
            return True
        error = error.orig if error.orig is not None else error
    state = getattr(error, "sqlstate", None)
    return isinstance(state, str) and state.startswith(_UNAVAILABLE_STATES)


@contextmanager
def _unavailable_as_hub_error() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        if _is_unavailable(error):
            raise DatabaseUnavailable(f"the hub's database cannot be reached: {error}") from error
        raise


_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


class HubDatabase:
    """Engine and transactions of the hub. Connects lazily; `dispose()` closes the pool."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            self._engine = create_async_engine(
                url, pool_size=pool_size, max_overflow=0, pool_timeout=120
            )
            self._install_sqlite_hooks()
        elif self.dialect == "postgresql":
            self._engine = create_async_engine(
                url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )
        else:
            raise ValueError(f"unsupported hub database {self.dialect!r} (postgresql or sqlite)")
        self._write_lock = asyncio.Lock() if self.dialect == "sqlite" else None

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def _install_sqlite_hooks(self) -> None:
        @event.listens_for(self._engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in _SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

        @event.listens_for(self._engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
            connection.exec_driver_sql(f"BEGIN {mode}")

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: commits on normal exit, rolls back on an exception. Raises
        DatabaseUnavailable when the database cannot be reached."""
        with _unavailable_as_hub_error():
            if self._write_lock is None:
                async with self._engine.begin() as connection:
                    yield connection
                return
            async with self._write_lock, self._engine.connect() as connection:
                connection = await connection.execution_options(sqlite_begin="IMMEDIATE")
                async with connection.begin():
                    yield connection

    @asynccontextmanager
    async def read(self, *, snapshot: bool = False) -> AsyncIterator[AsyncConnection]:
        """A read transaction; `snapshot` asks PostgreSQL for REPEATABLE READ, read only.
        Raises DatabaseUnavailable when the database cannot be reached."""
        with _unavailable_as_hub_error():
            async with self._engine.connect() as connection:
                if snapshot and self.is_postgres:
                    connection = await connection.execution_options(
                        isolation_level="REPEATABLE READ", postgresql_readonly=True
                    )
                async with connection.begin():
                    yield connection

    async def refresh_statistics(self, *tables: str) -> None:
        """ANALYZE `tables` on PostgreSQL, after a bulk load changed them a lot (no-op on SQLite).

        Until autovacuum's next pass (a minute or more), the planner would otherwise plan
        on a table's old size: a prepared statement's generic plan over a catalogue just
        imported into an empty table ran 12 times slower (8 ms, not 0.7 ms, per batch of
        a sync ingest). The advice is PostgreSQL's own: "Populating a Database", section
        14.4.9, "Run ANALYZE Afterwards". Raises DatabaseUnavailable, or what the driver
        raises.
        """
        if not self.is_postgres or not tables:
            return
        with _unavailable_as_hub_error():
            async with self._engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")

    async def ping(self) -> None:
        """Raises whatever the driver raises if the database cannot answer SELECT 1."""
        async with self._engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self._engine.dispose()
