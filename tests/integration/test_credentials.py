"""Credentials: one store per credential, revocation, rotation that survives a lost answer."""

from __future__ import annotations

from sqlalchemy import text

from tests.support import Edge, Hub


async def credential_of(edge: Edge) -> str:
    value: str = await edge.runtime.database.read(
        lambda connection: connection.execute(text("SELECT credential FROM node")).scalar_one()
    )
    return value


async def accepted(hub: Hub, credential: str) -> int:
    """Status of a harmless authenticated request (reading the feed) with `credential`."""
    response = await hub.client.get(
        "/v1/sync/feed", params={"limit": 1}, headers={"Authorization": f"Bearer {credential}"}
    )
    return response.status_code


async def test_a_revoked_node_is_refused_and_keeps_selling(hub: Hub, store: Edge) -> None:
    identity = store.runtime.identity
    assert identity is not None
    revoked = await hub.client.post(
        f"/v1/stores/store-1/nodes/{identity.node_id}/revoke", headers=hub.admin
    )
    assert revoked.status_code == 204
    await store.sell([("A", 1)])
    status = await store.sync()
    assert status["sync"]["credential_rejected"] is True  # type: ignore[index]
    assert status["outbox"]["pending"] == 1  # type: ignore[index]  # kept, not lost
    nodes = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
    assert nodes[0]["revoked_at"] is not None


async def test_a_rotated_credential_replaces_the_old_one_once_it_is_used(
    hub: Hub, store: Edge
) -> None:
    old = await credential_of(store)
    rotated = await store.client.post("/v1/sync/rotate-credential")
    assert rotated.status_code == 200
    new = await credential_of(store)
    assert new != old
    assert await accepted(hub, old) == 200  # still valid: the new one is unused
    await store.sell([("A", 1)])
    await store.sync()  # the first use of the new credential retires the old one
    assert await accepted(hub, old) == 401
    assert await accepted(hub, new) == 200


async def test_a_rotation_whose_answer_is_lost_locks_nobody_out(hub: Hub, store: Edge) -> None:
    old = await credential_of(store)
    store.link.lose_responses = 1
    lost = await store.client.post("/v1/sync/rotate-credential")
    assert lost.status_code == 409 and lost.json()["error"] == "hub_unavailable"
    assert await credential_of(store) == old  # nothing stored: the old one still works
    await store.sell([("A", 2)])
    status = await store.sync()
    assert status["outbox"]["pending"] == 0  # type: ignore[index]
    assert (await store.client.post("/v1/sync/rotate-credential")).status_code == 200
    await store.sell([("A", 3)])
    assert (await store.sync())["outbox"]["pending"] == 0  # type: ignore[index]


async def test_a_revoked_api_key_is_refused(hub: Hub) -> None:
    created = (
        await hub.client.post(
            "/v1/api-keys", json={"name": "erp", "scope": "erp"}, headers=hub.admin
        )
    ).json()
    erp = {"Authorization": f"Bearer {created['key']}"}
    item = {"items": [{"sku": "Z", "unit_price": "1.00", "currency": "GBP"}]}
    assert (
        await hub.client.post("/v1/catalogue/import", json=item, headers=erp)
    ).status_code == 200
    assert (
        await hub.client.delete(f"/v1/api-keys/{created['key_id']}", headers=hub.admin)
    ).status_code == 204
    assert (
        await hub.client.post("/v1/catalogue/import", json=item, headers=erp)
    ).status_code == 401
    listed = (await hub.client.get("/v1/api-keys", headers=hub.admin)).json()
    assert listed[0]["revoked_at"] is not None
