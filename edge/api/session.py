"""The till session of a request: `Authorization: Bearer <token>` from sign-in
(POST /v1/till-sessions), and a manager override's code and PIN for one action
(`X-Override-Staff-Code`, `X-Override-Pin`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request, params
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute

from edge.api.deps import identity_of
from edge.bootstrap import EdgeRuntime
from edge.domain.audit import Acting
from edge.domain.node import NodeIdentity
from edge.service import staff
from shared.bounds import StaffCode
from sync.openapi import dependency_calls

_PIN = r"^[0-9]{4,8}$"

# Each header is declared once, here, and every dependency that reads it takes the alias, so
# its limits cannot drift apart between routes (the OpenAPI entry is built from them).
AUTHORIZATION_MAX = 512  # characters of an Authorization header
AuthorizationHeader = Annotated[str | None, Header(max_length=AUTHORIZATION_MAX)]
OverrideCodeHeader = Annotated[StaffCode | None, Header()]
OverridePinHeader = Annotated[str | None, Header(pattern=_PIN)]


def _bearer(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _claim(runtime: EdgeRuntime, authorization: str | None) -> staff.SessionClaim:
    token = staff.require_token(_bearer(authorization))
    return staff.SessionClaim(token, timedelta(hours=runtime.settings.till_session_hours))


async def get_session_claim(
    request: Request, authorization: AuthorizationHeader = None
) -> staff.SessionClaim:
    """The till session the request claims, checked in the route's write transaction
    (`staff.SessionClaim`). Raises NotEnrolled (409), NotSignedIn (401: no bearer token)."""
    runtime: EdgeRuntime = request.app.state.runtime
    identity_of(runtime)
    return _claim(runtime, authorization)


async def get_session(request: Request, authorization: AuthorizationHeader = None) -> Acting:
    """Who is signed in at the till making the request. Raises NotEnrolled (409: no staff
    before enrolment), NotSignedIn (401)."""
    claim = await get_session_claim(request, authorization)
    runtime: EdgeRuntime = request.app.state.runtime
    return await runtime.read_here(claim.check)


SessionDep = Annotated[Acting, Depends(get_session)]


def override_of(code: str | None, pin: str | None) -> staff.OverrideRequest | None:
    """A supervisor's or manager's code and PIN sent with one request to approve it; both
    or neither. Raises OverrideIncomplete (422) for one without the other."""
    if code is None and pin is None:
        return None
    if code is None or pin is None:
        raise staff.OverrideIncomplete()
    return staff.OverrideRequest(code, pin)


async def get_override(
    x_override_staff_code: OverrideCodeHeader = None, x_override_pin: OverridePinHeader = None
) -> staff.OverrideRequest | None:
    """A supervisor's or manager's code and PIN sent with one request to approve it; both
    headers or neither (422 otherwise)."""
    return override_of(x_override_staff_code, x_override_pin)


OverrideDep = Annotated[staff.OverrideRequest | None, Depends(get_override)]


@dataclass(frozen=True, slots=True)
class TillWrite:
    """What a scan needs from its request: the runtime, the node's identity, the session the
    request claims (checked in the scan's own write) and the override it carries."""

    runtime: EdgeRuntime
    identity: NodeIdentity
    claim: staff.SessionClaim
    override: staff.OverrideRequest | None


async def get_till_write(
    request: Request,
    authorization: AuthorizationHeader = None,
    x_override_staff_code: OverrideCodeHeader = None,
    x_override_pin: OverridePinHeader = None,
) -> TillWrite:
    """The runtime, the identity, the claimed session (`get_session_claim`) and the override
    (`get_override`) as one dependency, with the same headers, checks and errors, in that
    order. FastAPI solves every dependency's parameters again on each request, and a scan is
    the till's most frequent one (measured in docs/operations.md). One difference, with two
    faults at once: FastAPI checks all three headers before any of this runs, so a malformed
    override header is now refused (422) ahead of a node not enrolled (409) or a missing
    token (401), which answered first before.

    Raises NotEnrolled (409), NotSignedIn (401), OverrideIncomplete (422)."""
    return till_write(
        request.app.state.runtime, authorization, x_override_staff_code, x_override_pin
    )


def till_write(
    runtime: EdgeRuntime, authorization: str | None, code: str | None, pin: str | None
) -> TillWrite:
    """`get_till_write` on headers already checked. Raises NotEnrolled (409), NotSignedIn
    (401), OverrideIncomplete (422), in that order."""
    identity = identity_of(runtime)
    claim = _claim(runtime, authorization)
    return TillWrite(runtime, identity, claim, override_of(code, pin))


TillWriteDep = Annotated[TillWrite, Depends(get_till_write)]


SESSION_CHECKS = (get_session, get_session_claim, get_till_write)


class SignedInRoute(APIRoute):
    """A route only a signed-in till may call (`APIRouter(route_class=SignedInRoute)`): the
    session is checked by the route's own `SessionDep` or `TillWriteDep` when it takes
    one, else by a dependency added here, so never twice. (A dependency on the router and
    again on the route would be solved twice, its header included: FastAPI caches the value,
    not the solving.)"""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        dependencies: Sequence[params.Depends] | None = None,
        **kwargs: Any,
    ) -> None:
        dependencies = list(dependencies or [])
        if not checks_session(get_dependant(path=path, call=endpoint), dependencies):
            dependencies.insert(0, Depends(get_session))
        super().__init__(path, endpoint, dependencies=dependencies, **kwargs)


def checks_session(dependant: Dependant, extra: Sequence[params.Depends] = ()) -> bool:
    """Whether one of `SESSION_CHECKS` is among `dependant`'s dependencies (at any depth) or
    `extra`."""
    return any(depends.dependency in SESSION_CHECKS for depends in extra) or any(
        call in SESSION_CHECKS for call in dependency_calls(dependant)
    )
