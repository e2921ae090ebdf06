"""Sign-in at a till, the till session, PIN changes, and the store's staff (unlock)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from edge.api.deps import IdentityDep, RuntimeDep
from edge.api.schemas.staff import (
    PinChangeIn,
    SessionOut,
    SignedInOut,
    SignInIn,
    StaffStatusOut,
)
from edge.api.session import OverrideDep, SessionDep
from edge.service import staff
from shared.bounds import StaffCode

router = APIRouter(prefix="/v1", tags=["Staff"])


@router.post("/till-sessions", response_model=SignedInOut, status_code=status.HTTP_201_CREATED)
async def sign_in(body: SignInIn, runtime: RuntimeDep, identity: IdentityDep) -> SignedInOut:
    """Sign in at a till with staff code and PIN (works offline). 401 `wrong_pin` (counted:
    too many lock the staff member), 409 `staff_locked` (with the time the lock ends). The
    session open at that till ends."""
    command = staff.SignIn(body.till_id, body.staff_code, body.pin)
    opened = await runtime.write(lambda uow: staff.sign_in(command, uow, identity=identity))
    return SignedInOut.opened(opened)


@router.get("/till-sessions/current", response_model=SessionOut)
async def current(session: SessionDep) -> SessionOut:
    """Who is signed in with this token, at which till. 401 `not_signed_in`."""
    return SessionOut.of(session)


@router.delete("/till-sessions/current", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(session: SessionDep, runtime: RuntimeDep, identity: IdentityDep) -> Response:
    """Sign out: the token stops working."""
    await runtime.write(lambda uow: staff.sign_out(session, uow, identity=identity))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/till-sessions/current/pin", status_code=status.HTTP_204_NO_CONTENT)
async def change_pin(
    body: PinChangeIn, session: SessionDep, runtime: RuntimeDep, identity: IdentityDep
) -> Response:
    """The signed-in staff member changes their own PIN, old PIN first (a wrong one counts as
    at sign-in). 422 `pin_not_accepted` (not 4-8 digits, too easy, the same as the old).
    The change reaches HQ and the staff member's other stores as a shared record."""
    await runtime.write(
        lambda uow: staff.change_pin(
            session, body.old_pin, body.new_pin, uow, identity=identity
        )
    )  # fmt: skip
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/staff", response_model=list[StaffStatusOut])
async def staff_list(session: SessionDep, runtime: RuntimeDep) -> list[StaffStatusOut]:
    """The store's staff as HQ publishes them, with who is locked out now."""
    del session  # signed in: names are not for anyone on the network
    return [StaffStatusOut.of(status) for status in await runtime.read(staff.staff_list)]


@router.post("/staff/{staff_code}/unlock", response_model=StaffStatusOut)
async def unlock(
    staff_code: StaffCode,
    session: SessionDep,
    override: OverrideDep,
    runtime: RuntimeDep,
    identity: IdentityDep,
) -> StaffStatusOut:
    """A manager lifts a staff member's lock (signed in, or by override). 403 otherwise."""
    unlocked = await runtime.write(
        lambda uow: staff.unlock(staff_code, session, override, uow, identity=identity)
    )
    return StaffStatusOut.of(unlocked)
