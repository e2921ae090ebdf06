"""Credentials: one store per credential, revocation, rotation that survives a lost answer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.support import Edge, Hub, close_edge, make_edge


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
    assert status["sync"]["credential_rejected"] is True
    assert status["outbox"]["pending"] == 1  # kept, not lost
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
    assert lost.status_code == 503 and lost.json()["error"] == "hub_unavailable"
    assert await credential_of(store) == old  # nothing stored: the old one still works
    await store.sell([("A", 2)])
    status = await store.sync()
    assert status["outbox"]["pending"] == 0
    assert (await store.client.post("/v1/sync/rotate-credential")).status_code == 200
    await store.sell([("A", 3)])
    assert (await store.sync())["outbox"]["pending"] == 0


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


async def test_an_enrolment_whose_answer_was_lost_succeeds_when_repeated(
    hub: Hub, tmp_path: Path
) -> None:
    await hub.create_store("store-1")
    await hub.import_items({"A": "1.00"})
    token = await hub.token("store-1")
    edge = await make_edge(tmp_path / "lost-answer.db", hub, token, sync_now=False)
    try:
        edge.link.lose_responses = 1  # the hub enrols the node; the answer never arrives
        status = await edge.sync()
        assert status["enrolled"] is False
        status = await edge.sync()  # the same attempt again
        assert status["enrolled"] is True and status["catalogue"]["products"] == 1
        nodes = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
        assert len(nodes) == 1  # one node, not two
        stranger = await hub.client.post(
            "/v1/sync/enrol",
            json={
                "protocol_version": 1,
                "token": token,
                "node_name": "thief",
                "attempt": "another",
            },
        )
        assert stranger.status_code == 401
        await edge.sell([("A", 1)])
        assert (await edge.sync())["outbox"]["pending"] == 0
    finally:
        await close_edge(edge)


async def test_a_copy_of_the_enrolment_delivered_late_does_not_lock_the_node_out(hub: Hub) -> None:
    await hub.create_store("store-1")
    token = await hub.token("store-1")
    body = {"protocol_version": 1, "token": token, "node_name": "till-pc", "attempt": "attempt-1"}
    first = (await hub.client.post("/v1/sync/enrol", json=body)).json()
    copy = (
        await hub.client.post("/v1/sync/enrol", json=body)
    ).json()  # the network delivers it again
    assert copy["node_id"] == first["node_id"] and copy["credential"] == first["credential"]
    assert await accepted(hub, first["credential"]) == 200
