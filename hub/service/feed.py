"""Reading a store's change feed: global entries (catalogue, prices) and the store's own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.b2b import B2BOrderRecord
from hub.domain.catalogue import (
    PriceRecord,
    ProductRecord,
    PromotionRecord,
    TaxRateRecord,
)
from hub.domain.feed import FeedPosition
from hub.domain.inbox import EventStatusRecord
from hub.domain.records import SharedRecord
from hub.domain.refunds import RefundRequestRecord
from hub.domain.staff import StaffRecord
from hub.domain.stock import StockLevelRecord
from hub.errors import CursorCompacted, InvalidCursor, StoreNotFound
from hub.service.b2b import approval_payload
from hub.service.catalogue import promotion_payload, tax_rate_payload
from hub.service.refunds import decision_payload
from hub.service.stock import stock_level_entry
from hub.service.stores import store_feed_config
from shared.bounds import is_single_line
from sync import messages
from sync.messages import (
    EventStatusV1,
    FeedPage,
    PriceV1,
    ProductV1,
    RecordUpdatedV1,
    SnapshotItem,
    SnapshotPage,
    StockLevelV1,
)


async def read_feed(store_id: str, cursor: str | None, limit: int, uow: HubUnitOfWork) -> FeedPage:
    """Up to `limit` entries after `cursor`, in an order no late commit can jump.

    First publishes the store's stock levels that sales moved since they were last published
    (`publish_stock_levels`). `next_cursor` is the last entry's cursor (or the given one when
    nothing new is visible). Raises InvalidCursor, CursorCompacted (the feed before `cursor`
    is gone: bootstrap).
    """
    after = FeedPosition.parse(cursor)
    await publish_stock_levels(store_id, uow)
    async with uow.read(snapshot=True) as tx:
        floor = await tx.feed.floor()
        if floor is not None and after < floor:
            raise CursorCompacted(cursor or "", floor.encode())
        horizon = await tx.visible_horizon()
        rows = await tx.feed.read(store_id, after, limit + 1, horizon)
    has_more = len(rows) > limit
    entries = [
        messages.FeedEntry(
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


async def publish_stock_levels(store_id: str, uow: HubUnitOfWork, *, batch: int = 5000) -> int:
    """Publish the store's stock levels moved by sales and returns since they were last
    published: one feed entry per level, with its current count and the next version, however
    many sales moved it. Lazy (when the store reads its feed), so a busy ingest writes no feed
    rows per sale line. Returns how many were published."""
    async with uow.read() as tx:
        if not await tx.stock.has_unpublished(store_id):
            return 0
    published = 0
    while True:
        now = uow.now()
        async with uow.write() as tx:
            levels = await tx.stock.publish_unpublished(store_id, batch)
            for level in levels:
                tx.publish(
                    stock_level_entry(store_id, level.sku, level.on_hand, level.version, now)
                )
        published += len(levels)
        if len(levels) < batch:
            return published


# The order a snapshot walks the state in; its resume key is [stage, key...] as JSON.
_STAGES = (
    "tax_rate",
    "promotion",
    "product",
    "price",
    "stock_level",
    "staff",
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
    if not all(is_single_line(key) for key in keys):
        raise InvalidCursor(after)
    return stage, keys


async def snapshot_page(
    store_id: str, after: str | None, limit: int, uow: HubUnitOfWork
) -> SnapshotPage:
    """One chunk of the store's current state: tax rates, promotions, products, prices, its
    stock levels, its staff (those who left it as inactive), shared records (its staff's PIN
    hashes among them), its refund requests and B2B orders, its settings.

    The first chunk (`after` None) names the feed position to follow once the snapshot is
    applied, taken before any state is read: the state read later is at least as new, and the
    feed entries after the position that repeat it change nothing (versions). Chunks are keyset
    pages, so a download resumes where it stopped. Raises InvalidCursor, StoreNotFound.
    """
    stage, keys = _parse_after(after)
    items: list[SnapshotItem] = []
    position: str | None = None
    next_after: str | None = None
    async with uow.read(snapshot=True) as tx:
        if after is None:
            newest = await tx.feed.last_position(store_id, await tx.visible_horizon())
            floor = await tx.feed.floor()
            start = max((spot for spot in (newest, floor) if spot is not None), default=None)
            position = start.encode() if start else ""
        store = await tx.stores.get(store_id)
        if store is None:
            raise StoreNotFound(store_id)
        while stage < len(_STAGES) and next_after is None:
            room = limit - len(items)
            name = _STAGES[stage]
            if name == "tax_rate":
                rates = await tx.catalogue.tax_rates_after(keys[0] if keys else "", room)
                items += [_tax_rate_item(rate) for rate in rates]
                if len(rates) == room:
                    next_after = json.dumps([name, rates[-1].code])
            elif name == "promotion":
                promotions = await tx.catalogue.promotions_after(keys[0] if keys else "", room)
                items += [_promotion_item(promotion) for promotion in promotions]
                if len(promotions) == room:
                    next_after = json.dumps([name, promotions[-1].promotion_id])
            elif name == "product":
                products = await tx.catalogue.products_after(keys[0] if keys else "", room)
                items += [_product_item(product) for product in products]
                if len(products) == room:
                    next_after = json.dumps([name, products[-1].sku])
            elif name == "price":
                price_list, sku = (keys + ["", ""])[:2] if keys else ("", "")
                prices = await tx.catalogue.prices_after(price_list, sku, room)
                items += [_price_item(price) for price in prices]
                if len(prices) == room:
                    next_after = json.dumps([name, prices[-1].price_list, prices[-1].sku])
            elif name == "stock_level":
                levels = await tx.stock.levels_after(store_id, keys[0] if keys else "", room)
                items += [_level_item(level) for level in levels]
                if len(levels) == room:
                    next_after = json.dumps([name, levels[-1].sku])
            elif name == "staff":
                members = await tx.staff.page(
                    store_id=store_id, after=keys[0] if keys else "", limit=room, former=True
                )
                items += [_staff_item(member, store_id) for member in members]
                if len(members) == room:
                    next_after = json.dumps([name, members[-1].staff_code])
            elif name == "event_status":
                since = UUID(keys[0]) if keys else None
                statuses = await tx.inbox.retried_after(store_id, since, room)
                items += [_event_status_item(status) for status in statuses]
                if len(statuses) == room:
                    next_after = json.dumps([name, str(statuses[-1].event_id)])
            elif name == "refund_decision":
                since = UUID(keys[0]) if keys else None
                requests = await tx.refunds.page(
                    status=None, store_id=store_id, after=since, limit=room
                )
                items += [_refund_item(request) for request in requests]
                if len(requests) == room:
                    next_after = json.dumps([name, str(requests[-1].request_id)])
            elif name == "b2b_approval":
                since = UUID(keys[0]) if keys else None
                orders = await tx.b2b_orders.page(
                    status=None, store_id=store_id, after=since, limit=room
                )
                items += [_b2b_item(order) for order in orders]
                if len(orders) == room:
                    next_after = json.dumps([name, str(orders[-1].order_id)])
            elif name == "record":
                entity, key = (keys + ["", ""])[:2] if keys else ("", "")
                records = await tx.records.records_after(store_id, entity, key, room)
                items += [_record_item(record) for record in records]
                if len(records) == room:
                    next_after = json.dumps([name, records[-1].entity, records[-1].key])
            else:
                items.append(
                    SnapshotItem(
                        entity="store",
                        key=store.store_id,
                        version=store.config_version,
                        payload=store_feed_config(store).model_dump(mode="json"),
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


def _staff_item(record: StaffRecord, store_id: str) -> SnapshotItem:
    """A staff member as `store_id` holds them: inactive there if they no longer work there."""
    return SnapshotItem(
        entity="staff",
        key=record.staff_code,
        version=record.version,
        payload=record.feed_payload(store_id).model_dump(mode="json"),
    )


def _product_item(record: ProductRecord) -> SnapshotItem:
    product = ProductV1(
        sku=record.sku,
        description=record.description,
        kind=record.kind,
        track_inventory=record.track_inventory,
        gtin=record.gtin,
        tax_code=record.tax_code,
        unit=record.unit,
    )
    return SnapshotItem(
        entity="product",
        key=record.sku,
        version=record.version,
        payload=product.model_dump(mode="json"),
    )


def _tax_rate_item(record: TaxRateRecord) -> SnapshotItem:
    rate = tax_rate_payload(record)
    return SnapshotItem(
        entity="tax_rate", key=rate.code, version=rate.version, payload=rate.model_dump(mode="json")
    )


def _promotion_item(record: PromotionRecord) -> SnapshotItem:
    promotion = promotion_payload(record)
    return SnapshotItem(
        entity="promotion",
        key=promotion.promotion_id,
        version=promotion.version,
        payload=promotion.model_dump(mode="json"),
    )


def _event_status_item(record: EventStatusRecord) -> SnapshotItem:
    status = EventStatusV1(
        event_id=record.event_id,
        seq=record.seq,
        status=record.status,
    )
    return SnapshotItem(
        entity="event_status",
        key=str(record.event_id),
        version=1,
        payload=status.model_dump(mode="json"),
    )


def _refund_item(request: RefundRequestRecord) -> SnapshotItem:
    decision = decision_payload(request)
    return SnapshotItem(
        entity="refund_decision",
        key=str(decision.request_id),
        version=request.version,
        payload=decision.model_dump(mode="json"),
    )


def _b2b_item(order: B2BOrderRecord) -> SnapshotItem:
    approval = approval_payload(order)
    return SnapshotItem(
        entity="b2b_approval",
        key=str(approval.order_id),
        version=order.version,
        payload=approval.model_dump(mode="json"),
    )


def _price_item(record: PriceRecord) -> SnapshotItem:
    price = PriceV1(
        sku=record.sku,
        price_list=record.price_list,
        unit_price=record.unit_price,
        currency=record.currency,
        version=record.version,
    )
    return SnapshotItem(
        entity="price",
        key=f"{record.price_list}:{record.sku}",
        version=record.version,
        payload=price.model_dump(mode="json"),
    )


def _level_item(record: StockLevelRecord) -> SnapshotItem:
    level = StockLevelV1(location_id=record.location_id, sku=record.sku, on_hand=record.on_hand)
    return SnapshotItem(
        entity="stock_level",
        key=f"{record.location_id}:{record.sku}",
        version=record.version,
        payload=level.model_dump(mode="json"),
    )


def _record_item(record: SharedRecord) -> SnapshotItem:
    payload = RecordUpdatedV1(
        entity=record.entity,
        key=record.key,
        fields=record.fields,
    )
    return SnapshotItem(
        entity=record.entity,
        key=record.key,
        version=record.version,
        payload=payload.model_dump(mode="json"),
    )


@dataclass(frozen=True, slots=True)
class CompactFeed:
    """Delete the feed entries written longer than `older_than` ago."""

    older_than: timedelta


async def compact_feed(command: CompactFeed, uow: HubUnitOfWork) -> tuple[str, int]:
    """Delete feed entries older than `command.older_than`; readers behind them re-bootstrap.

    Returns (the new floor cursor, entries deleted). Everything the entries said is still in
    the state tables, which snapshots read.
    """
    now = uow.now()
    async with uow.write() as tx:
        floor, deleted = await tx.feed.compact(
            now - command.older_than, await tx.visible_horizon(), now
        )
    return (floor.encode() if floor else ""), deleted
