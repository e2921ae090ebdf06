"""Failed authentications at the hub are limited per source and per key (429 with Retry-After,
before the secret is checked), logged without the secret, and counted on /metrics."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from limits import parse_many

from hub.settings import HubSettings
from sync.messages import PROTOCOL_VERSION
from tests.support import ADMIN_TOKEN, JSON, Hub


def first_window(setting: str) -> int:
    """Failures allowed in the first window of a limit setting (the hub's defaults here)."""
    return parse_many(setting)[0].amount


SOURCE_LIMIT = first_window(HubSettings().auth_failures_per_source)
KEY_LIMIT = first_window(HubSettings().auth_failures_per_key)


def client_from(hub: Hub, address: str) -> httpx.AsyncClient:
    """A client of the same in-process hub, connecting from `address`."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hub.transport.app, client=(address, 40000)),
        base_url="http://hub",
    )


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# One route of each authenticated family, and how a bad secret is presented to it.
FAMILIES: dict[str, tuple[str, str, JSON | None]] = {
    "hq": ("GET", "/v1/stores", None),
    "erp": ("POST", "/v1/catalogue/import", {"items": []}),
    "admin": ("GET", "/v1/api-keys", None),
    "node": ("GET", "/v1/sync/feed", None),
    "enrolment": ("POST", "/v1/sync/enrol", None),
}


async def attempt(
    client: httpx.AsyncClient, family: str, secret: str, **extra: str
) -> httpx.Response:
    method, path, body = FAMILIES[family]
    if family == "enrolment":
        enrol: JSON = {"protocol_version": PROTOCOL_VERSION, "token": secret, "node_name": "n"}
        return await client.post(path, json=enrol)
    return await client.request(method, path, json=body, headers=bearer(secret))


def bad_secret(number: int) -> str:
    return f"vxk_guess-{number:04d}-0123456789abcdef"


@pytest.mark.parametrize("family", FAMILIES)
async def test_a_source_is_refused_with_429_after_its_failures_and_another_source_is_not(
    hub: Hub, family: str
) -> None:
    attacker = client_from(hub, "203.0.113.7")
    colleague = client_from(hub, "198.51.100.20")
    try:
        for number in range(SOURCE_LIMIT):
            assert (await attempt(attacker, family, bad_secret(number))).status_code == 401

        refused = await attacker.get("/v1/stores", headers=bearer(ADMIN_TOKEN))
        assert refused.status_code == 429
        assert refused.json()["error"] == "too_many_attempts"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        # Even the right secret is not checked from that source until the window has room.
        assert (await attempt(attacker, family, bad_secret(99))).status_code == 429

        assert (await colleague.get("/v1/stores", headers=bearer(ADMIN_TOKEN))).status_code == 200
    finally:
        await attacker.aclose()
        await colleague.aclose()


async def test_one_secret_tried_from_many_sources_is_refused_by_key(hub: Hub) -> None:
    stolen = "vxk_revoked-or-guessed-0123456789abcdef"
    for number in range(KEY_LIMIT):
        client = client_from(hub, f"192.0.2.{number + 1}")
        async with client:
            assert (await client.get("/v1/stores", headers=bearer(stolen))).status_code == 401

    async with client_from(hub, "192.0.2.200") as fresh:
        refused = await fresh.get("/v1/stores", headers=bearer(stolen))
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers
        # The source is not limited: another secret from it is checked as usual.
        assert (await fresh.get("/v1/stores", headers=bearer(ADMIN_TOKEN))).status_code == 200


async def test_successful_requests_are_not_limited(hub: Hub) -> None:
    for _ in range(3 * SOURCE_LIMIT):
        assert (await hub.client.get("/v1/stores", headers=hub.admin)).status_code == 200


async def test_failures_are_logged_without_the_secret_and_counted(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = [bad_secret(number) for number in range(SOURCE_LIMIT + 2)]
    with caplog.at_level(logging.WARNING, logger="vectis.hub.auth"):
        async with client_from(hub, "203.0.113.9") as attacker:
            for secret in secrets:
                await attacker.post("/v1/stores", json={}, headers=bearer(secret))
            await attacker.get("/v1/stores")

    lines = [record.getMessage() for record in caplog.records if record.name == "vectis.hub.auth"]
    assert len(lines) == SOURCE_LIMIT + 3
    for line in lines:
        assert "source=203.0.113.9" in line
        assert "route='POST /v1/stores'" in line or "route='GET /v1/stores'" in line
        assert not any(secret in line or secret[4:] in line for secret in secrets)
    assert "reason=unknown_secret" in lines[0] and "key=vxk:" in lines[0]
    assert "limited=false" in lines[0]
    assert "reason=over_limit_source" in lines[SOURCE_LIMIT]
    assert "limited=true" in lines[SOURCE_LIMIT]

    metrics = (await hub.client.get("/metrics")).text
    assert _sample(metrics, 'limited="false",reason="unknown_secret"') == SOURCE_LIMIT
    assert _sample(metrics, 'limited="true",reason="over_limit_source"') == 3


async def test_a_revoked_key_is_logged_by_its_id(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    created = await hub.client.post(
        "/v1/api-keys", json={"name": "old ERP", "scope": "erp"}, headers=hub.admin
    )
    key_id, key = created.json()["key_id"], created.json()["key"]
    assert (await hub.client.delete(f"/v1/api-keys/{key_id}", headers=hub.admin)).status_code == 204

    with caplog.at_level(logging.WARNING, logger="vectis.hub.auth"):
        response = await hub.client.post("/v1/erp/stock", json={"counts": []}, headers=bearer(key))
    assert response.status_code == 401
    (line,) = [r.getMessage() for r in caplog.records if r.name == "vectis.hub.auth"]
    assert f"key_id={key_id}" in line and "reason=revoked" in line and key not in line


def _sample(metrics: str, labels: str) -> float:
    found = re.search(
        rf"^vectis_hub_auth_failures_total\{{{re.escape(labels)}\}} (\S+)$", metrics, re.M
    )
    assert found, metrics
    return float(found.group(1))
