"""Staff as HQ records: who works at which stores, with which role; PINs set by HQ.

A PIN goes in (`POST /v1/staff`, `POST /v1/staff/{staff_code}/pin`) and never comes out: no
answer carries a PIN or its hash. The HQ audit trail records each change (hub.api.audit) with
its path only, never the body.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hub.api.deps import HqCaller, RuntimeDep
from hub.domain.staff import StaffRecord
from hub.service import staff as service
from shared.bounds import Identifier, Name, ShortText, StaffCode
from sync.messages import StaffRole

router = APIRouter(prefix="/v1", tags=["Staff"])

CodeInPath = Annotated[StaffCode, Path(description="The staff code, 3 to 12 digits")]
Stores = Annotated[list[Identifier], Field(max_length=1000)]
Pin = Annotated[
    ShortText,
    Field(
        description="4 to 8 digits (leading zeros count). HQ may set a trivial PIN such as "
        "1234; a staff member changing their own at a till may not. Never shown again."
    ),
]


class StaffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    staff_code: StaffCode = Field(description="3 to 12 digits, unique across the stores")
    name: Name
    role: StaffRole
    stores: Stores = Field(description="The stores they work at (store ids)")
    pin: Pin


class StaffPatchIn(BaseModel):
    """What to change; a field left out (or null) stays as it is."""

    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    role: StaffRole | None = None
    stores: Stores | None = Field(
        default=None,
        description="Replaces the list; a store taken off it is told they are no longer "
        "active there",
    )
    active: bool | None = Field(default=None, description="false: they left every store")


class PinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pin: Pin


class StaffOut(BaseModel):
    staff_code: str
    name: str
    role: StaffRole
    stores: list[str]
    active: bool
    version: int = Field(description="One more per change sent to the stores")
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @classmethod
    def of(cls, record: StaffRecord) -> StaffOut:
        return cls(
            staff_code=record.staff_code,
            name=record.name,
            role=record.role,
            stores=list(record.stores),
            active=record.active,
            version=record.version,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class StaffPageOut(BaseModel):
    staff: list[StaffOut]
    next_after: str | None = Field(description="Pass as `after` for the next page; null: last")


@router.post("/staff", status_code=status.HTTP_201_CREATED, response_model=StaffOut)
async def create_staff(body: StaffIn, runtime: RuntimeDep, _: HqCaller) -> StaffOut:
    """Add a staff member; they and their PIN's argon2id hash go to each of their stores'
    feeds, so they can sign in there, offline too."""
    record = await service.create_staff(
        service.CreateStaff(body.staff_code, body.name, body.role, tuple(body.stores), body.pin),
        runtime.uow,
    )
    return StaffOut.of(record)


@router.get("/staff", response_model=StaffPageOut)
async def list_staff(
    runtime: RuntimeDep,
    _: HqCaller,
    store_id: Annotated[Identifier | None, Query()] = None,
    after: Annotated[StaffCode | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> StaffPageOut:
    """Staff in staff-code order; with `store_id`, those who work there now."""
    page = await service.list_staff(
        store_id=store_id, after=after or "", limit=limit, uow=runtime.uow
    )
    return StaffPageOut(
        staff=[StaffOut.of(record) for record in page.staff], next_after=page.next_after
    )


@router.get("/staff/{staff_code}", response_model=StaffOut)
async def get_staff(staff_code: CodeInPath, runtime: RuntimeDep, _: HqCaller) -> StaffOut:
    return StaffOut.of(await service.get_staff(staff_code, runtime.uow))


@router.patch("/staff/{staff_code}", response_model=StaffOut)
async def update_staff(
    staff_code: CodeInPath, body: StaffPatchIn, runtime: RuntimeDep, _: HqCaller
) -> StaffOut:
    """Change name, role, stores or active; the change reaches their stores' feeds."""
    record = await service.update_staff(
        service.UpdateStaff(
            staff_code,
            name=body.name,
            role=body.role,
            stores=None if body.stores is None else tuple(body.stores),
            active=body.active,
        ),
        runtime.uow,
    )
    return StaffOut.of(record)


@router.post("/staff/{staff_code}/pin", response_model=StaffOut)
async def reset_pin(
    staff_code: CodeInPath, body: PinIn, runtime: RuntimeDep, _: HqCaller
) -> StaffOut:
    """Set the staff member's PIN (forgotten, or to be replaced): its hash reaches their
    stores and wins over any earlier change of it, at HQ or at a till."""
    return StaffOut.of(await service.reset_pin(service.ResetPin(staff_code, body.pin), runtime.uow))
