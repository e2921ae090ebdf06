"""Records both sides may edit (customers, store settings): the manager's edits, the log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from edge.api.deps import IdentityDep, RuntimeDep
from edge.api.session import OverrideDep, SessionDep, SignedInRoute
from edge.service import records, staff
from shared.bounds import Cursor, Reference
from sync.record_schemas import ConflictOut, RecordIn, RecordOut

router = APIRouter(prefix="/v1", tags=["Shared records"], route_class=SignedInRoute)
Entity = Literal["customer", "store_settings"]
RecordKey = Annotated[Reference, Path()]


@router.put("/records/{entity}/{key}", response_model=RecordOut)
async def edit(
    entity: Entity,
    key: RecordKey,
    body: RecordIn,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> RecordOut:
    """Edit fields here, offline or not; the edit reaches HQ through the outbox. The newest
    edit of each field wins everywhere; a concurrent value that lost is kept in the log."""
    command = records.EditRecord(entity, key, body.fields)
    fields = await runtime.write(
        lambda uow: staff.edit_record(
            command, session, override, uow, identity=identity, clock=runtime.clock
        )
    )
    return RecordOut.of(entity, key, fields)


@router.get("/records/{entity}/{key}", response_model=RecordOut)
async def read(entity: Entity, key: RecordKey, runtime: RuntimeDep) -> RecordOut:
    fields = await runtime.read(lambda uow: records.get_record(entity, key, uow))
    return RecordOut.of(entity, key, fields)


@router.get("/conflicts", response_model=list[ConflictOut])
async def conflicts(
    runtime: RuntimeDep,
    entity: Entity | None = None,
    key: Annotated[Reference | None, Query()] = None,
    after_id: Annotated[Cursor, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ConflictOut]:
    """Values that lost a merge to a concurrent edit of the same field, oldest first."""
    logged = await runtime.read(
        lambda uow: records.conflicts(uow, entity=entity, key=key, after_id=after_id, limit=limit)
    )
    return [
        ConflictOut(
            conflict_id=conflict.conflict_id,
            entity=conflict.entity,
            key=conflict.key,
            field=conflict.field,
            kept_value=conflict.kept_value,
            kept_hlc=conflict.kept_hlc,
            lost_value=conflict.lost_value,
            lost_hlc=conflict.lost_hlc,
            recorded_at=conflict.recorded_at,
        )
        for conflict in logged
    ]
