"""Shifts at a till: open with the float, X at any time, close with the blind count into the
Z report, no-sale; and the Z history. Works offline: the Z reaches HQ through the outbox."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from edge.api.deps import IdentityDep, RuntimeDep
from edge.api.schemas.common import TillId
from edge.api.schemas.shifts import (
    CloseShiftIn,
    NoSaleIn,
    OpenShiftIn,
    ShiftOut,
    XReportOut,
    ZReportOut,
)
from edge.api.session import OverrideDep, SessionDep, SignedInRoute
from edge.service import shifts, staff
from shared.bounds import Cursor, Day

router = APIRouter(prefix="/v1", tags=["Shifts"], route_class=SignedInRoute)


@router.post("/shifts", response_model=ShiftOut, status_code=status.HTTP_201_CREATED)
async def open_shift(
    body: OpenShiftIn,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    identity: IdentityDep,
) -> ShiftOut:
    """Open a shift at the session's till with the float counted by denomination or as a
    total (201; a retried `shift_id`, 200). 409 `shift_already_open` if the till has one."""
    staff.require_till(session, body.till_id)
    command = shifts.OpenShift(
        till_id=body.till_id,
        float_counts=body.float_counts,
        float_total=body.float_total,
        shift_id=body.shift_id,
    )
    view, created = await runtime.write(
        lambda uow: shifts.open_shift(command, uow, session, identity=identity)
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return ShiftOut.of(view)


@router.get("/shifts/current", response_model=ShiftOut)
async def current_shift(
    session: SessionDep,
    runtime: RuntimeDep,
    identity: IdentityDep,
    till_id: Annotated[TillId | None, Query()] = None,
) -> ShiftOut:
    """The open shift of `till_id` (default: the session's till). 409 `no_open_shift`."""
    till = till_id or session.till_id
    return ShiftOut.of(
        await runtime.read(lambda uow: shifts.current_shift(till, uow, identity=identity))
    )


@router.get("/shifts/{shift_id}", response_model=ShiftOut)
async def get_shift(shift_id: UUID, runtime: RuntimeDep, identity: IdentityDep) -> ShiftOut:
    return ShiftOut.of(
        await runtime.read(lambda uow: shifts.get_shift(str(shift_id), uow, identity=identity))
    )


@router.get("/shifts/{shift_id}/x-report", response_model=XReportOut)
async def x_report(shift_id: UUID, runtime: RuntimeDep, identity: IdentityDep) -> XReportOut:
    """The shift's figures now (read-only, any time, any number of times)."""
    report, view = await runtime.read(
        lambda uow: shifts.x_report(str(shift_id), uow, identity=identity)
    )
    return XReportOut.of(report, view)


@router.post(
    "/shifts/{shift_id}/close", response_model=ZReportOut, status_code=status.HTTP_201_CREATED
)
async def close_shift(
    shift_id: UUID,
    body: CloseShiftIn,
    response: Response,
    session: SessionDep,
    override: OverrideDep,
    runtime: RuntimeDep,
    identity: IdentityDep,
) -> ZReportOut:
    """Close the shift with the blind count by denomination into its Z report (201; the
    same count again, 200 with the same Z). Another cashier's shift needs a manager
    (`close_other_shift`). 409 `carts_open` while the till has an open cart."""
    command = shifts.CloseShift(str(shift_id), body.counted, body.counted_total)
    report, created = await runtime.write(
        lambda uow: shifts.close_at_till(command, session, override, uow, identity=identity)
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return ZReportOut.of(report)


@router.get("/z-reports", response_model=list[ZReportOut])
async def z_reports(
    runtime: RuntimeDep,
    till_id: Annotated[TillId | None, Query()] = None,
    from_: Annotated[Day | None, Query(alias="from")] = None,
    to: Annotated[Day | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[Cursor, Query()] = 0,
) -> list[ZReportOut]:
    """This node's Z reports by till and number; business days `from`-`to` inclusive."""
    reports = await runtime.read(
        lambda uow: shifts.z_reports(
            uow, till_id=till_id, first_day=from_, last_day=to, limit=limit, offset=offset
        )
    )
    return [ZReportOut.of(report) for report in reports]


@router.post("/tills/{till_id}/no-sale", response_model=ShiftOut)
async def no_sale(
    till_id: TillId,
    session: SessionDep,
    override: OverrideDep,
    runtime: RuntimeDep,
    identity: IdentityDep,
    body: NoSaleIn | None = None,
) -> ShiftOut:
    """Open the drawer with no sale (`no_sale`: a supervisor, or an override); counted in
    the shift's X and Z and audited. A `no_sale_id` sent again is a retry, counted once."""
    no_sale_id = body.no_sale_id if body is not None else None
    view = await runtime.write(
        lambda uow: shifts.no_sale_at_till(
            till_id, session, override, uow, identity=identity, no_sale_id=no_sale_id
        )
    )
    return ShiftOut.of(view)
