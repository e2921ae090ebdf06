"""HTTP client of the sync protocol, used by edge nodes to talk to the hub.

Wraps an `httpx.AsyncClient` whose transport can be injected (tests pass `ASGITransport` to
reach an in-process hub, or a real one on loopback). Every failure becomes one of the errors
in `sync.errors`, so callers decide between "retry later" and "this will never work".
"""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from sync.errors import (
    AuthenticationFailed,
    CursorCompacted,
    Forbidden,
    HubRejected,
    HubServerError,
    HubUnreachable,
    ProtocolConflict,
    RequestTooLarge,
)
from sync.messages import (
    ChecksumRequest,
    ChecksumResponse,
    CredentialRotated,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    FeedPage,
    PushRequest,
    PushResponse,
    SnapshotPage,
    StoredValueBalanceV1,
)

ResponseT = TypeVar("ResponseT", bound=BaseModel)

_REJECTIONS: dict[int, type[HubRejected]] = {
    401: AuthenticationFailed,
    403: Forbidden,
    409: ProtocolConflict,
    413: RequestTooLarge,
    410: CursorCompacted,
}


class HubClient:
    """Client of the hub's sync endpoints.

    `credential` is the store credential from enrolment (None before it). Timeouts are in
    seconds. Raises HubUnreachable, HubServerError or a HubRejected subclass.
    """

    def __init__(
        self,
        base_url: str,
        credential: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = 30.0,
        connect_timeout_s: float = 3.0,
    ) -> None:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        self._client = httpx.AsyncClient(
            base_url=base_url,
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
        )

    async def __aenter__(self) -> HubClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def enrol(self, request: EnrolRequest) -> EnrolResponse:
        """Exchange a one-time enrolment token for a node id and store credential."""
        return await self._send("POST", "/v1/sync/enrol", request, EnrolResponse)

    async def push(self, request: PushRequest) -> PushResponse:
        """Upload one batch of outbox events; the response carries the hub's acknowledgement."""
        return await self._send("POST", "/v1/sync/push", request, PushResponse)

    async def rotate_credential(self) -> CredentialRotated:
        """Ask the hub for a new credential for this node (the current one stays valid until
        the new one is first used)."""
        return await self._send("POST", "/v1/sync/credentials/rotate", None, CredentialRotated)

    async def checksums(self, request: ChecksumRequest) -> ChecksumResponse:
        """Compare the node's day totals with the hub's; the hub records any mismatch."""
        return await self._send("POST", "/v1/sync/checksums", request, ChecksumResponse)

    async def snapshot(self, after: str | None, limit: int) -> SnapshotPage:
        """One chunk of the store's snapshot after `after` (None: the first chunk)."""
        params: dict[str, str | int] = {"limit": limit}
        if after:
            params["after"] = after
        return await self._send("GET", "/v1/sync/snapshot", None, SnapshotPage, params=params)

    async def feed(self, cursor: str | None, limit: int) -> FeedPage:
        """One page of this store's change feed after `cursor` (None: from the beginning)."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return await self._send("GET", "/v1/sync/feed", None, FeedPage, params=params)

    async def stored_value(self, kind: str, account: str) -> StoredValueBalanceV1:
        """A gift card's or a customer's store-credit balance as the hub holds it. A 404
        `unknown_account` comes as HubRejected with that error code."""
        path = f"/v1/sync/stored-value/{quote(kind, safe='')}/{quote(account, safe='')}"
        return await self._send("GET", path, None, StoredValueBalanceV1)

    async def _send(
        self,
        method: str,
        path: str,
        body: BaseModel | None,
        response_type: type[ResponseT],
        params: dict[str, str | int] | None = None,
    ) -> ResponseT:
        content = body.model_dump_json().encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            response = await self._client.request(
                method, path, content=content, headers=headers, params=params
            )
        except (httpx.TransportError, httpx.TimeoutException) as error:
            raise HubUnreachable(f"{method} {path}: {type(error).__name__}: {error}") from error
        if response.status_code >= 500:
            raise HubServerError(response.status_code, response.text[:500])
        if response.status_code >= 400:
            error_code, detail = _error_of(response)
            rejection = _REJECTIONS.get(response.status_code, HubRejected)
            raise rejection(response.status_code, error_code, detail)
        try:
            return response_type.model_validate_json(response.content)
        except ValidationError as error:
            raise HubServerError(response.status_code, f"unreadable response: {error}") from error


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        body = ErrorBody.model_validate_json(response.content)
    except ValidationError:
        return "http_error", response.text[:500]
    return body.error, body.detail
