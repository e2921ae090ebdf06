"""The floor of `vectis bench sync`'s bootstrap figure: what SQLite alone costs for its rows.

`bootstrap_copy` reads back, from a new edge's SQLite file once its snapshot is applied,
every row the snapshot's appliers write (edge.service.feed: the catalogue's products, prices,
stock levels, tax rates and promotions, the staff, shared records, refund decisions, B2B
approvals, and the node's row with its feed cursor), and writes them again into a fresh file
migrated as `vectis edge serve` migrates one (`migrations.runner.upgrade_edge`: the same
indexes, constraints and foreign keys), with the edge's PRAGMAs (WAL, foreign keys on, and
synchronous=NORMAL: the edge applies a snapshot chunk as a non-durable write,
edge.adapters.database). The stdlib `sqlite3` driver, `executemany` per table, BEGIN
IMMEDIATE ... COMMIT every `rows_per_commit` rows, the rows in the order the edge wrote them
(rowid order). No HTTP, no JSON, no validation, no upsert's version check.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.adapters.files import prepare_database_file
from migrations.runner import upgrade_edge
from vectis.progress import task
from vectis.replay.stack import EdgeHandle

# The tables a snapshot (and the feed) fills, parents before the rows that refer to them.
BOOTSTRAP_TABLES = (
    "node",
    "tax_rate",
    "promotion",
    "promotion_sku",
    "product",
    "price",
    "stock_level",
    "staff",
    "shared_record",
    "record_conflict",
    "refund_request",
    "b2b_order",
)
# The edge's connection PRAGMAs (edge.adapters.database), at the level of a snapshot chunk.
_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)
# The edge's own snapshot chunk (EdgeSettings.snapshot_chunk_size) and its upper bound.
ROWS_PER_COMMIT = (5_000, 20_000)

# One table's rows: its column names and its rows as the driver returns them.
TableRows = tuple[list[str], list[tuple[Any, ...]]]


@dataclass(frozen=True, slots=True)
class BootFloorRun:
    """`rows` (all tables; `rows_by_table` each) written in `seconds` at `rows_per_commit`;
    `migrate_s`, outside the clock: making and migrating the new file (a new edge pays it
    inside its bootstrap figure)."""

    rows: int
    rows_by_table: dict[str, int]
    seconds: float
    rows_per_commit: int
    migrate_s: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in _PRAGMAS:
        connection.execute(pragma)
    return connection


def read_bootstrap_rows(path: Path) -> dict[str, TableRows]:
    """The rows of BOOTSTRAP_TABLES in the edge file at `path`, in one read transaction (a
    running edge may hold the file), each table in rowid order. Raises sqlite3.Error."""
    connection = _connect(path)
    try:
        connection.execute("BEGIN")
        read: dict[str, TableRows] = {}
        for table in BOOTSTRAP_TABLES:
            cursor = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid')  # noqa: S608
            read[table] = ([column[0] for column in cursor.description], cursor.fetchall())
        connection.execute("COMMIT")
    finally:
        connection.close()
    return read


def bootstrap_done(path: Path) -> bool:
    """Whether the edge file at `path` holds a finished snapshot (a feed cursor, no download
    under way)."""
    connection = _connect(path)
    try:
        row = connection.execute("SELECT feed_cursor, bootstrap_position FROM node").fetchone()
    finally:
        connection.close()
    return row is not None and row[0] is not None and row[1] is None


def write_rows(
    rows: dict[str, TableRows],
    path: Path,
    rows_per_commit: int,
    advance: Callable[[int], None] = lambda _: None,
) -> float:
    """Write `rows` into the migrated, empty edge file at `path`, committing every
    `rows_per_commit` rows (`advance(n)` after each commit); returns the seconds the
    inserts and commits took. Raises sqlite3.IntegrityError on a row a constraint refuses."""
    connection = _connect(path)
    try:
        started = time.perf_counter()
        pending = 0
        connection.execute("BEGIN IMMEDIATE")
        for table in BOOTSTRAP_TABLES:
            columns, records = rows.get(table, ([], []))
            if not records:
                continue
            names = ", ".join(f'"{column}"' for column in columns)
            marks = ", ".join("?" for _ in columns)
            statement = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
            start = 0
            while start < len(records):
                take = min(rows_per_commit - pending, len(records) - start)
                connection.executemany(statement, records[start : start + take])
                start += take
                pending += take
                if pending == rows_per_commit:
                    connection.execute("COMMIT")
                    advance(pending)
                    pending = 0
                    connection.execute("BEGIN IMMEDIATE")
        connection.execute("COMMIT")
        advance(pending)
        return time.perf_counter() - started
    finally:
        connection.close()


def fresh_edge_file(path: Path) -> None:
    """Make `path` an empty edge file at the newest schema, as `vectis edge serve` does."""
    prepare_database_file(path)
    upgrade_edge(path)


async def bootstrap_copy(source: Path, target: Path, rows_per_commit: int) -> BootFloorRun:
    """Read the snapshot's rows from the edge file `source` and write them again into a new
    file `target` (which must not exist); the figures of the timed part (inserts and commits)."""
    with task("boot floor: reading the edge's rows, migrating a new file"):
        rows = await asyncio.to_thread(read_bootstrap_rows, source)
        started = time.perf_counter()
        await asyncio.to_thread(fresh_edge_file, target)
        migrate_s = time.perf_counter() - started
    total = sum(len(records) for _, records in rows.values())
    with task(
        f"boot floor: the rows by executemany, {rows_per_commit:,} a commit",
        total=total,
        unit="rows",
    ) as written:
        seconds = await asyncio.to_thread(
            write_rows, rows, target, rows_per_commit, written.advance
        )
    by_table = {table: len(records) for table, (_, records) in rows.items() if records}
    return BootFloorRun(total, by_table, seconds, rows_per_commit, migrate_s)


async def bootstrap_floor_figures(
    source: Path, work_dir: Path, bootstrap_s: float
) -> dict[str, Any]:
    """The floor at each of ROWS_PER_COMMIT (a new file each), the faster kept, as the
    figures `vectis bench sync` reports: bootstrap_copy_s, bootstrap_rows,
    bootstrap_copy_rows_per_s, bootstrap_vs_copy_ratio (`bootstrap_s` over the floor's
    seconds), bootstrap_copy_s_by_rows_per_commit, bootstrap_rows_by_table and
    edge_file_migrate_s (what migrating a new edge file costs, not in the floor)."""
    runs = [
        await bootstrap_copy(source, work_dir / f"boot-floor-{size}.db", size)
        for size in ROWS_PER_COMMIT
    ]
    best = min(runs, key=lambda run: run.seconds)
    return {
        "bootstrap_copy_s": round(best.seconds, 3),
        "bootstrap_rows": best.rows,
        "bootstrap_copy_rows_per_s": round(best.rows_per_s),
        "bootstrap_copy_rows_per_commit": best.rows_per_commit,
        "bootstrap_copy_s_by_rows_per_commit": {
            str(run.rows_per_commit): round(run.seconds, 3) for run in runs
        },
        "bootstrap_rows_by_table": best.rows_by_table,
        "edge_file_migrate_s": round(min(run.migrate_s for run in runs), 3),
        "bootstrap_vs_copy_ratio": round(bootstrap_s / best.seconds, 2),
    }


async def edge_floor(edge: EdgeHandle, work_dir: Path, bootstrap_s: float) -> dict[str, Any]:
    """`bootstrap_floor_figures` on `edge`'s file once its snapshot is finished (waits up to
    120 s, then raises TimeoutError), with its link cut meanwhile so its sync cycles do not
    share the cores with the floor."""
    deadline = time.monotonic() + 120
    while not await asyncio.to_thread(bootstrap_done, edge.database_path):
        if time.monotonic() > deadline:
            raise TimeoutError("the new edge did not finish its snapshot")
        await asyncio.sleep(0.05)
    await edge.set_online(False)
    try:
        return await bootstrap_floor_figures(edge.database_path, work_dir, bootstrap_s)
    finally:
        await edge.set_online(True)
