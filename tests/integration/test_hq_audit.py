"""The HQ audit trail: every change HQ, an ERP or the admin token asks of the hub is in
GET /v1/audit with who, what, when and how it ended; API key names are unique ignoring case."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from migrations.runner import upgrade_hub
from tests.support import JSON, Hub
from vectis.ops.postgres import TemporaryCluster


async def api_key(hub: Hub, name: str, scope: str = "hq") -> tuple[str, dict[str, str]]:
    response = await hub.client.post(
        "/v1/api-keys", json={"name": name, "scope": scope}, headers=hub.admin
    )
    assert response.status_code == 201, response.text
    return response.json()["key_id"], {"Authorization": f"Bearer {response.json()['key']}"}


async def trail(hub: Hub, **params: str | int) -> list[JSON]:
    response = await hub.client.get("/v1/audit", params=params, headers=hub.admin)
    assert response.status_code == 200, response.text
    entries: list[JSON] = response.json()["entries"]
    return entries


async def test_an_hq_change_is_in_the_trail_with_the_keys_name(hub: Hub) -> None:
    key_id, anna = await api_key(hub, "Anna at HQ")
    created = await hub.client.post(
        "/v1/stores",
        json={
            "store_id": "store-9",
            "name": "Leeds",
            "timezone": "Europe/London",
            "currency": "GBP",
        },
        headers={**anna, "X-Request-ID": "ticket-4711"},
    )
    assert created.status_code == 201
    assert created.headers["X-Request-ID"] == "ticket-4711"
    await hub.client.get("/v1/stores", headers=anna)  # a read: not in the trail

    (entry,) = await trail(hub, key_id=key_id)
    assert entry["actor"] == "Anna at HQ"
    assert entry["key_id"] == key_id
    assert (entry["method"], entry["route"], entry["target"]) == ("POST", "/v1/stores", {})
    assert entry["status"] == 201
    assert entry["request_id"] == "ticket-4711"
    recorded_at = datetime.fromisoformat(entry["recorded_at"])
    assert abs(datetime.now(UTC) - recorded_at) < timedelta(minutes=1)


async def test_the_admin_token_and_refused_changes_are_recorded_with_their_status(
    hub: Hub,
) -> None:
    erp_id, erp = await api_key(hub, "ERP", scope="erp")
    hq_id, hq = await api_key(hub, "Bob")
    revoke = await hub.client.post("/v1/stores/store-x/nodes/node-y/revoke", headers=hq)
    assert revoke.status_code == 404
    assert (await hub.client.put("/v1/tax-rates/STD", json={}, headers=erp)).status_code == 403
    assert (await hub.client.post("/v1/stores", json={"name": 1}, headers=hq)).status_code == 422
    assert (await hub.client.post("/v1/stores", json={}, headers={})).status_code == 401

    entries = await trail(hub)
    seen = [(e["actor"], e["key_id"], e["method"], e["route"], e["status"]) for e in entries]
    assert seen == [
        ("admin token", None, "POST", "/v1/api-keys", 201),
        ("admin token", None, "POST", "/v1/api-keys", 201),
        ("Bob", hq_id, "POST", "/v1/stores/{store_id}/nodes/{node_id}/revoke", 404),
        ("ERP", erp_id, "PUT", "/v1/tax-rates/{code}", 403),
        ("Bob", hq_id, "POST", "/v1/stores", 422),
    ]
    assert entries[2]["target"] == {"store_id": "store-x", "node_id": "node-y"}
    assert len({e["request_id"] for e in entries}) == 5


async def test_the_trail_pages_with_a_cursor_and_filters_by_time(hub: Hub) -> None:
    for number in range(5):
        await api_key(hub, f"key {number}")

    first = await hub.client.get("/v1/audit", params={"limit": 2}, headers=hub.admin)
    page = first.json()
    assert [e["route"] for e in page["entries"]] == ["/v1/api-keys"] * 2
    rest = await trail(hub, after_id=page["next_after_id"])
    assert len(rest) == 3
    assert rest[0]["entry_id"] > page["entries"][-1]["entry_id"]

    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert await trail(hub, since=future) == []
    assert len(await trail(hub, until=future)) == 5


async def test_api_key_names_are_unique_ignoring_case(hub: Hub) -> None:
    await api_key(hub, "Till ERP")
    response = await hub.client.post(
        "/v1/api-keys", json={"name": "till erp", "scope": "erp"}, headers=hub.admin
    )
    assert response.status_code == 409
    assert response.json()["error"] == "api_key_name_taken"

    racing = await asyncio.gather(
        *(
            hub.client.post(
                "/v1/api-keys", json={"name": "Racer", "scope": "hq"}, headers=hub.admin
            )
            for _ in range(6)
        )
    )
    assert sorted(r.status_code for r in racing) == [201] + [409] * 5
    listed = (await hub.client.get("/v1/api-keys", headers=hub.admin)).json()
    assert sorted(key["name"] for key in listed) == ["Racer", "Till ERP"]


async def test_the_migration_renames_keys_that_shared_a_name(postgres: TemporaryCluster) -> None:
    name = f"dupes_{uuid.uuid4().hex[:12]}"
    url = postgres.create_database(name)
    await asyncio.to_thread(upgrade_hub, url, "0017")
    postgres.psql(
        "INSERT INTO api_key (key_id, name, scope, key_hash, created_at) VALUES "
        "('aaaaaaaa-0000-0000-0000-000000000001', 'ERP', 'erp', 'h1', '2026-01-01Z'), "
        "('bbbbbbbb-0000-0000-0000-000000000002', 'erp', 'erp', 'h2', '2026-01-02Z'), "
        "('cccccccc-0000-0000-0000-000000000003', 'Other', 'hq', 'h3', '2026-01-03Z')",
        database=name,
    )
    await asyncio.to_thread(upgrade_hub, url)
    rows = postgres.psql("SELECT name, name_key FROM api_key ORDER BY created_at", database=name)
    assert rows.splitlines() == ["ERP|erp", "erp (bbbbbbbb)|erp (bbbbbbbb)", "Other|other"]
