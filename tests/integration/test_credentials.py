"""Credentials: one store per credential, revocation, rotation that survives a lost answer."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

from sqlalchemy import text

from hub.domain import secrets
from tests.support import Edge, Hub, close_edge, make_edge, seed_staff


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
        status = await edge.sync()  # the same token and the same proposed credential again
        assert status["enrolled"] is True and status["catalogue"]["products"] == 1
        nodes = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
        assert len(nodes) == 1  # one node, not two
        stranger = await hub.client.post(
            "/v1/sync/enrol",
            json={
                "protocol_version": 1,
                "token": token,
                "node_name": "thief",
                "credential_hash": secrets.digest("vxn_the-thief's-own"),
            },
        )
        assert stranger.status_code == 401
        await seed_staff(edge.runtime)
        await edge.sign_in()
        await edge.sell([("A", 1)])
        assert (await edge.sync())["outbox"]["pending"] == 0
    finally:
        await close_edge(edge)


def enrolment(token: str, credential: str) -> dict[str, object]:
    return {
        "protocol_version": 1,
        "token": token,
        "node_name": "till-pc",
        "credential_hash": secrets.digest(credential),
    }


async def test_a_copy_of_the_enrolment_delivered_late_gives_the_same_node_and_no_secret(
    hub: Hub,
) -> None:
    await hub.create_store("store-1")
    token = await hub.token("store-1")
    credential = "vxn_" + "k" * 43
    body = enrolment(token, credential)
    first = await hub.client.post("/v1/sync/enrol", json=body)
    copy = await hub.client.post("/v1/sync/enrol", json=body)  # the network delivers it again
    assert first.status_code == copy.status_code == 200
    assert copy.json()["node_id"] == first.json()["node_id"]
    assert first.json()["credential"] is None and copy.json()["credential"] is None
    assert await accepted(hub, credential) == 200


async def test_a_spent_token_is_dead_once_the_node_has_used_its_credential(hub: Hub) -> None:
    await hub.create_store("store-1")
    token = await hub.token("store-1")
    credential = "vxn_" + "c" * 43
    assert (await hub.client.post("/v1/sync/enrol", json=enrolment(token, credential))).is_success
    assert await accepted(hub, credential) == 200  # the node's first request confirms it
    again = await hub.client.post("/v1/sync/enrol", json=enrolment(token, credential))
    assert again.status_code == 401 and again.json()["error"] == "unauthenticated"
    other = await hub.client.post("/v1/sync/enrol", json=enrolment(token, "vxn_" + "d" * 43))
    assert other.status_code == 401
    nodes = (await hub.client.get("/v1/stores/store-1/nodes", headers=hub.admin)).json()
    assert len(nodes) == 1


async def test_the_credential_cannot_be_recomputed_from_the_token_and_node_id(
    hub: Hub,
) -> None:
    await hub.create_store("store-1")
    token = await hub.token("store-1")
    body = {"protocol_version": 1, "token": token, "node_name": "till-pc", "attempt": "a-1"}
    answer = (await hub.client.post("/v1/sync/enrol", json=body)).json()
    # The formula the hub used: HMAC-SHA256 keyed by the token over the attempt and node id.
    mac = hmac.new(
        token.encode(), f"node credential|a-1|{answer['node_id']}".encode(), hashlib.sha256
    )
    rebuilt = "vxn_" + base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")
    assert await accepted(hub, rebuilt) == 401
    assert answer["credential"] != rebuilt and await accepted(hub, answer["credential"]) == 200


async def test_a_proposal_of_another_nodes_credential_is_refused(hub: Hub, store: Edge) -> None:
    token = await hub.token("store-1")
    taken = await credential_of(store)
    refused = await hub.client.post("/v1/sync/enrol", json=enrolment(token, taken))
    assert refused.status_code == 409 and refused.json()["error"] == "credential_in_use"
    fresh = await hub.client.post("/v1/sync/enrol", json=enrolment(token, "vxn_" + "f" * 43))
    assert fresh.status_code == 200  # the refusal did not spend the token


async def test_a_spent_token_sent_again_with_its_old_attempt_id_enrols_nothing(hub: Hub) -> None:
    await hub.create_store("store-1")
    token = await hub.token("store-1")
    body = {"protocol_version": 1, "token": token, "node_name": "till-pc", "attempt": "a-1"}
    first = (await hub.client.post("/v1/sync/enrol", json=body)).json()
    assert await accepted(hub, first["credential"]) == 200
    again = await hub.client.post("/v1/sync/enrol", json=body)  # anyone holding the token
    assert again.status_code == 401
