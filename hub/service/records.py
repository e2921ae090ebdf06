"""Records both sides may edit (customers, store settings) at the hub: merge, log, publish.

Edits from stores arrive as `record.updated` events; HQ edits here. Both go through `merge`:
field-level last-writer-wins by HLC (sync.records), every losing value in the conflict log,
and the merged record published to the stores it concerns, where the same rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.feed import FeedEntry
from hub.domain.records import ConflictRecord
from hub.errors import InvalidRequest, RecordNotFound, StoreNotFound
from shared.clock import HybridLogicalClock
from sync.messages import RecordUpdatedV1
from sync.records import (
    FieldValue,
    check_fields,
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
    tx: HubTransaction,
    now: datetime,
) -> dict[str, FieldValue]:
    """Merge `incoming` into the held record in the caller's transaction; log the losing
    values and publish the record if it changed. Returns the merged fields."""
    held = await tx.records.get(entity, key, lock=True)
    held_fields = from_json(held.fields) if held else {}
    merged, conflicts = merge_fields(held_fields, incoming)
    await tx.records.log_conflicts(entity, key, conflicts, now)
    if merged != held_fields:
        version = (held.version if held else 0) + 1
        await tx.records.save(entity, key, to_json(merged), version, now)
        tx.publish(
            FeedEntry(
                store_id=key if entity == "store_settings" else None,
                entity=entity,
                entity_key=key,
                version=version,
                payload=RecordUpdatedV1(entity=entity, key=key, fields=to_json(merged)).model_dump(
                    mode="json"
                ),
                created_at=now,
            )
        )
    return merged


@dataclass(frozen=True, slots=True)
class EditRecord:
    """HQ sets `values` (field -> text, None clears it) on record `key` of `entity`
    (`customer`, or `store_settings` keyed by store id)."""

    entity: str
    key: str
    values: dict[str, str | None]


async def edit_record(command: EditRecord, uow: HubUnitOfWork) -> dict[str, FieldValue]:
    """HQ edits fields of a record; returns the record's fields after the merge. Its stamp
    follows every edit the hub has seen of the record, so it wins over them; an edit still
    travelling from a store may be newer. Raises InvalidRequest (unknown entity or field,
    value too long), StoreNotFound.
    """
    entity, key, values = command.entity, command.key, command.values
    try:
        check_fields(entity, values)
    except ValueError as error:
        raise InvalidRequest(str(error)) from None
    now = uow.now()
    async with uow.write() as tx:
        if entity == "store_settings" and await tx.stores.get(key) is None:
            raise StoreNotFound(key)
        held = await tx.records.get(entity, key, lock=True)
        held_fields = from_json(held.fields) if held else {}
        stamp = HybridLogicalClock(uow.clock, "hub", newest_stamp(held_fields)).tick().encode()
        return await merge(entity, key, stamped_edit(held_fields, values, stamp), tx, now)


async def get_record(entity: str, key: str, uow: HubUnitOfWork) -> dict[str, FieldValue]:
    """Raises RecordNotFound."""
    async with uow.read() as tx:
        held = await tx.records.get(entity, key)
    if held is None:
        raise RecordNotFound(entity, key)
    return from_json(held.fields)


async def list_conflicts(
    *,
    entity: str | None = None,
    key: str | None = None,
    after_id: int = 0,
    limit: int = 100,
    uow: HubUnitOfWork,
) -> list[ConflictRecord]:
    """Values that lost a merge, oldest first; page with `after_id`."""
    async with uow.read() as tx:
        return await tx.records.conflicts(entity, key, after_id, limit)


async def conflict_count(uow: HubUnitOfWork) -> int:
    async with uow.read() as tx:
        return await tx.records.count_conflicts()
