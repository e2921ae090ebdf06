"""The edge's SQLite file: WAL mode, full durability, one writer thread, a few reader threads.

Each transaction runs as one synchronous unit in a thread of its own, so the event loop pays
one thread hop per request rather than one per statement. Measured on these machines: a
statement costs 382 us through SQLAlchemy over aiosqlite (several hops to the driver's
thread), 0.9 us on the stdlib driver; a bare hop costs about 110 us. A till operation runs
about ten statements. (The hub keeps async SQLAlchemy: asyncpg is natively async, and its
batches amortize the rest.)

A read of a few rows by key that every request makes (the till session's check) runs on the
calling thread instead (`read_here`): measured here, that read costs 120 us of CPU on the
loop, and 480-670 us through a reader thread (the hop and the hand-over of the GIL). It
never waits for a lock: its connection's busy timeout is 0, and when SQLite says busy the
read goes to a reader thread after all. Each thread keeps its connection between
transactions (_ThreadConnections).

Writes go through a single thread and connection and start with BEGIN IMMEDIATE, so they
queue instead of failing with SQLITE_BUSY and a counter read inside a write transaction (the
outbox seq) cannot race another writer. Reads see a consistent WAL snapshot, in parallel.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool, QueuePool

T = TypeVar("T")

# The file's pages are read through a memory map (up to this size), not each copied into a
# connection's page cache by a read() of its own: the node's connections (the writer, the
# readers, the loop's) share the operating system's one copy, and a reader whose cache a
# commit made stale (SQLite then drops it whole) reads the file's pages again without system
# calls. Pages still in the WAL are read as before. Measured in docs/operations.md. The cost
# (sqlite.org/mmap.html): an I/O error while reading the map is a SIGBUS that ends the
# process, not an SQLITE_IOERR a request answers with a 500.
_MMAP_BYTES = 256 * 2**20
_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA mmap_size={_MMAP_BYTES}",
)
_BUSY_TIMEOUT_MS = 30_000

# Durability per transaction. A durable commit (a sale, a return, an acknowledgement) runs with
# synchronous=FULL: the WAL is fsynced, so it survives power loss, and so does everything
# written before it. Other commits (a scanned line, a feed page) run with NORMAL: they survive
# a crash of the process, and a power cut at worst loses lines the cashier can still see and
# scan again. Measured here: 0.16 ms per FULL commit, 0.02 ms per NORMAL one.
_SYNCHRONOUS = {True: "PRAGMA synchronous=FULL", False: "PRAGMA synchronous=NORMAL"}
_PING = text("SELECT 1")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _engine(
    path: Path, connections: int | None, begin: str, busy_timeout_ms: int = _BUSY_TIMEOUT_MS
) -> Engine:
    """`connections`: the pool's size (the threads that use it); None: a connection for each
    thread that asks, none kept by the pool (the loop's own: whichever thread runs a loop)."""
    # The driver's busy timeout, in force from the first statement (the PRAGMAs below).
    connect_args = {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
    if connections is None:
        engine = create_engine(sqlite_url(path), poolclass=NullPool, connect_args=connect_args)
    else:
        engine = create_engine(
            sqlite_url(path),
            poolclass=QueuePool,
            pool_size=connections,
            max_overflow=0,
            pool_timeout=120,
            connect_args=connect_args,
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in _PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        durable = connection.get_execution_options().get("durable", True)
        if connection.info.get("durable") is not durable:
            connection.exec_driver_sql(_SYNCHRONOUS[durable])
            connection.info["durable"] = durable
        connection.exec_driver_sql(begin)

    return engine


def _busy(error: OperationalError) -> bool:
    """SQLite's SQLITE_BUSY or SQLITE_LOCKED, as the stdlib driver words them."""
    message = str(error.orig).lower()
    return "locked" in message or "busy" in message


class _ThreadConnections:
    """A connection of `engine` for each thread that runs transactions, taken from the pool at
    the thread's first transaction and kept: a transaction then costs its BEGIN and COMMIT,
    not a checkout and the pool's reset on return (10 us instead of 35 us, measured here). A
    use case that raises (a refusal) is rolled back and the connection kept; one that fails
    in the driver, or leaves the transaction open, gives its connection back (the pool rolls
    it back, or discards it if that fails) and the thread takes a fresh one next time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        self._held: list[Connection] = []
        self._lock = threading.Lock()

    def run(self, work: Callable[[Connection], T], durable: bool) -> T:
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self.engine.connect()
            self._local.connection = connection
            with self._lock:
                self._held.append(connection)
        try:
            connection.execution_options(durable=durable)
            with connection.begin():
                return work(connection)
        except BaseException as error:
            if (
                isinstance(error, DBAPIError)
                or connection.invalidated
                or connection.in_transaction()
            ):
                self._local.connection = None
                with self._lock:
                    self._held.remove(connection)
                connection.close()
            raise

    def dispose(self) -> None:
        with self._lock:
            held, self._held = self._held, []
        for connection in held:
            connection.close()
        self.engine.dispose()


class EdgeDatabase:
    """One SQLite file. `write(work)` and `read(work)` run `work(connection)` in a transaction
    on a worker thread and return its result; a raised exception rolls the write back.
    """

    def __init__(self, path: Path, *, readers: int = 4) -> None:
        self.path = path
        self._writer = _ThreadConnections(_engine(path, 1, "BEGIN IMMEDIATE"))
        self._reader = _ThreadConnections(_engine(path, readers, "BEGIN"))
        # The event loop's own connection: it must never wait (busy_timeout 0).
        self._here = _ThreadConnections(_engine(path, None, "BEGIN", busy_timeout_ms=0))
        self._write_thread = ThreadPoolExecutor(1, thread_name_prefix="edge-writer")
        self._read_threads = ThreadPoolExecutor(readers, thread_name_prefix="edge-reader")

    async def write(self, work: Callable[[Connection], T], *, durable: bool = True) -> T:
        """Run `work` in a write transaction (commits if it returns, rolls back if it raises).

        `durable=False` skips the fsync at commit (see _SYNCHRONOUS); the next durable commit
        makes it durable too.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._write_thread, self._writer.run, work, durable)

    async def read(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in a read transaction (a consistent snapshot of the file)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_threads, self._reader.run, work, False)

    async def read_here(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in a read transaction on the calling thread (the event loop's: blocks it
        while `work` runs, so `work` reads a few rows by key and nothing more); on a reader
        thread instead if SQLite answers busy (another process holding the file exclusively, a
        recovery after a crash: a write under way never makes a WAL reader wait), so the loop
        never waits for a lock. Not reentrant: `work` must not call back into here."""
        try:
            return self._here.run(work, False)
        except OperationalError as error:
            if not _busy(error):
                raise
        return await self.read(work)

    async def ping(self) -> None:
        """Run a trivial query on a reader thread; raises what the driver raises (a file that
        cannot be opened or read, a pool exhausted for 120 s)."""
        await self.read(lambda connection: connection.execute(_PING).scalar())

    def dispose(self) -> None:
        self._write_thread.shutdown(wait=True)
        self._read_threads.shutdown(wait=True)
        self._writer.dispose()
        self._reader.dispose()
        self._here.dispose()
