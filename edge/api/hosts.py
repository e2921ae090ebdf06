"""The Host header check: the till API answers only to the names it is configured with.

A web page on another site can make a browser send requests to 127.0.0.1 by pointing its own
domain's DNS there (DNS rebinding); the browser then sends that domain in the Host header.
Refusing every name but the node's own stops such pages reaching the till API. Starlette's
TrustedHostMiddleware does the same check but answers plain text; this one answers our error
body, 400 `host_not_allowed`.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from edge.api.errors import error_response


def host_name(header: str) -> str:
    """The name in a Host header, without its port, in lower case ("[::1]:8701" -> "::1")."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    name, colon, port = header.rpartition(":")
    return name if colon and port.isdigit() and ":" not in name else header


class HostCheck:
    """ASGI middleware refusing HTTP requests whose Host names none of `names`."""

    def __init__(self, app: ASGIApp, names: Iterable[str]) -> None:
        self.app = app
        self.names = frozenset(names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = next(
                (value.decode("latin-1") for key, value in scope["headers"] if key == b"host"),
                "",
            )
            if host_name(header) not in self.names:
                response = error_response(
                    400,
                    "host_not_allowed",
                    f"this node does not answer to Host {header[:100]!r}: add the name to "
                    "VECTIS_EDGE_ALLOWED_HOSTS if it is this node's",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
