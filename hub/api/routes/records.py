"""Records both sides may edit (customers, store settings): HQ's edits and the conflict log.
Staff PINs are shared records too, but not edited or shown here (hub.api.routes.staff)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from hub.api.deps import HqCaller, RuntimeDep
from hub.service import records
from shared.bounds import Cursor, Reference
from sync.record_schemas import ConflictOut, RecordIn, RecordOut

router = APIRouter(prefix="/v1", tags=["Shared records"])
# `staff_pin` is named so that asking for it gets 422 `pin_not_editable_here` (its hash is
# never shown; HQ sets a PIN with POST /v1/staff/{staff_code}/pin).
Entity = Literal["customer", "store_settings", "staff_pin"]
RecordKey = Annotated[Reference, Path()]


@router.put("/records/{entity}/{key}", response_model=RecordOut)
async def edit(
    entity: Entity, key: RecordKey, body: RecordIn, runtime: RuntimeDep, _: HqCaller
) -> RecordOut:
    """Edit fields as HQ: the newest edit of each field wins at every replica; the value it
    replaces is kept in the conflict log if it differed."""
    fields = await records.edit_record(records.EditRecord(entity, key, body.fields), runtime.uow)
    return RecordOut.of(entity, key, fields)


@router.get("/records/{entity}/{key}", response_model=RecordOut)
async def read(entity: Entity, key: RecordKey, runtime: RuntimeDep, _: HqCaller) -> RecordOut:
    return RecordOut.of(entity, key, await records.get_record(entity, key, runtime.uow))


@router.get("/conflicts", response_model=list[ConflictOut])
async def conflicts(
    runtime: RuntimeDep,
    _: HqCaller,
    entity: Entity | None = None,
    key: Annotated[Reference | None, Query()] = None,
    after_id: Annotated[Cursor, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ConflictOut]:
    """Values that lost a merge to a newer edit of the same field, oldest first."""
    found = await records.list_conflicts(
        entity=entity, key=key, after_id=after_id, limit=limit, uow=runtime.uow
    )
    return [
        ConflictOut(
            conflict_id=item.conflict_id,
            entity=item.entity,
            key=item.key,
            field=item.field,
            kept_value=item.kept_value,
            kept_hlc=item.kept_hlc,
            lost_value=item.lost_value,
            lost_hlc=item.lost_hlc,
            recorded_at=item.recorded_at,
        )
        for item in found
    ]
