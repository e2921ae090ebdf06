"""Node credentials on HQ's schedule: rotated before their maximum age, refused after it, and
still able to rotate themselves in a grace period (a store offline that long is not locked out)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.clock import ManualClock
from tests.integration.test_credentials import accepted, credential_of
from tests.support import Edge, Hub, close_edge, make_edge, make_hub

DAY = timedelta(days=1)


@pytest.fixture
async def hub_clock() -> ManualClock:
    return ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC))


@pytest.fixture
async def hub(pg_url: str, hub_clock: ManualClock) -> AsyncIterator[Hub]:
    """A hub whose node credentials live 30 days, then 10 days of grace; its clock driven."""
    made = await make_hub(
        pg_url,
        clock=hub_clock,
        node_credential_max_age_s=int((30 * DAY).total_seconds()),
        node_credential_grace_s=int((10 * DAY).total_seconds()),
    )
    try:
        yield made
    finally:
        await made.client.aclose()
        await made.runtime.stop()


@pytest.fixture
async def store(hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55"})
    edge = await make_edge(tmp_path / "store-1.db", hub, await hub.token("store-1"))
    try:
        yield edge
    finally:
        await close_edge(edge)


def advance(edge: Edge, delta: timedelta) -> None:
    clock = edge.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(delta)


async def test_the_edge_rotates_its_credential_after_two_thirds_of_its_life(
    hub: Hub, hub_clock: ManualClock, store: Edge
) -> None:
    first = await credential_of(store)
    advance(store, 19 * DAY)
    hub_clock.advance(19 * DAY)
    await store.sync()
    assert await credential_of(store) == first  # not due yet
    advance(store, 2 * DAY)
    hub_clock.advance(2 * DAY)
    await store.sell([("A", 1)])
    status = await store.sync()
    second = await credential_of(store)
    assert second != first and status["outbox"]["pending"] == 0
    assert await accepted(hub, first) == 401  # retired by the new one's first use
    hub_clock.advance(25 * DAY)  # 46 days after enrolment, 25 after the rotation
    assert await accepted(hub, second) == 200


async def test_an_expired_credential_rotates_in_its_grace_and_sync_goes_on(
    hub: Hub, hub_clock: ManualClock, store: Edge
) -> None:
    first = await credential_of(store)
    hub_clock.advance(31 * DAY)  # the edge's clock missed the moment (or it was offline)
    refused = await hub.client.get("/v1/sync/feed", headers={"Authorization": f"Bearer {first}"})
    assert refused.status_code == 401 and refused.json()["error"] == "credential_expired"
    await store.sell([("A", 2)])
    status = await store.sync()
    assert status["outbox"]["pending"] == 0 and status["sync"]["credential_rejected"] is False
    assert await credential_of(store) != first
    assert len(await hub.report()) == 1


async def test_a_credential_past_its_grace_is_refused_loudly_and_the_store_keeps_selling(
    hub: Hub, hub_clock: ManualClock, store: Edge
) -> None:
    first = await credential_of(store)
    hub_clock.advance(41 * DAY)
    await store.sell([("A", 1)])
    status = await store.sync()
    assert status["sync"]["credential_rejected"] is True
    assert "credential_expired" in str(status["sync"]["last_error"])
    assert status["outbox"]["pending"] == 1  # kept, not lost
    assert await credential_of(store) == first
    rotate = await hub.client.post(
        "/v1/sync/credentials/rotate", headers={"Authorization": f"Bearer {first}"}
    )
    assert rotate.status_code == 401 and rotate.json()["error"] == "credential_expired"
