"""Reading a store's change feed: global entries (catalogue, prices) and the store's own."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from hub.adapters.database import HubDatabase
from hub.adapters.repository import (
    B2BOrderRepository,
    FeedRepository,
    RefundRepository,
    SnapshotRepository,
    StockRepository,
    StoreRepository,
    visible_horizon,
)
from hub.domain.feed import FeedPosition
from hub.errors import CursorCompacted, InvalidCursor, StoreNotFound
from hub.service.b2b import approval_payload
from hub.service.catalogue import promotion_payload, tax_rate_payload
from hub.service.refunds import decision_payload
from hub.service.stores import store_config
from shared.clock import Clock
from sync.messages import (
    EventStatusV1,
    FeedEntry,
    FeedPage,
    PriceV1,
    ProductV1,
    RecordUpdatedV1,
    SnapshotItem,
    SnapshotPage,
    StockLevelV1,
)


async def read_feed(
    store_id: str, cursor: str | None, limit: int, db: HubDatabase, clock: Clock
) -> FeedPage:
    """Up to `limit` entries after `cursor`, in an order no late commit can jump.

    First publishes the store's stock levels that sales moved since they were last published
    (`publish_stock_levels`). `next_cursor` is the last entry's cursor (or the given one when
    nothing new is visible). Raises InvalidCursor, CursorCompacted (the feed before `cursor`
    is gone: bootstrap).
    """
    after = FeedPosition.parse(cursor)
    await publish_stock_levels(store_id, db, clock)
    async with db.read(snapshot=True) as connection:
        floor = await SnapshotRepository(connection).floor()
        if floor is not None and after < floor:
            raise CursorCompacted(cursor or "", floor.encode())
        feed = FeedRepository(connection)
        horizon = await feed.visible_horizon()
        rows = await feed.read(store_id, after, limit + 1, horizon)
    has_more = len(rows) > limit
    entries = [
        FeedEntry(
            cursor=FeedPosition(row.txid, row.position).encode(),
            entity=row.entity,
            key=row.entity_key,
            op=row.op,
            version=row.version,
            payload=row.payload,
        )
        for row in rows[:limit]
    ]
    next_cursor = entries[-1].cursor if entries else after.encode()
    return FeedPage(entries=entries, next_cursor=next_cursor, has_more=has_more)


async def publish_stock_levels(
    store_id: str, db: HubDatabase, clock: Clock, *, batch: int = 5000
) -> int:
    """Publish the store's stock levels moved by sales and returns since they were last
    published: one feed entry per level, with its current count and the next version, however
    many sales moved it. Lazy (when the store reads its feed), so a busy ingest writes no feed
    rows per sale line. Returns how many were published."""
    async with db.read() as connection:
        if not await StockRepository(connection).has_unpublished(store_id):
            return 0
    published = 0
    while True:
        now = clock.now()
        async with db.write() as connection:
            rows = await StockRepository(connection).publish_unpublished(store_id, batch)
            await FeedRepository(connection).append(
                [
                    {
                        "store_id": store_id,
                        "entity": "stock_level",
                        "entity_key": f"{store_id}:{row.sku}",
                        "version": int(row.version),
                        "op": "upsert",
                        "payload": StockLevelV1(
                            location_id=store_id, sku=row.sku, on_hand=int(row.on_hand)
                        ).model_dump(mode="json"),
                        "created_at": now,
                    }
                    for row in rows
                ]
            )
        published += len(rows)
        if len(rows) < batch:
            return published


# The order a snapshot walks the state in; its resume key is [stage, key...] as JSON.
_STAGES = (
    "tax_rate",
    "promotion",
    "product",
    "price",
    "stock_level",
    "record",
    "event_status",
    "refund_decision",
    "b2b_approval",
    "store",
)


def _parse_after(after: str | None) -> tuple[int, list[str]]:
    """(stage index, key parts) to resume after. Raises InvalidCursor."""
    if not after:
        return 0, []
    try:
        parts = json.loads(after)
        stage = _STAGES.index(parts[0])
        keys = [str(part) for part in parts[1:]]
    except (ValueError, TypeError, IndexError):
        raise InvalidCursor(after) from None
    return stage, keys


async def snapshot_page(
    store_id: str, after: str | None, limit: int, db: HubDatabase
) -> SnapshotPage:
    """One chunk of the store's current state: tax rates, promotions, products, prices, its
    stock levels, shared records, its refund requests and B2B orders, its settings.

    The first chunk (`after` None) names the feed position to follow once the snapshot is
    applied, taken before any state is read: the state read later is at least as new, and the
    feed entries after the position that repeat it change nothing (versions). Chunks are keyset
    pages, so a download resumes where it stopped. Raises InvalidCursor, StoreNotFound.
    """
    stage, keys = _parse_after(after)
    items: list[SnapshotItem] = []
    position: str | None = None
    next_after: str | None = None
    async with db.read(snapshot=True) as connection:
        snapshot = SnapshotRepository(connection)
        if after is None:
            newest = await snapshot.last_position(store_id, await visible_horizon(connection))
            floor = await snapshot.floor()
            start = max((spot for spot in (newest, floor) if spot is not None), default=None)
            position = start.encode() if start else ""
        store = await StoreRepository(connection).get(store_id)
        if store is None:
            raise StoreNotFound(store_id)
        while stage < len(_STAGES) and next_after is None:
            room = limit - len(items)
            name = _STAGES[stage]
            if name == "tax_rate":
                rows = await snapshot.tax_rates_after(keys[0] if keys else "", room)
                items += [_tax_rate_item(row) for row in rows]
                if len(rows) == room:
                    next_after = json.dumps([name, rows[-1].code])
            elif name == "promotion":
                rows = await snapshot.promotions_after(keys[0] if keys else "", room)
                items += [_promotion_item(row) for row in rows]
                if len(rows) == room:
                    next_after = json.dumps([name, rows[-1].promotion_id])
            elif name == "product":
                rows = await snapshot.products_after(keys[0] if keys else "", room)
                items += [_product_item(row) for row in rows]
                if len(rows) == room:
                    next_after = json.dumps([name, rows[-1].sku])
            elif name == "price":
                price_list, sku = (keys + ["", ""])[:2] if keys else ("", "")
                rows = await snapshot.prices_after(price_list, sku, room)
                items += [_price_item(row) for row in rows]
                if len(rows) == room:
                    next_after = json.dumps([name, rows[-1].price_list, rows[-1].sku])
            elif name == "stock_level":
                rows = await snapshot.levels_after(store_id, keys[0] if keys else "", room)
                items += [_level_item(row) for row in rows]
                if len(rows) == room:
                    next_after = json.dumps([name, rows[-1].sku])
            elif name == "event_status":
                since = UUID(keys[0]) if keys else None
                rows = await snapshot.retried_events_after(store_id, since, room)
                items += [_event_status_item(row) for row in rows]
                if len(rows) == room:
                    next_after = json.dumps([name, str(rows[-1].event_id)])
            elif name == "refund_decision":
                since = UUID(keys[0]) if keys else None
                rows = await RefundRepository(connection).page(
                    status=None, store_id=store_id, after=since, limit=room
                )
                items += [_refund_item(row) for row in rows]
                if len(rows) == room:
                    next_after = json.dumps([name, str(rows[-1].request_id)])
            elif name == "b2b_approval":
                since = UUID(keys[0]) if keys else None
                rows = await B2BOrderRepository(connection).page(
                    status=None, store_id=store_id, after=since, limit=room
                )
                items += [_b2b_item(row) for row in rows]
                if len(rows) == room:
                    next_after = json.dumps([name, str(rows[-1].order_id)])
            elif name == "record":
                entity, key = (keys + ["", ""])[:2] if keys else ("", "")
                rows = await snapshot.records_after(store_id, entity, key, room)
                items += [_record_item(row) for row in rows]
                if len(rows) == room:
                    next_after = json.dumps([name, rows[-1].entity, rows[-1].record_key])
            else:
                items.append(
                    SnapshotItem(
                        entity="store",
                        key=store.store_id,
                        version=store.config_version,
                        payload=store_config(store).model_dump(mode="json"),
                    )
                )
            if next_after is None:
                stage, keys = stage + 1, []
    has_more = next_after is not None and stage < len(_STAGES)
    return SnapshotPage(
        position=position,
        items=items,
        next_after=next_after if has_more else None,
        has_more=has_more,
    )


def _product_item(row: Any) -> SnapshotItem:
    product = ProductV1(
        sku=row.sku,
        description=row.description,
        kind=row.kind,
        track_inventory=row.track_inventory,
        gtin=row.gtin,
        tax_code=row.tax_code,
    )
    return SnapshotItem(
        entity="product", key=row.sku, version=row.version, payload=product.model_dump(mode="json")
    )


def _tax_rate_item(row: Any) -> SnapshotItem:
    rate = tax_rate_payload(row)
    return SnapshotItem(
        entity="tax_rate", key=rate.code, version=rate.version, payload=rate.model_dump(mode="json")
    )


def _promotion_item(row: Any) -> SnapshotItem:
    promotion = promotion_payload(row)
    return SnapshotItem(
        entity="promotion",
        key=promotion.promotion_id,
        version=promotion.version,
        payload=promotion.model_dump(mode="json"),
    )


def _event_status_item(row: Any) -> SnapshotItem:
    status = EventStatusV1(event_id=row.event_id, seq=row.seq, status=row.status)
    return SnapshotItem(
        entity="event_status",
        key=str(row.event_id),
        version=1,
        payload=status.model_dump(mode="json"),
    )


def _refund_item(row: Any) -> SnapshotItem:
    decision = decision_payload(row)
    return SnapshotItem(
        entity="refund_decision",
        key=str(decision.request_id),
        version=row.version,
        payload=decision.model_dump(mode="json"),
    )


def _b2b_item(row: Any) -> SnapshotItem:
    approval = approval_payload(row)
    return SnapshotItem(
        entity="b2b_approval",
        key=str(approval.order_id),
        version=row.version,
        payload=approval.model_dump(mode="json"),
    )


def _price_item(row: Any) -> SnapshotItem:
    price = PriceV1(
        sku=row.sku,
        price_list=row.price_list,
        unit_price=row.unit_price,
        currency=row.currency,
        version=row.version,
    )
    return SnapshotItem(
        entity="price",
        key=f"{row.price_list}:{row.sku}",
        version=row.version,
        payload=price.model_dump(mode="json"),
    )


def _level_item(row: Any) -> SnapshotItem:
    level = StockLevelV1(location_id=row.location_id, sku=row.sku, on_hand=row.on_hand)
    return SnapshotItem(
        entity="stock_level",
        key=f"{row.location_id}:{row.sku}",
        version=row.version,
        payload=level.model_dump(mode="json"),
    )


def _record_item(row: Any) -> SnapshotItem:
    fields = row.fields if isinstance(row.fields, dict) else json.loads(row.fields)
    record = RecordUpdatedV1(entity=row.entity, key=row.record_key, fields=fields)
    return SnapshotItem(
        entity=row.entity,
        key=row.record_key,
        version=row.version,
        payload=record.model_dump(mode="json"),
    )


async def compact_feed(older_than: timedelta, db: HubDatabase, clock: Clock) -> tuple[str, int]:
    """Delete feed entries older than `older_than`; readers behind them re-bootstrap.

    Returns (the new floor cursor, entries deleted). Everything the entries said is still in
    the state tables, which snapshots read.
    """
    now = clock.now()
    async with db.write() as connection:
        floor, deleted = await SnapshotRepository(connection).compact(
            now - older_than, await visible_horizon(connection), now
        )
    return (floor.encode() if floor else ""), deleted
