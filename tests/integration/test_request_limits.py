"""Bodies over the limit, and bodies that are not JSON, get our error body on both apps: a
200 MB upload is refused without being read, whether it says its length or streams."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support import Edge, Hub

HUGE = 200 * 1024 * 1024
CHUNK = 64 * 1024
HUB_LIMIT = 2_000_000  # tests.support.make_hub
EDGE_LIMIT = 1_048_576  # the edge's default


@dataclass
class Upload:
    """A 200 MB body produced only as the server reads it; `sent` counts what it read."""

    sent: int = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        yield b'{"items": ['
        self.sent += 11
        while self.sent < HUGE:
            self.sent += CHUNK
            yield b" " * CHUNK


@pytest.fixture
def edge(unenrolled_edge: Edge) -> Edge:
    return unenrolled_edge


async def client_of(
    app: str, path: str, sqlite_hub: Hub, edge: Edge
) -> tuple[httpx.AsyncClient, dict[str, str]]:
    """The app's client and the credential its route needs (the push route authenticates
    its node before it reads the body)."""
    if app == "edge":
        return edge.client, {}
    if path != "/v1/sync/push":
        return sqlite_hub.client, sqlite_hub.admin
    await sqlite_hub.create_store("store-1")
    enrolled = await sqlite_hub.client.post(
        "/v1/sync/enrol",
        json={"protocol_version": 1, "token": await sqlite_hub.token("store-1"), "node_name": "t"},
    )
    return sqlite_hub.client, {"Authorization": f"Bearer {enrolled.json()['credential']}"}


# A route FastAPI parses, and the hub's push, which reads its body itself.
ROUTES = [("hub", "/v1/catalogue/import"), ("hub", "/v1/sync/push"), ("edge", "/v1/carts")]


@pytest.mark.parametrize(("app", "path"), ROUTES)
@pytest.mark.parametrize("says_length", [True, False], ids=["content-length", "chunked"])
async def test_a_200_mb_body_is_refused_with_413_without_being_read(
    sqlite_hub: Hub, edge: Edge, app: str, path: str, says_length: bool
) -> None:
    client, headers = await client_of(app, path, sqlite_hub, edge)
    upload = Upload()
    headers = {**headers, "Content-Type": "application/json"}
    if says_length:
        headers["Content-Length"] = str(HUGE)
    response = await client.post(path, content=upload.chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"
    assert set(response.json()) == {"error", "detail"}
    limit = HUB_LIMIT if app == "hub" else EDGE_LIMIT
    if says_length:
        assert upload.sent == 0  # refused on the header alone
    else:
        assert upload.sent <= limit + CHUNK  # cut off as soon as it passed the limit


@pytest.mark.parametrize(("app", "path"), ROUTES)
@pytest.mark.parametrize(
    "body", [b'{"items": [', b"not json", b"\xff\xfe\xfd", b'{"a": 1} trailing'], ids=repr
)
async def test_a_body_that_is_not_json_gets_422_invalid_json(
    sqlite_hub: Hub, edge: Edge, app: str, path: str, body: bytes
) -> None:
    client, headers = await client_of(app, path, sqlite_hub, edge)
    response = await client.post(
        path, content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_json"
    assert set(response.json()) == {"error", "detail"}


@pytest.mark.parametrize("app", ["hub", "edge"])
async def test_unknown_paths_and_methods_get_the_error_body(
    sqlite_hub: Hub, edge: Edge, app: str
) -> None:
    client, headers = await client_of(app, "/health", sqlite_hub, edge)
    missing = await client.get("/v1/no-such-thing", headers=headers)
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    wrong = await client.delete("/health", headers=headers)
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")
    assert wrong.headers["allow"] == "GET"
    # Every method of the path, though each is a route of its own (POST first).
    path = "/v1/stores" if app == "hub" else "/v1/refund-requests"
    both = await client.request("OPTIONS", path, headers=headers)
    assert (both.status_code, both.headers["allow"]) == (405, "GET, POST")
