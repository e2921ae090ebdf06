"""Records both sides may edit (customers, store settings) at the hub: merge, log, publish.

Edits from stores arrive as `record.updated` events; HQ edits here. Both go through `merge`:
field-level last-writer-wins by HLC (sync.records), every losing value in the conflict log,
and the merged record published to the stores it concerns, where the same rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters.database import HubDatabase
from hub.adapters.repository import FeedRepository, RecordRepository, StoreRepository
from hub.errors import InvalidRequest, RecordNotFound, StoreNotFound
from shared.clock import Clock, HybridLogicalClock
from sync.messages import RecordUpdatedV1
from sync.records import (
    FieldValue,
    check_fields,
    conflict_rows,
    from_json,
    merge_fields,
    newest_stamp,
    stamped_edit,
    to_json,
)


async def merge(
    entity: str,
    key: str,
    incoming: dict[str, FieldValue],
    connection: AsyncConnection,
    now: datetime,
) -> dict[str, FieldValue]:
    """Merge `incoming` into the held record in the caller's transaction; log and publish."""
    records = RecordRepository(connection)
    held = await records.get(entity, key, lock=True)
    held_fields = from_json(held[0]) if held else {}
    merged, conflicts = merge_fields(held_fields, incoming)
    await records.log_conflicts(
        [row | {"recorded_at": now} for row in conflict_rows(entity, key, conflicts)]
    )
    if merged != held_fields:
        version = (held[1] if held else 0) + 1
        await records.save(entity, key, to_json(merged), version, now)
        await FeedRepository(connection).append(
            [
                {
                    "store_id": key if entity == "store_settings" else None,
                    "entity": entity,
                    "entity_key": key,
                    "version": version,
                    "op": "upsert",
                    "payload": RecordUpdatedV1(
                        entity=entity, key=key, fields=to_json(merged)
                    ).model_dump(mode="json"),
                    "created_at": now,
                }
            ]
        )
    return merged


async def edit_record(
    entity: str, key: str, values: dict[str, str | None], db: HubDatabase, clock: Clock
) -> dict[str, FieldValue]:
    """HQ edits fields of a record. Its stamp follows every edit the hub has seen of the record,
    so it wins over them; an edit still travelling from a store may be newer. Raises
    InvalidRequest (unknown entity or field, value too long), StoreNotFound.
    """
    try:
        check_fields(entity, values)
    except ValueError as error:
        raise InvalidRequest(str(error)) from None
    now = clock.now()
    async with db.write() as connection:
        if entity == "store_settings" and await StoreRepository(connection).get(key) is None:
            raise StoreNotFound(key)
        held = await RecordRepository(connection).get(entity, key, lock=True)
        held_fields = from_json(held[0]) if held else {}
        stamp = HybridLogicalClock(clock, "hub", newest_stamp(held_fields)).tick().encode()
        return await merge(entity, key, stamped_edit(held_fields, values, stamp), connection, now)


async def get_record(entity: str, key: str, db: HubDatabase) -> dict[str, FieldValue]:
    """Raises RecordNotFound."""
    async with db.read() as connection:
        held = await RecordRepository(connection).get(entity, key)
    if held is None:
        raise RecordNotFound(entity, key)
    return from_json(held[0])


@dataclass(frozen=True, slots=True)
class Conflict:
    conflict_id: int
    entity: str
    key: str
    field: str
    kept_value: str | None
    kept_hlc: str
    lost_value: str | None
    lost_hlc: str
    recorded_at: datetime


async def list_conflicts(
    db: HubDatabase,
    *,
    entity: str | None = None,
    key: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[Conflict]:
    async with db.read() as connection:
        rows = await RecordRepository(connection).conflicts(entity, key, after_id, limit)
    return [
        Conflict(
            row.conflict_id,
            row.entity,
            row.record_key,
            row.field,
            row.kept_value,
            row.kept_hlc,
            row.lost_value,
            row.lost_hlc,
            row.recorded_at,
        )
        for row in rows
    ]


async def conflict_count(db: HubDatabase) -> int:
    async with db.read() as connection:
        return await RecordRepository(connection).count_conflicts()
