"""Records both sides edit (customers, store settings): field-level merge by HLC, both sides
converge, every concurrent value that lost is in the conflict log of both, nothing vanishes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from shared.clock import ManualClock
from tests.integration.test_hub_sync import enrol, push
from tests.support import Edge, Hub, close_edge, event, make_edge


async def hq_edit(hub: Hub, entity: str, key: str, fields: dict[str, str | None]) -> dict[str, Any]:
    response = await hub.client.put(
        f"/v1/records/{entity}/{key}", json={"fields": fields}, headers=hub.admin
    )
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    return record


async def store_edit(
    edge: Edge, entity: str, key: str, fields: dict[str, str | None]
) -> dict[str, Any]:
    response = await edge.client.put(f"/v1/records/{entity}/{key}", json={"fields": fields})
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    return record


def values(record: dict[str, Any]) -> dict[str, str | None]:
    return {name: item["value"] for name, item in record["fields"].items()}


def losses(conflicts: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(c["field"], c["kept_value"], c["lost_value"]) for c in conflicts}


def set_edge_clock(edge: Edge, hub: Hub, offset: timedelta) -> None:
    clock = edge.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.set(hub.runtime.clock.now() + offset)


async def test_concurrent_edits_merge_field_by_field_and_both_sides_log_the_losers(
    hub: Hub, store: Edge
) -> None:
    await hq_edit(
        hub,
        "customer",
        "C-100",
        {"name": "Ada Jones", "email": "ada@old.test", "phone": "0161 000", "address": "1 Mill St"},
    )
    await store.sync()
    assert values((await store.client.get("/v1/records/customer/C-100")).json())["email"] == (
        "ada@old.test"
    )

    # An ordinary edit of a value the store had seen: an overwrite, not a conflict. (The
    # store's clock is years slow; its stamps still follow the HQ edit it saw.)
    await store_edit(store, "customer", "C-100", {"address": "2 Mill St"})
    await store.sync()

    # Offline, the store edits phone (by its slow clock) and email (after its clock is set
    # an hour ahead of HQ's); meanwhile HQ edits phone, email and name.
    store.link.online = False
    await store_edit(store, "customer", "C-100", {"phone": "0161 111 (store)"})
    await hq_edit(
        hub,
        "customer",
        "C-100",
        {"phone": "0161 222 (hq)", "email": "ada@hq.test", "name": "Ada Jones-Smith"},
    )
    set_edge_clock(store, hub, timedelta(hours=1))
    await store_edit(store, "customer", "C-100", {"email": "ada@store.test"})
    store.link.online = True
    await store.sync()
    await store.sync()  # the hub's merged copy comes back on the feed

    expected = {
        "name": "Ada Jones-Smith",
        "email": "ada@store.test",  # the store's edit is the newer
        "phone": "0161 222 (hq)",  # HQ's is the newer
        "address": "2 Mill St",
    }
    at_hub = (await hub.client.get("/v1/records/customer/C-100", headers=hub.admin)).json()
    at_store = (await store.client.get("/v1/records/customer/C-100")).json()
    assert values(at_hub) == values(at_store) == expected
    assert at_hub["fields"] == at_store["fields"]  # the same stamps too: converged

    lost = {
        ("phone", "0161 222 (hq)", "0161 111 (store)"),
        ("email", "ada@store.test", "ada@hq.test"),
    }
    hub_log = (await hub.client.get("/v1/conflicts", headers=hub.admin)).json()
    store_log = (await store.client.get("/v1/conflicts")).json()
    assert losses(hub_log) == losses(store_log) == lost
    hub_metrics = (await hub.client.get("/metrics")).text
    store_metrics = (await store.client.get("/metrics")).text
    assert "vectis_hub_record_conflicts 2.0" in hub_metrics
    assert "vectis_edge_record_conflicts 2.0" in store_metrics


async def test_a_replayed_or_stale_edit_changes_nothing(hub: Hub, store: Edge) -> None:
    await store_edit(store, "customer", "C-7", {"name": "First"})
    await store.sync()
    first_push = store.link.pushes[-1]
    set_edge_clock(store, hub, timedelta(minutes=5))
    await store_edit(store, "customer", "C-7", {"name": "Second"})
    await store.sync()
    before = (await hub.client.get("/v1/records/customer/C-7", headers=hub.admin)).json()
    body, _ = first_push
    # With the node's current credential: moving its clock 16 years on rotated the old one.
    _, headers = store.link.pushes[-1]
    replayed = await hub.client.post("/v1/sync/push", content=body, headers=headers)
    assert replayed.status_code == 200, replayed.text
    after = (await hub.client.get("/v1/records/customer/C-7", headers=hub.admin)).json()
    assert after == before and values(after) == {"name": "Second"}
    assert (await hub.client.get("/v1/conflicts", headers=hub.admin)).json() == []


async def test_a_store_edits_only_its_own_settings(hub: Hub, store: Edge) -> None:
    await store_edit(store, "store_settings", "store-1", {"receipt_footer": "Thank you!"})
    await store.sync()
    at_hub = (await hub.client.get("/v1/records/store_settings/store-1", headers=hub.admin)).json()
    assert values(at_hub) == {"receipt_footer": "Thank you!"}

    refused = await store.client.put(
        "/v1/records/store_settings/store-2", json={"fields": {"phone": "0"}}
    )
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_record_edit"
    unknown = await store.client.put(
        "/v1/records/customer/C-1", json={"fields": {"loyalty_tier": "gold"}}
    )
    assert unknown.status_code == 422
    for client, headers in ((store.client, {}), (hub.client, hub.admin)):
        too_long = await client.put(
            f"/v1/records/customer/{'C' * 65}", json={"fields": {"phone": "0"}}, headers=headers
        )
        assert too_long.status_code == 422, too_long.text  # refused, not a server error

    # A node that forges an edit of another store's settings is quarantined, not applied.
    await hub.create_store("store-2")
    node = await enrol(hub, "store-3")
    forged = event(
        node,
        1,
        {
            "entity": "store_settings",
            "key": "store-2",
            "fields": {"phone": {"value": "0", "hlc": "001291197600000-000001-x"}},
        },
        kind="record.updated",
    )
    response = await push(hub, node, [forged])
    assert response.status_code == 200 and response.json()["rejected"][0]["seq"] == 1
    missing = await hub.client.get("/v1/records/store_settings/store-2", headers=hub.admin)
    assert missing.status_code == 404


async def test_a_new_node_gets_shared_records_in_its_snapshot(
    hub: Hub, store: Edge, tmp_path: Path
) -> None:
    await hq_edit(hub, "customer", "C-9", {"name": "Grace"})
    await hq_edit(hub, "store_settings", "store-1", {"receipt_header": "Mill St Store"})
    await hub.create_store("store-2")
    compacted = await hub.client.post(
        "/v1/feed/compact", json={"older_than_s": 0}, headers=hub.admin
    )
    assert compacted.status_code == 200, compacted.text
    other = await make_edge(tmp_path / "store-2.db", hub, await hub.token("store-2"))
    try:
        customer = (await other.client.get("/v1/records/customer/C-9")).json()
        assert values(customer) == {"name": "Grace"}
        foreign = await other.client.get("/v1/records/store_settings/store-1")
        assert foreign.status_code == 404  # another store's settings never reach it
    finally:
        await close_edge(other)
