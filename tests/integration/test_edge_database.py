"""The edge's SQLite file under a lock: the event loop's own reads (the session's check) never
wait for it, and a connection kept by a thread survives a transaction that failed."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from edge.adapters.database import EdgeDatabase, _engine, _ThreadConnections


@pytest.fixture
def database(tmp_path: Path):
    path = tmp_path / "store.db"
    setup = sqlite3.connect(path)
    with setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE till (till_id TEXT PRIMARY KEY, name TEXT)")
        setup.execute("INSERT INTO till VALUES ('T1', 'front')")
    setup.close()
    database = EdgeDatabase(path)
    yield database
    database.dispose()


def _name(connection: Connection) -> str:
    return str(connection.execute(text("SELECT name FROM till WHERE till_id = 'T1'")).scalar_one())


async def test_a_read_on_the_loop_sees_the_last_commit(database: EdgeDatabase) -> None:
    assert await database.read_here(_name) == "front"
    await database.write(lambda c: c.execute(text("UPDATE till SET name = 'back'")))
    assert await database.read_here(_name) == "back"


async def test_a_locked_file_sends_the_loops_read_to_a_thread_and_the_loop_keeps_running(
    database: EdgeDatabase,
) -> None:
    # Another process holds the file in exclusive locking mode after a write: readers get
    # SQLITE_BUSY until it lets go (what a crash recovery or a backup tool can do).
    holder = sqlite3.connect(database.path, check_same_thread=False, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE till SET name = 'held'")
    holder.execute("COMMIT")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    loop = asyncio.get_running_loop()
    loop.call_later(0.5, holder.close)  # let go after half a second
    started = time.monotonic()
    try:
        name = await database.read_here(_name)
    finally:
        ticking.cancel()
    assert name == "held"  # read once the lock went, on a reader thread
    assert time.monotonic() - started >= 0.4
    assert ticks >= 20  # the loop ran other work all the while


async def test_a_failed_write_rolls_back_and_the_next_one_commits(database: EdgeDatabase) -> None:
    def fail(connection) -> None:
        connection.execute(text("UPDATE till SET name = 'lost'"))
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        await database.write(fail)
    assert await database.read(_name) == "front"
    await database.write(lambda c: c.execute(text("UPDATE till SET name = 'kept'")))
    assert await database.read(_name) == "kept"
    assert await database.read_here(_name) == "kept"


async def test_a_write_under_way_does_not_hold_up_a_read_on_the_loop(
    database: EdgeDatabase,
) -> None:
    writer = sqlite3.connect(database.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE till SET name = 'not yet'")
    started = time.monotonic()
    assert await database.read_here(_name) == "front"  # the last commit, at once
    assert time.monotonic() - started < 0.2
    writer.execute("COMMIT")
    writer.close()
    assert await database.read_here(_name) == "not yet"


async def test_loops_in_two_threads_each_read_on_their_own_connection(
    database: EdgeDatabase,
) -> None:
    # A test client runs the app's loop in a thread of its own beside the test's loop.
    other = await asyncio.to_thread(asyncio.run, database.read_here(_name))
    assert other == await database.read_here(_name) == "front"


def test_a_write_whose_begin_finds_the_file_locked_is_refused_as_busy_then_the_next_commits(
    database: EdgeDatabase,
) -> None:
    # SQLITE_BUSY at BEGIN IMMEDIATE reaches callers as SQLAlchemy's OperationalError (which
    # they catch and log); the thread gives its connection back and takes a fresh one.
    writes = _ThreadConnections(_engine(database.path, 1, "BEGIN IMMEDIATE", busy_timeout_ms=50))
    holder = sqlite3.connect(database.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"):
            writes.run(lambda c: c.execute(text("UPDATE till SET name = 'lost'")), True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    writes.run(lambda c: c.execute(text("UPDATE till SET name = 'after'")), True)
    assert writes.run(_name, False) == "after"
    writes.dispose()


async def test_every_connection_reads_the_file_through_the_memory_map(
    database: EdgeDatabase,
) -> None:
    def mapped(connection: Connection) -> int:
        return int(connection.exec_driver_sql("PRAGMA mmap_size").scalar_one())

    expected = 256 * 2**20
    assert await database.write(mapped) == expected
    assert await database.read(mapped) == expected
    assert await database.read_here(mapped) == expected
    # What the writer commits, the readers read from the mapped file once it is checkpointed.
    await database.write(lambda c: c.execute(text("UPDATE till SET name = 'side'")))
    checkpoint = sqlite3.connect(database.path)
    assert checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    checkpoint.close()
    assert await database.read(_name) == "side"
    assert await database.read_here(_name) == "side"
