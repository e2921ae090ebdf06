"""SQL helpers the hub's repositories share: dialect INSERTs, COPY, `= ANY` lists, chunks, and
the horizon below which a feed reader may page."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import Table, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.errors import StorageRefused

# Rows per statement when a list of keys is sent as one parameter (or an IN list on SQLite).
CHUNK = 5000


def is_postgres(connection: AsyncConnection) -> bool:
    return connection.dialect.name == "postgresql"


def upsert(connection: AsyncConnection, table: Any) -> Any:
    """A dialect INSERT that supports ON CONFLICT."""
    if is_postgres(connection):
        return postgres_insert(table)
    return sqlite_insert(table)


async def visible_horizon(connection: AsyncConnection) -> int | None:
    """Oldest transaction id still running (PostgreSQL; None on SQLite): every row written by a
    transaction below it is final, so a reader paging in (txid, id) order below it never skips
    a row that commits late. Read it in the same REPEATABLE READ snapshot as the rows.
    """
    if not is_postgres(connection):
        return None
    result = await connection.exec_driver_sql(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
    )
    return int(result.scalar_one())


def one_of(connection: AsyncConnection, column: Any, values: Sequence[Any]) -> Any:
    """`column IN values`; on PostgreSQL `column = ANY(array)`, one parameter however many
    values (SQLAlchemy renders an IN list value by value, which showed in ingest profiles).
    """
    if is_postgres(connection):
        return column == any_(bindparam(None, value=list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def json_value(value: Any) -> Any:
    """A JSON column's value as Python: drivers hand some back as text."""
    return json.loads(value) if isinstance(value, str) else value


async def write_rows(
    connection: AsyncConnection,
    table: Table,
    columns: Sequence[str],
    records: Sequence[tuple[Any, ...]],
) -> None:
    """Insert `records` (tuples of values in `columns` order) into `table` in the caller's
    transaction.

    On PostgreSQL with binary COPY: building an executemany row by row costs several times the
    database's own work (measured: it was a third of the hub's CPU at ingest), and so did
    building a dict per row before the tuple. Values must already be of the column's Python
    type (UUID, aware datetime, Decimal, JSON as text). Raises StorageRefused when PostgreSQL
    refuses a value.
    """
    if not records:
        return
    if not is_postgres(connection):
        await connection.execute(
            table.insert(), [dict(zip(columns, row, strict=True)) for row in records]
        )
        return
    raw = await connection.get_raw_connection()
    try:
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, columns=list(columns), records=records
        )
    except (asyncpg.PostgresError, ValueError, OverflowError) as error:
        # ValueError: asyncpg's client-side DataError, a value it cannot encode for the column;
        # OverflowError: an integer beyond the column's size, or a time beyond year 9999 in
        # UTC. A lost connection is neither, and stays a failure of the request.
        raise StorageRefused(table.name, str(error).splitlines()[0]) from error
