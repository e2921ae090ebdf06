"""HTTP pieces the hub's and the edge's apps share: the request body size limit and the error
body of the errors the HTTP layer itself raises (unknown path, wrong method, unreadable body).

Every error either app answers has the body `ErrorBody` (`{"error": code, "detail": text}`):

    400 bad_request          the HTTP layer could not take the request
    404 not_found            no route at this path
    405 method_not_allowed   the path exists, not with this method (the Allow header says which)
    413 request_too_large    the body is over the app's limit: refused by Content-Length before
                             any byte is read, or as soon as a streamed (chunked) body passes it
    422 invalid_json         the body is not JSON (or not UTF-8)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.messages import ErrorBody

HTTP_ERROR_CODES: Mapping[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    422: "invalid_json",
}
"""The `error` code of an HTTP-layer error (starlette's HTTPException) by its status."""

NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
"""FastAPI's native OpenTelemetry, off (`FastAPI(telemetry=...)`) in both apps. Neither
exports traces, metrics or logs through OpenTelemetry (the hub's figures are on /metrics);
left on, FastAPI asks OpenTelemetry's global providers whether one is set up on every request
(about 1 % of an edge's event loop in `vectis demo`, by py-spy)."""


class BodyTooLarge(HTTPException):
    """A request body over `max_bytes`, noticed while it streamed in: 413 `request_too_large`.

    An HTTPException, so that FastAPI, reading the body for a route, lets it through to the
    app's handler instead of turning it into a 400."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body is over {max_bytes} bytes")
        self.max_bytes = max_bytes


class BodySizeLimit:
    """ASGI middleware: refuse request bodies over `max_bytes` with 413 `request_too_large`.

    A Content-Length over the limit is refused before the app runs and before any of the
    body is read; a streamed body is cut off as soon as what has arrived passes the limit
    (at most one chunk more is read), with the same answer."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            # Only where no handler of the app answered it (a route that read the body outside
            # FastAPI's exception handling); an answer already begun cannot be replaced.
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = (
            ErrorBody(
                error="request_too_large", detail=f"request body is over {self.max_bytes} bytes"
            )
            .model_dump_json()
            .encode()
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    # The rest of the body is not read: the connection cannot be reused.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def http_error(
    error: HTTPException, scope: Scope | None = None
) -> tuple[int, ErrorBody, dict[str, str]]:
    """The status, body and headers that answer an HTTP-layer error.

    FastAPI's 400 for a body it could not read as JSON at all (not UTF-8) is answered as a
    malformed body is: 422 `invalid_json`. A 405's Allow header names every method of the
    path (given the request's `scope`), not only those of the first route that matched it."""
    if error.status_code == 400 and error.__cause__ is not None:
        detail = f"the body is not JSON: {type(error.__cause__).__name__}"
        return 422, ErrorBody(error="invalid_json", detail=detail), {}
    code = HTTP_ERROR_CODES.get(error.status_code, "http_error")
    headers = dict(error.headers or {})
    if error.status_code == 405 and scope is not None:
        allowed = allowed_methods(scope)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return error.status_code, ErrorBody(error=code, detail=str(error.detail)), headers


def allowed_methods(scope: Scope) -> list[str]:
    """The methods the scope's app takes at the scope's path, through every route, sorted."""
    app = scope.get("app")
    if app is None:
        return []
    found: set[str] = set()
    for context in iter_route_contexts(app.routes):
        regex = getattr(context, "path_regex", None)
        methods = getattr(context, "methods", None)
        if regex is not None and methods and regex.match(scope["path"]):
            found |= set(methods)
    return sorted(found)


def validation_error(problems: Sequence[Mapping[str, Any]]) -> ErrorBody:
    """The body of a 422 for pydantic's problems (`errors()`): `invalid_json` for a body that
    is not JSON, else `validation_error`; the detail names the first ten ("body.lines.0.quantity:
    Input should be greater than 0; ...")."""
    malformed = any(item.get("type") == "json_invalid" for item in problems)
    parts = []
    for item in problems[:10]:
        location = ".".join(str(part) for part in item.get("loc", ()))
        parts.append(f"{location}: {item.get('msg')}")
    return ErrorBody(
        error="invalid_json" if malformed else "validation_error", detail="; ".join(parts)
    )
