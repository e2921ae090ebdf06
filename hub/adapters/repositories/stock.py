"""Stock: the movement log and the per-(location, SKU) counters it adds up to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters import tables
from hub.adapters.repositories.sql import chunks, is_postgres, one_of, upsert, write_rows
from hub.domain.feed import FeedPosition
from hub.domain.ledger import StockMovement
from hub.domain.stock import LoggedMovement, StockLevelRecord

# One statement for a batch's counters (PostgreSQL): arrays, not a row of parameters per key,
# and the level after each comes back, so the counters are not read and locked beforehand.
_MOVE_COUNTERS = """
INSERT INTO stock_level (location_id, sku, on_hand, dirty)
SELECT location_id, sku, delta, true
FROM unnest($1::varchar[], $2::varchar[], $3::bigint[]) AS moved (location_id, sku, delta)
ORDER BY location_id, sku
ON CONFLICT (location_id, sku)
DO UPDATE SET on_hand = stock_level.on_hand + excluded.on_hand, dirty = true
RETURNING location_id, sku, on_hand
"""


class StockRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add_movements(
        self, movements: Sequence[StockMovement], now: datetime
    ) -> dict[tuple[str, str], int]:
        """Record movements and add them to the per-(location, SKU) counters; returns each moved
        counter's level before them. On PostgreSQL the counters stay locked until the
        transaction ends, so nothing else moves them in between. Raises StorageRefused.
        """
        if not movements:
            return {}
        await write_rows(
            self._connection,
            tables.stock_movement,
            (
                "location_id",
                "sku",
                "quantity_delta",
                "reason",
                "document_id",
                "external_reference",
                "recorded_at",
            ),
            [
                (
                    movement.location_id,
                    movement.sku,
                    movement.quantity_delta,
                    movement.reason,
                    movement.document_id,
                    movement.external_reference,
                    now,
                )
                for movement in movements
            ],
        )
        deltas: dict[tuple[str, str], int] = {}
        for movement in movements:
            key = (movement.location_id, movement.sku)
            deltas[key] = deltas.get(key, 0) + movement.quantity_delta
        # Sorted keys: concurrent batches lock counters in the same order, so cannot deadlock.
        keys = sorted(deltas)
        if is_postgres(self._connection):
            raw = await self._connection.get_raw_connection()
            rows = await raw.driver_connection.fetch(  # type: ignore[union-attr]
                _MOVE_COUNTERS,
                [location_id for location_id, _ in keys],
                [sku for _, sku in keys],
                [deltas[key] for key in keys],
            )
            return {(row[0], row[1]): int(row[2]) - deltas[row[0], row[1]] for row in rows}
        statement = upsert(self._connection, tables.stock_level)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=["location_id", "sku"],
                set_={
                    "on_hand": tables.stock_level.c.on_hand + statement.excluded.on_hand,
                    "dirty": True,
                },
            ),
            [
                {
                    "location_id": location_id,
                    "sku": sku,
                    "on_hand": deltas[location_id, sku],
                    "dirty": True,
                }
                for location_id, sku in keys
            ],
        )
        after = await self.levels_of(keys)
        return {key: level - deltas[key] for key, level in after.items()}

    async def has_unpublished(self, location_id: str) -> bool:
        level = tables.stock_level
        found = await self._connection.execute(
            select(level.c.sku).where(level.c.location_id == location_id, level.c.dirty).limit(1)
        )
        return found.first() is not None

    async def publish_unpublished(self, location_id: str, limit: int) -> list[StockLevelRecord]:
        """Take up to `limit` levels of `location_id` moved since they were last published:
        each gets version + 1 and is marked published; returns them. Rows an ingest is moving
        right now are skipped (they will be moved, and dirty, again)."""
        level = tables.stock_level
        chosen = (
            select(level.c.sku)
            .where(level.c.location_id == location_id, level.c.dirty)
            .order_by(level.c.sku)
            .limit(limit)
        )
        if is_postgres(self._connection):
            chosen = chosen.with_for_update(skip_locked=True)
        rows = await self._connection.execute(
            update(level)
            .where(level.c.location_id == location_id, level.c.sku.in_(chosen.scalar_subquery()))
            .values(version=level.c.version + 1, dirty=False)
            .returning(level.c.sku, level.c.on_hand, level.c.version)
        )
        return [
            StockLevelRecord(location_id, sku, int(on_hand), int(version))
            for sku, on_hand, version in rows
        ]

    async def levels(self, location_id: str, skus: Sequence[str]) -> dict[str, int]:
        """On-hand units of these SKUs at the location (those with a counter), the counters
        locked until the transaction ends (PostgreSQL)."""
        found: dict[str, int] = {}
        for chunk in chunks(list(skus)):
            statement = select(tables.stock_level.c.sku, tables.stock_level.c.on_hand).where(
                tables.stock_level.c.location_id == location_id,
                one_of(self._connection, tables.stock_level.c.sku, chunk),
            )
            if is_postgres(self._connection):
                statement = statement.with_for_update()
            rows = await self._connection.execute(statement)
            found.update({row.sku: int(row.on_hand) for row in rows})
        return found

    async def movements_after(
        self, after: FeedPosition, limit: int, horizon: int | None, location_id: str | None
    ) -> list[LoggedMovement]:
        """Movements after a position, in (txid, movement_id) order, below `horizon` (see
        `sql.visible_horizon`)."""
        movement = tables.stock_movement
        statement = (
            select(
                movement.c.movement_id,
                movement.c.txid,
                movement.c.location_id,
                movement.c.sku,
                movement.c.quantity_delta,
                movement.c.reason,
                movement.c.document_id,
                movement.c.external_reference,
                movement.c.recorded_at,
            )
            .where(
                tuple_(movement.c.txid, movement.c.movement_id) > tuple_(after.txid, after.position)
            )
            .order_by(movement.c.txid, movement.c.movement_id)
            .limit(limit)
        )
        if horizon is not None:
            statement = statement.where(movement.c.txid < horizon)
        if location_id is not None:
            statement = statement.where(movement.c.location_id == location_id)
        return [LoggedMovement(*row) for row in await self._connection.execute(statement)]

    async def unseen_deltas(
        self, location_id: str, skus: Sequence[str], as_of: FeedPosition
    ) -> dict[str, int]:
        """Per SKU, the sum of sale and return movements after `as_of`: what an ERP that had
        read the movements up to `as_of` has not counted yet."""
        movement = tables.stock_movement
        found: dict[str, int] = {}
        for chunk in chunks(list(skus)):
            rows = await self._connection.execute(
                select(movement.c.sku, func.sum(movement.c.quantity_delta))
                .where(
                    movement.c.location_id == location_id,
                    one_of(self._connection, movement.c.sku, chunk),
                    movement.c.reason != "erp_count",
                    tuple_(movement.c.txid, movement.c.movement_id)
                    > tuple_(as_of.txid, as_of.position),
                )
                .group_by(movement.c.sku)
            )
            found.update({sku: int(total) for sku, total in rows})
        return found

    async def levels_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Counters of (location, SKU) keys, locked until the transaction ends (PostgreSQL)."""
        by_location: dict[str, list[str]] = {}
        for location_id, sku in sorted(set(keys)):
            by_location.setdefault(location_id, []).append(sku)
        found: dict[tuple[str, str], int] = {}
        for location_id, skus in by_location.items():
            for sku, on_hand in (await self.levels(location_id, skus)).items():
                found[(location_id, sku)] = on_hand
        return found

    async def bump_versions(
        self, location_id: str, skus: Sequence[str]
    ) -> dict[str, tuple[int, int]]:
        """Increase the version of these counters, to publish them now; returns each one's
        (new version, on-hand units) as the counter holds it (a sale that created the counter
        while the caller waited for it is in it)."""
        level = tables.stock_level
        found: dict[str, tuple[int, int]] = {}
        for chunk in chunks(list(skus)):
            rows = await self._connection.execute(
                update(level)
                .where(
                    level.c.location_id == location_id,
                    one_of(self._connection, level.c.sku, chunk),
                )
                .values(version=level.c.version + 1, dirty=False)
                .returning(level.c.sku, level.c.version, level.c.on_hand)
            )
            found.update({row.sku: (int(row.version), int(row.on_hand)) for row in rows})
        return found

    async def all_levels(self, location_id: str) -> dict[str, int]:
        rows = await self._connection.execute(
            select(tables.stock_level.c.sku, tables.stock_level.c.on_hand).where(
                tables.stock_level.c.location_id == location_id
            )
        )
        return {row.sku: int(row.on_hand) for row in rows}

    async def levels_after(self, location_id: str, sku: str, limit: int) -> list[StockLevelRecord]:
        """The location's counters after `sku`, by SKU: a keyset page for snapshots."""
        level = tables.stock_level
        statement = (
            select(level.c.location_id, level.c.sku, level.c.on_hand, level.c.version)
            .where(level.c.location_id == location_id, level.c.sku > sku)
            .order_by(level.c.sku)
            .limit(limit)
        )
        return [
            StockLevelRecord(location, item, int(on_hand), int(version))
            for location, item, on_hand, version in await self._connection.execute(statement)
        ]
