"""The HQ audit trail's middleware, and the request id every answer carries.

Each request gets an id: the caller's `X-Request-ID` when it is 1-64 characters of
`A-Z a-z 0-9 . _ : -`, else a new UUIDv7; the answer carries it back in `X-Request-ID`.

A change (POST, PUT, PATCH, DELETE) on a hub route outside `/v1/sync/` by a caller the
authentication dependencies named (hub.api.deps: an API key or the admin token) is recorded
once its answer has been sent, with that answer's status, in a transaction of its own
(hub.service.audit). A request refused before its caller was known (401, 429, 413) is not
recorded: failed authentications are logged and counted instead (hub.api.auth_failures).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.api.deps import AUDIT_ACTOR
from hub.bootstrap import HubRuntime
from hub.domain.audit import AuditActor
from hub.service.audit import RecordAction, record_action
from shared.ids import new_id

log = logging.getLogger("vectis.hub.audit")

CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_of(scope: Scope) -> str:
    """The caller's `X-Request-ID` if it is acceptable, else a new UUIDv7."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(text):
                return text
    return str(new_id())


class AuditTrail:
    """Tag every answer with its request id; record HQ's, ERPs' and the admin's changes."""

    def __init__(self, app: ASGIApp, runtime: HubRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500

        async def tagged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, tagged_send)
        finally:
            actor = state.get(AUDIT_ACTOR)
            if (
                isinstance(actor, AuditActor)
                and scope["method"] in CHANGES
                and not scope["path"].startswith("/v1/sync/")
            ):
                await self._record(scope, actor, status, request_id)

    async def _record(self, scope: Scope, actor: AuditActor, status: int, request_id: str) -> None:
        route: str = getattr(scope.get("route"), "path", None) or scope["path"]
        target = {name: str(value) for name, value in scope.get("path_params", {}).items()}
        method: str = scope["method"]
        command = RecordAction(actor, method, route, status, request_id, target)
        try:
            await record_action(command, self.runtime.uow)
        except Exception as error:  # the change stands; the missing entry is logged and counted
            self.runtime.metrics.audit_write_failures.inc()
            log.error(
                "audit entry not written: request_id=%s actor=%r method=%s route=%r status=%d "
                "error=%s",
                request_id,
                actor.name,
                method,
                route,
                status,
                type(error).__name__,
            )
