"""Hostile input to the simulated acquirer's API, in-process on a real SQLite file: whatever
arrives, it answers 2xx or 4xx with the error body, never 5xx, and a payment it took is still
settled once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vectis.acquirer.app import create_app

API_KEY = "fuzz-key"
HOSTILE = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["12.50", "1e999999999", "NaN", "-0", "0.001", "9" * 40, "4000000000000002"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
payment_fields = st.fixed_dictionaries(
    {},
    optional={
        "amount": scalars,
        "currency": st.one_of(scalars, st.sampled_from(["GBP", "JPY", "KWD", "XXX"])),
        "card": scalars,
        "capture": scalars,
        "idempotency_key": scalars,
        "reference": scalars,
    },
)
bodies = st.one_of(json_values, payment_fields)
segments = st.one_of(st.text(max_size=30), st.sampled_from(["pay_x", "..", "%00", "2026-02-30"]))
routes = st.sampled_from(
    [
        ("POST", "/v1/payments"),
        ("POST", "/v1/payments/{}/capture"),
        ("POST", "/v1/payments/{}/void"),
        ("POST", "/v1/payments/{}/refunds"),
        ("GET", "/v1/operations/{}"),
        ("GET", "/v1/settlements/{}"),
        ("PUT", "/v1/clock"),
    ]
)


class Client:
    """The app in-process (httpx's ASGITransport, its lifespan entered once) on a loop of
    its own, called from synchronous hypothesis tests."""

    def __init__(self, database: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.stack = AsyncExitStack()
        app = create_app(database, API_KEY)

        async def enter() -> httpx.AsyncClient:
            await self.stack.enter_async_context(app.router.lifespan_context(app))
            return await self.stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim")
            )

        self.http = self.loop.run_until_complete(enter())

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, path, **options))

    def post(self, path: str, **options: Any) -> httpx.Response:
        return self.request("POST", path, **options)

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.request("GET", path, **options)

    def close(self) -> None:
        self.loop.run_until_complete(self.stack.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    running = Client(tmp_path_factory.mktemp("acquirer") / "acquirer.db")
    try:
        yield running
    finally:
        running.close()


@HOSTILE
@given(route=routes, segment=segments, body=bodies, authorized=st.booleans())
def test_hostile_requests_get_4xx_with_the_error_body(
    client: Client, route: tuple[str, str], segment: str, body: Any, authorized: bool
) -> None:
    method, template = route
    path = template.format(quote(segment, safe=""))
    headers = {"Authorization": f"Bearer {API_KEY}"} if authorized else {}

    response = client.request(method, path, json=body, headers=headers)

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        answer = response.json()
        assert set(answer) == {"error", "detail"}


def test_a_payment_taken_among_hostile_requests_is_settled_once(client: Client) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    body = {
        "amount": "12.34",
        "currency": "GBP",
        "card": "4242424242424242",
        "idempotency_key": "charge:fuzz-survivor",
        "reference": "fuzz-store/T1/doc",
    }

    first = client.post("/v1/payments", json=body, headers=headers)
    again = client.post("/v1/payments", json=body, headers=headers)
    day = first.json()["created_at"][:10]
    report = client.get(
        f"/v1/settlements/{day}", params={"reference_prefix": "fuzz-store/"}, headers=headers
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert report.json()["count"] == 1 and report.json()["captured"] == "12.34"
