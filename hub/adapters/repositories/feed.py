"""The change feed (`feed_entry`) every store reads, its compaction floor, and the positions
a snapshot starts from.

On PostgreSQL each entry records the id of its writing transaction (`txid`); readers page in
(txid, position) order below `sql.visible_horizon`, in a REPEATABLE READ snapshot, so an
entry that commits late is never skipped (docs/sync-protocol.md, "The change feed").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import literal_column, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

from hub.adapters import tables
from hub.adapters.repositories.sql import is_postgres, upsert
from hub.domain.feed import FeedEntry, FeedPosition, StoredFeedEntry


class FeedRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def append(self, entries: Sequence[FeedEntry]) -> None:
        """Append entries, in order, in one statement; on PostgreSQL each records the id of
        the writing transaction."""
        if not entries:
            return
        statement: Insert = tables.feed_entry.insert()
        if is_postgres(self._connection):
            statement = statement.values(txid=literal_column("pg_current_xact_id()::text::bigint"))
        await self._connection.execute(
            statement,
            [
                {
                    "store_id": entry.store_id,
                    "entity": entry.entity,
                    "entity_key": entry.entity_key,
                    "version": entry.version,
                    "op": entry.op,
                    "payload": entry.payload,
                    "created_at": entry.created_at,
                }
                for entry in entries
            ],
        )

    async def read(
        self, store_id: str, after: FeedPosition, limit: int, horizon: int | None
    ) -> list[StoredFeedEntry]:
        """Up to `limit` entries the store reads (global ones and its own) after `after`, in
        (txid, position) order, below `horizon`."""
        entry = tables.feed_entry
        statement = (
            select(
                entry.c.txid,
                entry.c.position,
                entry.c.entity,
                entry.c.entity_key,
                entry.c.op,
                entry.c.version,
                entry.c.payload,
            )
            .where(
                or_(entry.c.store_id.is_(None), entry.c.store_id == store_id),
                tuple_(entry.c.txid, entry.c.position) > tuple_(after.txid, after.position),
            )
            .order_by(entry.c.txid, entry.c.position)
            .limit(limit)
        )
        if horizon is not None:
            statement = statement.where(entry.c.txid < horizon)
        return [StoredFeedEntry(*row) for row in await self._connection.execute(statement)]

    async def last_position(self, store_id: str, horizon: int | None) -> FeedPosition | None:
        """The newest feed entry this store can read now (below the horizon)."""
        entry = tables.feed_entry
        statement = (
            select(entry.c.txid, entry.c.position)
            .where(or_(entry.c.store_id.is_(None), entry.c.store_id == store_id))
            .order_by(entry.c.txid.desc(), entry.c.position.desc())
            .limit(1)
        )
        if horizon is not None:
            statement = statement.where(entry.c.txid < horizon)
        row = (await self._connection.execute(statement)).first()
        return FeedPosition(int(row.txid), int(row.position)) if row else None

    async def floor(self) -> FeedPosition | None:
        """The position up to which entries were compacted away (None: never compacted)."""
        row = (await self._connection.execute(select(tables.feed_floor))).first()
        return FeedPosition(int(row.txid), int(row.position)) if row else None

    async def compact(
        self, older_than: datetime, horizon: int | None, now: datetime
    ) -> tuple[FeedPosition | None, int]:
        """Delete feed entries written before `older_than` (and below the horizon), oldest
        first, and raise the floor to the newest one deleted. Returns (floor, entries deleted)."""
        entry = tables.feed_entry
        statement = (
            select(entry.c.txid, entry.c.position)
            .where(entry.c.created_at < older_than)
            .order_by(entry.c.txid.desc(), entry.c.position.desc())
            .limit(1)
        )
        if horizon is not None:
            statement = statement.where(entry.c.txid < horizon)
        row = (await self._connection.execute(statement)).first()
        if row is None:
            return await self.floor(), 0
        floor = FeedPosition(int(row.txid), int(row.position))
        deleted = await self._connection.execute(
            entry.delete().where(
                tuple_(entry.c.txid, entry.c.position) <= tuple_(floor.txid, floor.position)
            )
        )
        values = {"id": 1, "txid": floor.txid, "position": floor.position, "compacted_at": now}
        statement_insert = upsert(self._connection, tables.feed_floor).values(**values)
        await self._connection.execute(
            statement_insert.on_conflict_do_update(
                index_elements=["id"],
                set_={"txid": floor.txid, "position": floor.position, "compacted_at": now},
            )
        )
        return floor, int(deleted.rowcount)
