"""The till session of a request: `Authorization: Bearer <token>` from sign-in
(POST /v1/till-sessions), and a manager override's code and PIN for one action
(`X-Override-Staff-Code`, `X-Override-Pin`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Request

from edge.api.deps import identity_of
from edge.bootstrap import EdgeRuntime
from edge.domain.audit import Acting
from edge.service import staff
from shared.bounds import StaffCode


def _bearer(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def get_session(
    request: Request,
    authorization: Annotated[str | None, Header(max_length=512)] = None,
) -> Acting:
    """Who is signed in at the till making the request. Raises NotEnrolled (409: no staff
    before enrolment), NotSignedIn (401)."""
    runtime: EdgeRuntime = request.app.state.runtime
    identity_of(runtime)
    token = _bearer(authorization)
    max_age = timedelta(hours=runtime.settings.till_session_hours)
    return await runtime.read_here(lambda uow: staff.current_session(token, uow, max_age=max_age))


SessionDep = Annotated[Acting, Depends(get_session)]


async def get_override(
    x_override_staff_code: Annotated[StaffCode | None, Header()] = None,
    x_override_pin: Annotated[str | None, Header(pattern=r"^[0-9]{4,8}$")] = None,
) -> staff.OverrideRequest | None:
    """A supervisor's or manager's code and PIN sent with one request to approve it; both
    headers or neither (422 otherwise)."""
    if x_override_staff_code is None and x_override_pin is None:
        return None
    if x_override_staff_code is None or x_override_pin is None:
        raise staff.OverrideIncomplete()
    return staff.OverrideRequest(x_override_staff_code, x_override_pin)


OverrideDep = Annotated[staff.OverrideRequest | None, Depends(get_override)]
