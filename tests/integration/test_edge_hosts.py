"""The till API answers only to the node's own names: a web page that points its domain at
127.0.0.1 (DNS rebinding) reaches nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from edge.api.app import create_app
from edge.bootstrap import build_runtime
from edge.settings import EdgeSettings
from tests.support import DEMO_START


@pytest.fixture
async def edge_app(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = EdgeSettings(
        database_path=tmp_path / "edge.db",
        host="127.0.0.1",
        allowed_hosts=["till-pc.store-1.lan"],
        clock_mode="manual",
        manual_clock_start=DEMO_START,
    )
    runtime = await build_runtime(settings)
    yield httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(runtime, run_agent=False)),
        base_url="http://127.0.0.1:8701",
    )
    await runtime.stop()


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:8701", "localhost:8701", "LOCALHOST", "[::1]:8701", "till-pc.store-1.lan"],
)
async def test_the_till_api_answers_to_its_own_names(
    edge_app: httpx.AsyncClient, host: str
) -> None:
    async with edge_app as client:
        response = await client.get("/v1/status", headers={"Host": host})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "host", ["attacker.example:8701", "attacker.example", "127.0.0.1.attacker.example", ""]
)
async def test_a_rebinding_host_is_refused_before_any_route(
    edge_app: httpx.AsyncClient, host: str
) -> None:
    async with edge_app as client:
        status = await client.get("/v1/status", headers={"Host": host})
        cart = await client.post(
            "/v1/carts", json={"cart_id": "x", "till_id": "T1"}, headers={"Host": host}
        )
    for response in (status, cart):
        assert response.status_code == 400
        assert response.json()["error"] == "host_not_allowed"
        assert "detail" in response.json()


def test_a_node_bound_to_all_interfaces_answers_only_to_loopback_and_its_listed_names() -> None:
    settings = EdgeSettings(host="0.0.0.0", allowed_hosts=["Till-PC"])
    assert settings.host_names() == {"localhost", "127.0.0.1", "::1", "till-pc"}
