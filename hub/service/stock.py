"""Stock from the ERP (`pushExternalStock`): absolute counts per location become movements.

Stock is a counter of movements per (location, SKU). An ERP count does not overwrite the
counter: it is recorded as the movement that brings the counter to the count, so the
movement log always explains the number. Each changed level is published to the store's feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.feed import FeedEntry, FeedPosition
from hub.domain.ledger import StockMovement, rebased_level
from hub.errors import InvalidRequest, StoreNotFound
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


@dataclass(frozen=True, slots=True)
class PushExternalStock:
    """An ERP's on-hand `counts` at `location_id` (a store), one per SKU; `external_reference`
    goes on every movement made; `as_of` is the movement-export cursor the ERP had read to
    when it counted (None: the counts are levels as of now)."""

    location_id: str
    counts: list[StockCount]
    external_reference: str | None = None
    as_of: str | None = None


async def push_external_stock(command: PushExternalStock, uow: HubUnitOfWork) -> StockPushResult:
    """Apply an ERP's on-hand counts for one location, atomically.

    `as_of` is the movement-export cursor up to which the ERP had read sales and returns when
    it counted: the hub adds every sale or return after it (see `rebased_level`), so a sale is
    neither lost nor counted twice whichever side synced first. Without `as_of` a count is the
    level as of now. Counts of SKUs not in the catalogue, and of untracked SKUs, are reported
    back and ignored. Raises StoreNotFound, InvalidRequest, InvalidCursor.
    """
    location_id, counts = command.location_id, command.counts
    skus = [count.sku for count in counts]
    if len(set(skus)) != len(skus):
        raise InvalidRequest("a SKU appears twice in one stock push")
    watermark = FeedPosition.parse(command.as_of) if command.as_of else None
    now = uow.now()
    async with uow.write() as tx:
        if await tx.stores.get(location_id) is None:
            raise StoreNotFound(location_id)
        products = await tx.catalogue.products(skus)
        unknown = sorted(sku for sku in skus if sku not in products)
        untracked = sorted(sku for sku, product in products.items() if not product.track_inventory)
        wanted = [
            count
            for count in counts
            if count.sku in products and products[count.sku].track_inventory
        ]
        stock = tx.stock
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
                command.external_reference,
            )
            for sku, target in targets.items()
            if target != current.get(sku, 0) or sku not in current
        ]
        await stock.add_movements(movements, now)
        versions = await stock.bump_versions(location_id, [movement.sku for movement in movements])
        for movement in movements:
            version, on_hand = versions[movement.sku]
            tx.publish(stock_level_entry(location_id, movement.sku, on_hand, version, now))
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
    *, cursor: str | None, limit: int, location_id: str | None = None, uow: HubUnitOfWork
) -> MovementPage:
    """Stock movements after `cursor`, in an order no late commit can jump (as the feed).

    An ERP reads them to keep its own book stock; the cursor of the last movement it had read
    when it counted is the `as_of` of its next push. Raises InvalidCursor.
    """
    after = FeedPosition.parse(cursor)
    async with uow.read(snapshot=True) as tx:
        horizon = await tx.visible_horizon()
        rows = await tx.stock.movements_after(after, limit + 1, horizon, location_id)
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


async def stock_levels(location_id: str, uow: HubUnitOfWork) -> dict[str, int]:
    """On-hand units per SKU at a location. Raises StoreNotFound."""
    async with uow.read() as tx:
        if await tx.stores.get(location_id) is None:
            raise StoreNotFound(location_id)
        return await tx.stock.all_levels(location_id)


def stock_level_entry(
    location_id: str, sku: str, on_hand: int, version: int, now: datetime
) -> FeedEntry:
    """The feed entry of a stock level: `on_hand` units of `sku` at `location_id` (a store,
    whose feed alone carries it) at `version`."""
    return FeedEntry(
        store_id=location_id,
        entity="stock_level",
        entity_key=f"{location_id}:{sku}",
        version=version,
        payload=StockLevelV1(location_id=location_id, sku=sku, on_hand=on_hand).model_dump(
            mode="json"
        ),
        created_at=now,
    )
