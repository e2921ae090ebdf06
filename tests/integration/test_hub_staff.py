"""Staff as HQ records on a real PostgreSQL hub: HQ creates, changes and lists them and sets
their PINs; each store's feed and snapshot carry the staff who work there and their PIN's
argon2id hash, never the PIN; a PIN changed at a till travels back by HLC to the staff
member's other stores, and only from a store they work at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.clock import HLCTimestamp, to_epoch_ms
from shared.pins import hash_pin, verify_pin
from tests.integration.test_hub_sync import enrol, push
from tests.support import ADMIN_TOKEN, JSON, Hub, event
from vectis.replay.hq import DEMO_STAFF, HqClient

# PINs no hash, id or timestamp will contain by chance, so "appears nowhere" means something.
PIN = "58203917"
NEW_PIN = "60718342"
TILL_PIN = "47195063"


async def create(hub: Hub, code: str, stores: list[str], pin: str = PIN, **fields: Any) -> Any:
    return await hub.client.post(
        "/v1/staff",
        json={
            "staff_code": code,
            "name": fields.get("name", f"Staff {code}"),
            "role": fields.get("role", "cashier"),
            "stores": stores,
            "pin": pin,
        },
        headers=hub.admin,
    )


async def feed_text(hub: Hub, node: dict[str, str]) -> str:
    response = await hub.client.get(
        "/v1/sync/feed", params={"limit": 5000}, headers={"Authorization": node["authorization"]}
    )
    assert response.status_code == 200, response.text
    return response.text


async def feed(hub: Hub, node: dict[str, str], entity: str) -> list[JSON]:
    """The node's feed entries of `entity`, oldest first (the whole feed, from the start)."""
    response = await hub.client.get(
        "/v1/sync/feed", params={"limit": 5000}, headers={"Authorization": node["authorization"]}
    )
    return [entry for entry in response.json()["entries"] if entry["entity"] == entity]


async def snapshot(hub: Hub, node: dict[str, str]) -> tuple[str, dict[tuple[str, str], JSON]]:
    response = await hub.client.get(
        "/v1/sync/snapshot", headers={"Authorization": node["authorization"]}
    )
    assert response.status_code == 200, response.text
    items = {(item["entity"], item["key"]): item for item in response.json()["items"]}
    return response.text, items


def pin_hash_of(entry: JSON) -> str:
    value: str = entry["payload"]["fields"]["pin_hash"]["value"]
    return value


@pytest.fixture
async def nodes(hub: Hub) -> dict[str, dict[str, str]]:
    """Three stores, each with an enrolled node."""
    return {store: await enrol(hub, store) for store in ("store-1", "store-2", "store-3")}


async def test_a_staff_member_reaches_the_feed_and_snapshot_of_each_of_their_stores_with_only_a_pin_hash(
    hub: Hub, nodes: dict[str, dict[str, str]]
) -> None:
    created = await create(hub, "1001", ["store-2", "store-1"], name="Ada Cashier")

    assert created.status_code == 201, created.text
    body = created.json()
    assert {key: body[key] for key in ("staff_code", "name", "role", "stores", "active")} == {
        "staff_code": "1001",
        "name": "Ada Cashier",
        "role": "cashier",
        "stores": ["store-1", "store-2"],
        "active": True,
    }
    assert PIN not in created.text and "argon2" not in created.text
    for store in ("store-1", "store-2"):
        (staff,) = await feed(hub, nodes[store], "staff")
        assert staff["key"] == "1001" and staff["version"] == 1
        assert staff["payload"] == {
            "staff_code": "1001",
            "name": "Ada Cashier",
            "role": "cashier",
            "stores": ["store-1", "store-2"],
            "active": True,
        }
        (pin,) = await feed(hub, nodes[store], "staff_pin")
        assert pin["key"] == "1001" and pin_hash_of(pin).startswith("$argon2id$")
        assert verify_pin(pin_hash_of(pin), PIN)
        assert PIN not in await feed_text(hub, nodes[store])
        text, items = await snapshot(hub, nodes[store])
        assert PIN not in text
        assert items[("staff", "1001")]["payload"]["active"] is True
        assert verify_pin(pin_hash_of(items[("staff_pin", "1001")]), PIN)
    # A store they do not work at hears nothing of them.
    assert await feed(hub, nodes["store-3"], "staff") == []
    assert await feed(hub, nodes["store-3"], "staff_pin") == []
    _, items = await snapshot(hub, nodes["store-3"])
    assert ("staff", "1001") not in items and ("staff_pin", "1001") not in items
    # HQ's change is in its audit trail, by path: the PIN is in no entry.
    trail = await hub.client.get("/v1/audit", headers=hub.admin)
    assert any(
        entry["route"] == "/v1/staff" and entry["status"] == 201
        for entry in trail.json()["entries"]
    )
    assert PIN not in trail.text


async def test_hq_reads_and_pages_staff_by_store_and_answers_never_carry_a_pin_or_hash(
    hub: Hub, nodes: dict[str, dict[str, str]]
) -> None:
    for code, stores in (("1001", ["store-1"]), ("1002", ["store-1", "store-2"]), ("9001", [])):
        assert (await create(hub, code, stores)).status_code == 201

    first = await hub.client.get(
        "/v1/staff", params={"store_id": "store-1", "limit": 1}, headers=hub.admin
    )
    assert [item["staff_code"] for item in first.json()["staff"]] == ["1001"]
    assert first.json()["next_after"] == "1001"
    rest = await hub.client.get(
        "/v1/staff", params={"store_id": "store-1", "after": "1001"}, headers=hub.admin
    )
    assert [item["staff_code"] for item in rest.json()["staff"]] == ["1002"]
    assert rest.json()["next_after"] is None
    everyone = await hub.client.get("/v1/staff", headers=hub.admin)
    assert [item["staff_code"] for item in everyone.json()["staff"]] == ["1001", "1002", "9001"]
    one = await hub.client.get("/v1/staff/1002", headers=hub.admin)
    assert one.json()["stores"] == ["store-1", "store-2"]
    for response in (first, rest, everyone, one):
        assert PIN not in response.text and "argon2" not in response.text
    unknown = await hub.client.get("/v1/staff", params={"store_id": "nope"}, headers=hub.admin)
    assert unknown.status_code == 404 and unknown.json()["error"] == "store_not_found"
    anonymous = await hub.client.get("/v1/staff")
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        pytest.param({"stores": ["store-9"]}, 422, "unknown_store", id="unknown-store"),
        pytest.param({"pin": "12a4"}, 422, "invalid_pin", id="pin-not-digits"),
        pytest.param({"pin": "123"}, 422, "invalid_pin", id="pin-too-short"),
        pytest.param({"pin": "123456789"}, 422, "invalid_pin", id="pin-too-long"),
        pytest.param({"pin": ""}, 422, "invalid_pin", id="pin-empty"),
        pytest.param({"staff_code": "12"}, 422, "validation_error", id="code-too-short"),
        pytest.param({"staff_code": "12ab"}, 422, "validation_error", id="code-not-digits"),
        pytest.param({"role": "owner"}, 422, "validation_error", id="unknown-role"),
        pytest.param({"staff_code": "1001"}, 409, "staff_code_taken", id="code-taken"),
    ],
)
async def test_hq_gets_a_clear_error_for_a_staff_member_it_cannot_create(
    hub: Hub, body: JSON, status: int, error: str
) -> None:
    await hub.create_store("store-1")
    assert (await create(hub, "1001", ["store-1"])).status_code == 201
    request = {
        "staff_code": "2002",
        "name": "Bo",
        "role": "cashier",
        "stores": ["store-1"],
        "pin": "4711",
    } | body

    response = await hub.client.post("/v1/staff", json=request, headers=hub.admin)

    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    if request["pin"]:
        assert request["pin"] not in response.json()["detail"]
    listed = (await hub.client.get("/v1/staff", headers=hub.admin)).json()["staff"]
    assert [item["staff_code"] for item in listed] == ["1001"]  # nothing else was added


async def test_hq_may_give_a_trivial_pin_such_as_the_demos_1234(hub: Hub) -> None:
    await hub.create_store("store-1")

    response = await create(hub, "1001", ["store-1"], pin="1234")

    assert response.status_code == 201, response.text


async def test_moving_a_staff_member_tells_the_store_they_left_and_the_one_they_joined(
    hub: Hub, nodes: dict[str, dict[str, str]]
) -> None:
    await create(hub, "1001", ["store-1", "store-2"])

    moved = await hub.client.patch(
        "/v1/staff/1001",
        json={"stores": ["store-2", "store-3"], "role": "supervisor"},
        headers=hub.admin,
    )

    assert moved.status_code == 200, moved.text
    assert (moved.json()["stores"], moved.json()["role"], moved.json()["version"]) == (
        ["store-2", "store-3"],
        "supervisor",
        2,
    )
    left = (await feed(hub, nodes["store-1"], "staff"))[-1]
    assert (left["version"], left["payload"]["active"]) == (2, False)
    for store in ("store-2", "store-3"):
        latest = (await feed(hub, nodes[store], "staff"))[-1]
        assert (latest["version"], latest["payload"]["active"]) == (2, True)
        assert latest["payload"]["role"] == "supervisor"
    (joined_pin,) = await feed(hub, nodes["store-3"], "staff_pin")
    assert verify_pin(pin_hash_of(joined_pin), PIN)
    # A store bootstrapping later learns the same: inactive where they left, no PIN hash there.
    _, left_items = await snapshot(hub, nodes["store-1"])
    assert left_items[("staff", "1001")]["payload"]["active"] is False
    assert ("staff_pin", "1001") not in left_items
    _, joined_items = await snapshot(hub, nodes["store-3"])
    assert joined_items[("staff", "1001")]["payload"]["active"] is True
    assert verify_pin(pin_hash_of(joined_items[("staff_pin", "1001")]), PIN)

    # Leaving altogether: every store of theirs hears it.
    gone = await hub.client.patch("/v1/staff/1001", json={"active": False}, headers=hub.admin)
    assert gone.json()["active"] is False
    for store in ("store-2", "store-3"):
        latest = (await feed(hub, nodes[store], "staff"))[-1]
        assert (latest["version"], latest["payload"]["active"]) == (3, False)
    # The same change again publishes nothing.
    again = await hub.client.patch("/v1/staff/1001", json={"active": False}, headers=hub.admin)
    assert again.json()["version"] == 3


async def test_an_hq_pin_reset_reaches_every_store_of_theirs(
    hub: Hub, nodes: dict[str, dict[str, str]]
) -> None:
    await create(hub, "1001", ["store-1", "store-2"])

    reset = await hub.client.post("/v1/staff/1001/pin", json={"pin": NEW_PIN}, headers=hub.admin)

    assert reset.status_code == 200, reset.text
    assert NEW_PIN not in reset.text and "argon2" not in reset.text
    for store in ("store-1", "store-2"):
        latest = (await feed(hub, nodes[store], "staff_pin"))[-1]
        assert verify_pin(pin_hash_of(latest), NEW_PIN)
        assert not verify_pin(pin_hash_of(latest), PIN)
        assert NEW_PIN not in await feed_text(hub, nodes[store])
    bad = await hub.client.post("/v1/staff/1001/pin", json={"pin": "12"}, headers=hub.admin)
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_pin"
    trail = await hub.client.get("/v1/audit", headers=hub.admin)
    assert NEW_PIN not in trail.text
    assert any(e["route"] == "/v1/staff/{staff_code}/pin" for e in trail.json()["entries"])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/staff/4040", None),
        ("PATCH", "/v1/staff/4040", {"name": "Nobody"}),
        ("POST", "/v1/staff/4040/pin", {"pin": "4711"}),
    ],
)
async def test_an_unknown_staff_code_is_404(
    hub: Hub, method: str, path: str, body: JSON | None
) -> None:
    response = await hub.client.request(method, path, json=body, headers=hub.admin)

    assert response.status_code == 404 and response.json()["error"] == "staff_not_found"


async def test_patching_onto_an_unknown_store_changes_nothing(hub: Hub) -> None:
    await hub.create_store("store-1")
    await create(hub, "1001", ["store-1"])

    response = await hub.client.patch(
        "/v1/staff/1001", json={"stores": ["store-1", "store-9"]}, headers=hub.admin
    )

    assert response.status_code == 422 and response.json()["error"] == "unknown_store"
    assert (await hub.client.get("/v1/staff/1001", headers=hub.admin)).json()["stores"] == [
        "store-1"
    ]


async def test_the_generic_record_routes_neither_edit_nor_show_a_staff_pin(hub: Hub) -> None:
    await hub.create_store("store-1")
    await create(hub, "1001", ["store-1"])

    edit = await hub.client.put(
        "/v1/records/staff_pin/1001",
        json={"fields": {"pin_hash": hash_pin("4711")}},
        headers=hub.admin,
    )
    read = await hub.client.get("/v1/records/staff_pin/1001", headers=hub.admin)

    for response in (edit, read):
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "pin_not_editable_here"
        assert "/v1/staff/{staff_code}/pin" in response.json()["detail"]
        assert "argon2" not in response.text


def record_event(
    node: dict[str, str], seq: int, key: str, pin_hash: str | None, stamp: str
) -> JSON:
    payload = {
        "entity": "staff_pin",
        "key": key,
        "fields": {"pin_hash": {"value": pin_hash, "hlc": stamp}},
    }
    return event(node, seq, payload, kind="record.updated")


def later_stamp(hub: Hub, node_id: str, minutes: int = 1) -> str:
    moment = hub.runtime.clock.now() + timedelta(minutes=minutes)
    return HLCTimestamp(to_epoch_ms(moment), 0, node_id).encode()


async def test_a_pin_changed_at_a_till_reaches_the_staff_members_other_stores(
    hub: Hub, nodes: dict[str, dict[str, str]]
) -> None:
    await create(hub, "1001", ["store-1", "store-2"])
    node = nodes["store-1"]

    pushed = await push(
        hub,
        node,
        [record_event(node, 1, "1001", hash_pin(TILL_PIN), later_stamp(hub, node["node_id"]))],
    )

    assert pushed.status_code == 200 and pushed.json()["rejected"] == [], pushed.text
    latest = (await feed(hub, nodes["store-2"], "staff_pin"))[-1]
    assert verify_pin(pin_hash_of(latest), TILL_PIN)
    _, items = await snapshot(hub, nodes["store-2"])
    assert verify_pin(pin_hash_of(items[("staff_pin", "1001")]), TILL_PIN)
    assert await feed(hub, nodes["store-3"], "staff_pin") == []

    # HQ's reset afterwards is stamped after every edit the hub has seen: it wins.
    await hub.client.post("/v1/staff/1001/pin", json={"pin": NEW_PIN}, headers=hub.admin)
    for store in ("store-1", "store-2"):
        assert verify_pin(pin_hash_of((await feed(hub, nodes[store], "staff_pin"))[-1]), NEW_PIN)
    # A conflict log entry, if any, never shows a hash.
    conflicts = await hub.client.get("/v1/conflicts", headers=hub.admin)
    assert "argon2" not in conflicts.text


@pytest.mark.parametrize(
    ("store", "staff_code", "pin_hash", "reason"),
    [
        pytest.param("store-3", "1001", "good", "does not work at store-3", id="other-store"),
        pytest.param("store-1", "7777", "good", "does not work at store-1", id="unknown-staff"),
        pytest.param("store-1", "1001", "$argon2id$junk", "not an argon2", id="not-a-hash"),
        pytest.param("store-1", "1001", "plain 1234", "not an argon2", id="plain-text"),
        pytest.param("store-1", "1001", None, "cannot clear a PIN", id="cleared"),
    ],
)
async def test_a_pin_change_from_a_store_the_staff_member_does_not_work_at_or_not_a_hash_is_quarantined(
    hub: Hub,
    nodes: dict[str, dict[str, str]],
    store: str,
    staff_code: str,
    pin_hash: str | None,
    reason: str,
) -> None:
    await create(hub, "1001", ["store-1", "store-2"])
    node = nodes[store]
    value = hash_pin(TILL_PIN) if pin_hash == "good" else pin_hash

    pushed = await push(
        hub, node, [record_event(node, 1, staff_code, value, later_stamp(hub, node["node_id"]))]
    )

    assert pushed.status_code == 200, pushed.text
    (rejected,) = pushed.json()["rejected"]
    assert reason in rejected["reason"]
    for other in ("store-1", "store-2"):
        (only,) = await feed(hub, nodes[other], "staff_pin")
        assert verify_pin(pin_hash_of(only), PIN)
    assert await feed(hub, nodes["store-3"], "staff_pin") == []


async def test_the_test_hubs_demo_staff_work_at_each_store_created_with_them(hub: Hub) -> None:
    await hub.create_store("store-1", demo_staff=True)
    await hub.create_store("store-2", demo_staff=True)
    node = await enrol(hub, "store-3")
    await hub.create_demo_staff("store-3")

    listed = (await hub.client.get("/v1/staff", headers=hub.admin)).json()["staff"]

    assert [(m["staff_code"], m["name"], m["role"], m["stores"]) for m in listed] == [
        ("1001", "Demo Cashier", "cashier", ["store-1", "store-2", "store-3"]),
        ("9001", "Demo Manager", "manager", ["store-1", "store-2", "store-3"]),
    ]
    _, items = await snapshot(hub, node)
    assert verify_pin(pin_hash_of(items[("staff_pin", "1001")]), "1234")
    assert verify_pin(pin_hash_of(items[("staff_pin", "9001")]), "9999")


async def test_the_replay_gives_every_store_the_demo_staff_even_on_a_hub_replayed_into_before(
    hub: Hub,
) -> None:
    hq = HqClient("http://hub", ADMIN_TOKEN, transport=hub.transport)
    try:
        for store in ("store-1", "store-2"):
            await hub.create_store(store)
        for member in DEMO_STAFF:
            await hq.ensure_staff(member, ["store-1"])
        # HQ changed a PIN and a store since: the next replay puts them back as the demo says.
        await hub.client.post("/v1/staff/1001/pin", json={"pin": PIN}, headers=hub.admin)
        for member in DEMO_STAFF:
            await hq.ensure_staff(member, ["store-1", "store-2"])
    finally:
        await hq.aclose()
    node = await enrol(hub, "store-3")
    await hub.client.patch(
        "/v1/staff/1001", json={"stores": ["store-1", "store-2", "store-3"]}, headers=hub.admin
    )

    listed = (await hub.client.get("/v1/staff", headers=hub.admin)).json()["staff"]
    assert [(m["staff_code"], m["name"], m["role"], m["active"]) for m in listed] == [
        ("1001", "Demo Cashier", "cashier", True),
        ("9001", "Demo Manager", "manager", True),
    ]
    assert listed[1]["stores"] == ["store-1", "store-2"]
    _, items = await snapshot(hub, node)
    assert verify_pin(pin_hash_of(items[("staff_pin", "1001")]), "1234")
