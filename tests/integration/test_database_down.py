"""While the hub's PostgreSQL is stopped, every route answers 503 `database_unavailable` with
Retry-After (not a plain 500), /ready says not ready, and the hub recovers without a restart."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator

import pytest

from migrations.runner import upgrade_hub
from tests.integration.test_hub_sync import enrol
from tests.support import Hub, make_hub
from vectis.ops.postgres import TemporaryCluster


@pytest.fixture
def own_postgres() -> Iterator[TemporaryCluster]:
    """A PostgreSQL server of this test's own, to stop and start without disturbing others."""
    cluster = TemporaryCluster(durable=False).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
async def lone_hub(own_postgres: TemporaryCluster) -> AsyncIterator[Hub]:
    url = own_postgres.create_database("hub")
    await asyncio.to_thread(upgrade_hub, url)
    made = await make_hub(url)
    try:
        yield made
    finally:
        await made.client.aclose()
        await made.runtime.stop()


async def test_every_route_answers_503_while_the_database_is_down_and_recovers(
    own_postgres: TemporaryCluster, lone_hub: Hub
) -> None:
    hub = lone_hub
    node = {"Authorization": (await enrol(hub))["authorization"]}
    assert (await hub.client.get("/v1/sync/feed", headers=node)).status_code == 200

    await asyncio.to_thread(own_postgres.stop_server)
    try:
        requests = [
            hub.client.get("/v1/stores", headers=hub.admin),
            hub.client.post(
                "/v1/stores",
                json={"store_id": "s2", "name": "s2", "timezone": "UTC", "currency": "GBP"},
                headers=hub.admin,
            ),
            hub.client.get("/v1/sync/feed", headers=node),
            hub.client.post(
                "/v1/sync/enrol",
                json={"protocol_version": 1, "token": "vxe_" + "x" * 20, "node_name": "n"},
            ),
            hub.client.get("/metrics"),
        ]
        for response in await asyncio.gather(*requests):
            assert response.status_code == 503, (response.request.url, response.text)
            assert response.json()["error"] == "database_unavailable"
            assert int(response.headers["Retry-After"]) >= 1

        ready = await hub.client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"]["ok"] is False
        assert (await hub.client.get("/health")).status_code == 200
    finally:
        await asyncio.to_thread(own_postgres.start_server)

    assert (await hub.client.get("/ready")).status_code == 200
    assert (await hub.client.get("/v1/stores", headers=hub.admin)).status_code == 200
    assert (await hub.client.get("/v1/sync/feed", headers=node)).status_code == 200
    # The refused POST's audit entry could not be written: counted, and the answer was the 503.
    metrics = (await hub.client.get("/metrics")).text
    assert re.search(r"^vectis_hub_audit_write_failures_total 1\.0$", metrics, re.M)
