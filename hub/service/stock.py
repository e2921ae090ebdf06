"""Stock from the ERP (`pushExternalStock`): absolute counts per location become movements.

Stock is a counter of movements per (location, SKU). An ERP count does not overwrite the
counter: it is recorded as the movement that brings the counter to the count, so the
movement log always explains the number. Each changed level is published to the store's feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.adapters.database import HubDatabase
from hub.adapters.repository import (
    CatalogueRepository,
    FeedRepository,
    StockRepository,
    StoreRepository,
)
from hub.domain.ledger import StockMovement
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
) -> StockPushResult:
    """Apply an ERP's absolute on-hand counts for one location (a store), atomically.

    Counts of SKUs not in the catalogue are reported back, not stored; counts of untracked
    SKUs (postage, fees) are reported and ignored. Raises StoreNotFound, InvalidRequest.
    """
    skus = [count.sku for count in counts]
    if len(set(skus)) != len(skus):
        raise InvalidRequest("a SKU appears twice in one stock push")
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
        current = await stock.levels(location_id, [count.sku for count in wanted])
        movements = [
            StockMovement(
                location_id,
                count.sku,
                count.on_hand - current.get(count.sku, 0),
                "erp_count",
                None,
                external_reference,
            )
            for count in wanted
            if count.on_hand != current.get(count.sku, 0) or count.sku not in current
        ]
        await stock.add_movements(movements, now)
        feed_rows: list[dict[str, Any]] = [
            {
                "store_id": location_id,
                "entity": "stock_level",
                "entity_key": f"{location_id}:{movement.sku}",
                "version": 1,
                "op": "upsert",
                "payload": StockLevelV1(
                    location_id=location_id,
                    sku=movement.sku,
                    on_hand=current.get(movement.sku, 0) + movement.quantity_delta,
                ).model_dump(mode="json"),
                "created_at": now,
            }
            for movement in movements
        ]
        await FeedRepository(connection).append(feed_rows)
    return StockPushResult(len(counts), len(movements), unknown, untracked)


async def stock_levels(location_id: str, db: HubDatabase) -> dict[str, int]:
    """On-hand units per SKU at a location. Raises StoreNotFound."""
    async with db.read() as connection:
        if await StoreRepository(connection).get(location_id) is None:
            raise StoreNotFound(location_id)
        return await StockRepository(connection).all_levels(location_id)
