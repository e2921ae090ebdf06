"""Records both sides may edit (customers, store settings, staff PIN hashes) at the hub:
merge, log, publish.

Edits from stores arrive as `record.updated` events; HQ edits here (a staff PIN through
hub.service.staff, never here). All go through `merge`: field-level last-writer-wins by HLC
(sync.records), every losing value in the conflict log (a losing PIN hash as a placeholder:
the log shows that a PIN change lost, not the hash), and the merged record published to the
stores it concerns (a customer: every store; store settings: that store; a staff PIN: each
store the staff member works at now), where the same rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.feed import FeedEntry
from hub.domain.records import ConflictRecord
from hub.errors import InvalidRequest, PinNotEditableHere, RecordNotFound, StoreNotFound
from shared.clock import HybridLogicalClock
from sync.messages import RecordUpdatedV1
from sync.records import (
    FieldConflict,
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
    if entity == "staff_pin":
        conflicts = [_withheld(conflict) for conflict in conflicts]
    await tx.records.log_conflicts(entity, key, conflicts, now)
    if merged != held_fields:
        version = (held.version if held else 0) + 1
        await tx.records.save(entity, key, to_json(merged), version, now)
        for store_id in await _audience(entity, key, tx):
            tx.publish(record_entry(entity, key, merged, version, store_id, now))
    return merged


# What the conflict log keeps of a PIN hash that lost a merge: that it did, not the hash.
PIN_HASH_WITHHELD = "(PIN hash withheld)"


def _withheld(conflict: FieldConflict) -> FieldConflict:
    return FieldConflict(
        conflict.field,
        FieldValue(PIN_HASH_WITHHELD, conflict.kept.hlc, conflict.kept.base),
        FieldValue(PIN_HASH_WITHHELD, conflict.lost.hlc, conflict.lost.base),
    )


async def _audience(entity: str, key: str, tx: HubTransaction) -> list[str | None]:
    """The feeds a record goes to: None (every store) for a customer, the store for its
    settings, the stores a staff member works at now for their PIN hash."""
    if entity == "store_settings":
        return [key]
    if entity == "staff_pin":
        staff = await tx.staff.get(key)
        return list(staff.stores) if staff is not None and staff.active else []
    return [None]


def record_entry(
    entity: str,
    key: str,
    fields: dict[str, FieldValue],
    version: int,
    store_id: str | None,
    now: datetime,
) -> FeedEntry:
    """The feed entry of a record at `version` for `store_id`'s feed (None: every store's)."""
    return FeedEntry(
        store_id=store_id,
        entity=entity,
        entity_key=key,
        version=version,
        payload=RecordUpdatedV1(entity=entity, key=key, fields=to_json(fields)).model_dump(
            mode="json"
        ),
        created_at=now,
    )


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
    travelling from a store may be newer. Raises PinNotEditableHere (a staff PIN: HQ sets
    one with hub.service.staff.reset_pin), InvalidRequest (unknown entity or field, value too
    long), StoreNotFound.
    """
    entity, key, values = command.entity, command.key, command.values
    if entity == "staff_pin":
        raise PinNotEditableHere()
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
    """Raises PinNotEditableHere (a staff PIN hash is never shown), RecordNotFound."""
    if entity == "staff_pin":
        raise PinNotEditableHere()
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
