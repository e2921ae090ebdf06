"""Stock from the ERP (`pushExternalStock`): absolute counts per location become movements.

Stock is a counter of movements per (location, SKU). An ERP count does not overwrite the
counter: it is recorded as the movement that brings the counter to the count, so the
movement log always explains the number. Each changed level is published to the store's feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from hub.adapters.database import HubDatabase
from hub.adapters.repository import (
    CatalogueRepository,
    FeedRepository,
    StockRepository,
    StoreRepository,
    visible_horizon,
)
from hub.domain.feed import FeedPosition
from hub.domain.ledger import StockMovement, rebased_level
from hub.errors import InvalidRequest, StoreNotFound
from shared.clock import Clock
from sync.messages import StockLevelV1


@dataclass(frozen=True, slots=True)
class StockCount:
    sku: str
    on_hand: int


@dataclass(frozen=True, slots=True)
class StockPushResult:
    received: int
    adjusted: int
    unknown_skus: list[str]
    untracked_skus: list[str]


async def push_external_stock(
    location_id: str,
    counts: list[StockCount],
    db: HubDatabase,
    clock: Clock,
    external_reference: str | None = None,
    as_of: str | None = None,
) -> StockPushResult:
    """Apply an ERP's on-hand counts for one location (a store), atomically.

    `as_of` is the movement-export cursor up to which the ERP had read sales and returns when
    it counted: the hub adds every sale or return after it (see `rebased_level`), so a sale is
    neither lost nor counted twice whichever side synced first. Without `as_of` a count is the
    level as of now. Counts of SKUs not in the catalogue, and of untracked SKUs, are reported
    back and ignored. Raises StoreNotFound, InvalidRequest, InvalidCursor.
    """
    skus = [count.sku for count in counts]
    if len(set(skus)) != len(skus):
        raise InvalidRequest("a SKU appears twice in one stock push")
    watermark = FeedPosition.parse(as_of) if as_of else None
    now = clock.now()
    async with db.write() as connection:
        if await StoreRepository(connection).get(location_id) is None:
            raise StoreNotFound(location_id)
        products = await CatalogueRepository(connection).products(skus)
        unknown = sorted(sku for sku in skus if sku not in products)
        untracked = sorted(sku for sku, product in products.items() if not product.track_inventory)
        wanted = [
            count
            for count in counts
            if count.sku in products and products[count.sku].track_inventory
        ]
        stock = StockRepository(connection)
        # Locking the counters first: a sale being ingested now either committed before (and
        # is seen below) or waits for this push (and is applied on top of it).
        current = await stock.levels(location_id, [count.sku for count in wanted])
        unseen = (
            await stock.unseen_deltas(location_id, [count.sku for count in wanted], watermark)
            if watermark is not None
            else {}
        )
        targets = {
            count.sku: rebased_level(count.on_hand, unseen.get(count.sku, 0)) for count in wanted
        }
        movements = [
            StockMovement(
                location_id,
                sku,
                target - current.get(sku, 0),
                "erp_count",
                None,
                external_reference,
            )
            for sku, target in targets.items()
            if target != current.get(sku, 0) or sku not in current
        ]
        await stock.add_movements(movements, now)
        versions = await stock.bump_versions(location_id, [movement.sku for movement in movements])
        await FeedRepository(connection).append(
            [
                {
                    "store_id": location_id,
                    "entity": "stock_level",
                    "entity_key": f"{location_id}:{movement.sku}",
                    "version": versions[movement.sku][0],
                    "op": "upsert",
                    "payload": StockLevelV1(
                        location_id=location_id,
                        sku=movement.sku,
                        on_hand=versions[movement.sku][1],
                    ).model_dump(mode="json"),
                    "created_at": now,
                }
                for movement in movements
            ]
        )
    return StockPushResult(len(counts), len(movements), unknown, untracked)


@dataclass(frozen=True, slots=True)
class MovementRecord:
    cursor: str
    movement_id: int
    location_id: str
    sku: str
    quantity_delta: int
    reason: str
    document_id: UUID | None
    external_reference: str | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class MovementPage:
    movements: list[MovementRecord]
    next_cursor: str
    has_more: bool


async def movement_export(
    db: HubDatabase, *, cursor: str | None, limit: int, location_id: str | None = None
) -> MovementPage:
    """Stock movements after `cursor`, in an order no late commit can jump (as the feed).

    An ERP reads them to keep its own book stock; the cursor of the last movement it had read
    when it counted is the `as_of` of its next push. Raises InvalidCursor.
    """
    after = FeedPosition.parse(cursor)
    async with db.read(snapshot=True) as connection:
        horizon = await visible_horizon(connection)
        rows = await StockRepository(connection).movements_after(
            after, limit + 1, horizon, location_id
        )
    records = [
        MovementRecord(
            cursor=FeedPosition(row.txid, row.movement_id).encode(),
            movement_id=row.movement_id,
            location_id=row.location_id,
            sku=row.sku,
            quantity_delta=row.quantity_delta,
            reason=row.reason,
            document_id=row.document_id,
            external_reference=row.external_reference,
            recorded_at=row.recorded_at,
        )
        for row in rows[:limit]
    ]
    return MovementPage(
        records, records[-1].cursor if records else after.encode(), len(rows) > limit
    )


async def stock_levels(location_id: str, db: HubDatabase) -> dict[str, int]:
    """On-hand units per SKU at a location. Raises StoreNotFound."""
    async with db.read() as connection:
        if await StoreRepository(connection).get(location_id) is None:
            raise StoreNotFound(location_id)
        return await StockRepository(connection).all_levels(location_id)
