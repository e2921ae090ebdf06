"""Dependencies of the hub's routes: the runtime and the three kinds of caller."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.bootstrap import HubRuntime
from hub.errors import PermissionDenied, Unauthenticated
from hub.service.stores import (
    AuthenticatedNode,
    authenticate_api_key,
    authenticate_node,
    identify_api_key,
)

_bearer = HTTPBearer(auto_error=False)


async def get_runtime(request: Request) -> HubRuntime:
    runtime: HubRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[HubRuntime, Depends(get_runtime)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _secret(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("missing Authorization: Bearer header")
    return credentials.credentials


def _is_admin(runtime: HubRuntime, secret: str) -> bool:
    admin = runtime.settings.admin_token
    return admin is not None and hmac.compare_digest(
        admin.get_secret_value().encode(), secret.encode()
    )


async def require_hq(runtime: RuntimeDep, credentials: BearerDep) -> str:
    """HQ staff: the admin token or an `hq` API key. Raises Unauthenticated, PermissionDenied."""
    secret = _secret(credentials)
    if _is_admin(runtime, secret):
        return "admin"
    scope = await authenticate_api_key(secret, runtime.uow)
    if scope != "hq":
        raise PermissionDenied(f"an {scope} API key cannot use HQ routes")
    return scope


async def require_hq_person(runtime: RuntimeDep, credentials: BearerDep) -> str:
    """HQ staff by name, for decisions a person answers for: `admin` for the admin token, else
    the `hq` API key's name. Raises Unauthenticated, PermissionDenied."""
    secret = _secret(credentials)
    if _is_admin(runtime, secret):
        return "admin"
    record = await identify_api_key(secret, runtime.uow)
    if record.scope != "hq":
        raise PermissionDenied(f"an {record.scope} API key cannot use HQ routes")
    return record.name


async def require_admin(runtime: RuntimeDep, credentials: BearerDep) -> str:
    """Only the admin token (for issuing API keys)."""
    if not _is_admin(runtime, _secret(credentials)):
        raise Unauthenticated("this route needs the hub's admin token")
    return "admin"


async def require_erp(runtime: RuntimeDep, credentials: BearerDep) -> str:
    """An ERP integration (`erp` key) or HQ. Raises Unauthenticated."""
    secret = _secret(credentials)
    if _is_admin(runtime, secret):
        return "admin"
    return await authenticate_api_key(secret, runtime.uow)


async def require_node(runtime: RuntimeDep, credentials: BearerDep) -> AuthenticatedNode:
    """An enrolled edge node, by its store credential. Raises Unauthenticated,
    CredentialExpired."""
    return await authenticate_node(
        _secret(credentials), runtime.uow, policy=runtime.settings.credential_policy()
    )


async def require_rotating_node(runtime: RuntimeDep, credentials: BearerDep) -> AuthenticatedNode:
    """A node rotating its credential: one past its maximum age is accepted in its grace
    period. Raises Unauthenticated, CredentialExpired."""
    return await authenticate_node(
        _secret(credentials),
        runtime.uow,
        policy=runtime.settings.credential_policy(),
        for_rotation=True,
    )


HqCaller = Annotated[str, Depends(require_hq)]
HqPerson = Annotated[str, Depends(require_hq_person)]
AdminCaller = Annotated[str, Depends(require_admin)]
ErpCaller = Annotated[str, Depends(require_erp)]
NodeCaller = Annotated[AuthenticatedNode, Depends(require_node)]
RotatingNodeCaller = Annotated[AuthenticatedNode, Depends(require_rotating_node)]
