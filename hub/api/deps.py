"""Dependencies of the hub's routes: the runtime and the three kinds of caller.

Every authentication passes the limiter of failed attempts first (hub.api.auth_failures): a
source or key over its limit is refused with 429 before its secret is checked, and each 401
is counted, logged and metered there. An HQ, ERP or admin caller is noted on the request
(`AUDIT_ACTOR` in its scope's state) for the audit trail (hub.api.audit).
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.api.auth_failures import Attempt, AuthFailures
from hub.bootstrap import HubRuntime
from hub.domain.audit import AuditActor
from hub.errors import PermissionDenied, Unauthenticated
from hub.service.stores import (
    AuthenticatedNode,
    authenticate_node,
    identify_api_key,
)

_bearer = HTTPBearer(auto_error=False)
T = TypeVar("T")

AUDIT_ACTOR = "audit_actor"
"""The key of the request state that names an HQ, ERP or admin caller (an AuditActor)."""


async def get_runtime(request: Request) -> HubRuntime:
    runtime: HubRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[HubRuntime, Depends(get_runtime)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _failures(request: Request) -> AuthFailures:
    failures: AuthFailures = request.app.state.auth_failures
    return failures


async def _guarded(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    authenticate: Callable[[str], Awaitable[T]],
) -> T:
    """`authenticate(secret)` behind the limiter. Raises TooManyAttempts (before the secret is
    checked), Unauthenticated (counted and logged), or what `authenticate` raises."""
    secret = credentials.credentials if credentials is not None else None
    failures = _failures(request)
    attempt = Attempt.of(request, secret)
    await failures.check(attempt)
    try:
        if not secret:
            raise Unauthenticated("missing Authorization: Bearer header", reason="missing_secret")
        return await authenticate(secret)
    except Unauthenticated as error:
        await failures.failed(attempt, error.reason, error.key_id)
        raise


def _is_admin(runtime: HubRuntime, secret: str) -> bool:
    admin = runtime.settings.admin_token
    return admin is not None and hmac.compare_digest(
        admin.get_secret_value().encode(), secret.encode()
    )


def _note(request: Request, actor: AuditActor) -> None:
    setattr(request.state, AUDIT_ACTOR, actor)


async def _hq_key_or_admin(request: Request, runtime: HubRuntime, secret: str) -> AuditActor:
    if _is_admin(runtime, secret):
        actor = AuditActor.admin()
        _note(request, actor)
        return actor
    record = await identify_api_key(secret, runtime.uow)
    _note(request, AuditActor(record.key_id, record.name))
    if record.scope != "hq":
        raise PermissionDenied(f"an {record.scope} API key cannot use HQ routes")
    return AuditActor(record.key_id, record.name)


async def require_hq(request: Request, runtime: RuntimeDep, credentials: BearerDep) -> str:
    """HQ staff: the admin token or an `hq` API key; returns "admin" or "hq". Raises
    TooManyAttempts, Unauthenticated, PermissionDenied."""

    async def authenticate(secret: str) -> str:
        actor = await _hq_key_or_admin(request, runtime, secret)
        return "admin" if actor.key_id is None else "hq"

    return await _guarded(request, credentials, authenticate)


async def require_hq_person(request: Request, runtime: RuntimeDep, credentials: BearerDep) -> str:
    """HQ staff by name, for decisions a person answers for: `admin` for the admin token, else
    the `hq` API key's name. Raises TooManyAttempts, Unauthenticated, PermissionDenied."""

    async def authenticate(secret: str) -> str:
        actor = await _hq_key_or_admin(request, runtime, secret)
        return "admin" if actor.key_id is None else actor.name

    return await _guarded(request, credentials, authenticate)


async def require_admin(request: Request, runtime: RuntimeDep, credentials: BearerDep) -> str:
    """Only the admin token (for issuing API keys). Raises TooManyAttempts, Unauthenticated."""

    async def authenticate(secret: str) -> str:
        if not _is_admin(runtime, secret):
            raise Unauthenticated("this route needs the hub's admin token", reason="wrong_kind")
        _note(request, AuditActor.admin())
        return "admin"

    return await _guarded(request, credentials, authenticate)


async def require_erp(request: Request, runtime: RuntimeDep, credentials: BearerDep) -> str:
    """An ERP integration (`erp` key) or HQ; returns "admin" or the key's scope. Raises
    TooManyAttempts, Unauthenticated."""

    async def authenticate(secret: str) -> str:
        if _is_admin(runtime, secret):
            _note(request, AuditActor.admin())
            return "admin"
        record = await identify_api_key(secret, runtime.uow)
        _note(request, AuditActor(record.key_id, record.name))
        return record.scope

    return await _guarded(request, credentials, authenticate)


async def require_node(
    request: Request, runtime: RuntimeDep, credentials: BearerDep
) -> AuthenticatedNode:
    """An enrolled edge node, by its store credential. Raises TooManyAttempts, Unauthenticated,
    CredentialExpired."""

    async def authenticate(secret: str) -> AuthenticatedNode:
        return await authenticate_node(
            secret, runtime.uow, policy=runtime.settings.credential_policy()
        )

    return await _guarded(request, credentials, authenticate)


async def require_rotating_node(
    request: Request, runtime: RuntimeDep, credentials: BearerDep
) -> AuthenticatedNode:
    """A node rotating its credential: one past its maximum age is accepted in its grace
    period. Raises TooManyAttempts, Unauthenticated, CredentialExpired."""

    async def authenticate(secret: str) -> AuthenticatedNode:
        return await authenticate_node(
            secret,
            runtime.uow,
            policy=runtime.settings.credential_policy(),
            for_rotation=True,
        )

    return await _guarded(request, credentials, authenticate)


async def guard_enrolment(request: Request) -> AsyncIterator[None]:
    """The limiter around `POST /v1/sync/enrol`, whose token is in the body: a source or token
    over its limit is refused before the token is checked, and a refused token counts against
    the source and the token's fingerprint. Raises TooManyAttempts."""
    failures = _failures(request)
    attempt = Attempt.of(request, await _body_token(request))
    await failures.check(attempt)
    try:
        yield
    except Unauthenticated as error:
        await failures.failed(attempt, error.reason, error.key_id)
        raise


async def _body_token(request: Request) -> str | None:
    """The `token` of a JSON body FastAPI has already read (the request caches it), or None."""
    try:
        body = await request.json()
    except ValueError:
        return None
    token = body.get("token") if isinstance(body, dict) else None
    return token if isinstance(token, str) else None


HqCaller = Annotated[str, Depends(require_hq)]
HqPerson = Annotated[str, Depends(require_hq_person)]
AdminCaller = Annotated[str, Depends(require_admin)]
ErpCaller = Annotated[str, Depends(require_erp)]
NodeCaller = Annotated[AuthenticatedNode, Depends(require_node)]
EnrolmentGuard = Depends(guard_enrolment)
RotatingNodeCaller = Annotated[AuthenticatedNode, Depends(require_rotating_node)]
