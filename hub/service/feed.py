"""Reading a store's change feed: global entries (catalogue, prices) and the store's own."""

from __future__ import annotations

from hub.adapters.database import HubDatabase
from hub.adapters.repository import FeedRepository
from hub.domain.feed import FeedPosition
from sync.messages import FeedEntry, FeedPage


async def read_feed(store_id: str, cursor: str | None, limit: int, db: HubDatabase) -> FeedPage:
    """Up to `limit` entries after `cursor`, in an order no late commit can jump.

    `next_cursor` is the last entry's cursor (or the given one when nothing new is visible).
    Raises InvalidCursor.
    """
    after = FeedPosition.parse(cursor)
    async with db.read(snapshot=True) as connection:
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
