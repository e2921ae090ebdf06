"""Staff at the till: sign-in (offline too), lockout and unlock, manager overrides, PIN
changes, and the session every till route needs. Real SQLite edges, a real PostgreSQL hub."""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlite_utils

from edge.api.app import create_app
from edge.api.session import SESSION_CHECKS
from edge.bootstrap import EdgeRuntime
from edge.service.feed import apply_feed_entries
from shared.clock import ManualClock
from sync.messages import FeedEntry, StaffV1
from sync.openapi import dependency_calls, documented_routes
from tests.support import (
    CASHIER,
    MANAGER,
    STAFF_PINS,
    SUPERVISOR,
    Edge,
    Hub,
    close_edge,
    make_edge,
)

# The routes a till calls before it signs in, and the node's own (loopback, host-checked).
NO_SESSION = {
    "/v1/till-sessions": {"POST"},
    "/v1/status": {"GET"},
    "/v1/clock": {"PUT"},
    "/v1/catalogue": {"GET"},
    "/v1/catalogue/{sku}": {"GET"},
    "/v1/sync/run": {"POST"},
    "/v1/sync/integrity": {"GET"},
    "/v1/sync/quarantine": {"GET"},
    "/v1/sync/rotate-credential": {"POST"},
}

NO_RECEIPT = {
    "till_id": "T1",
    "reason": "faulty",
    "lines": [{"sku": "C", "quantity": 1}],
}


def audit_rows(edge: Edge) -> list[dict[str, Any]]:
    """The till's audit events as the outbox holds them (read as an auditor would)."""
    database = sqlite_utils.Database(sqlite3.connect(f"file:{edge.path}?mode=ro", uri=True))
    rows = database.query(
        "SELECT json_extract(payload, '$.kind') AS kind, "
        "json_extract(payload, '$.staff_code') AS staff, "
        "json_extract(payload, '$.approver_code') AS approver, "
        "json_extract(payload, '$.approver_name') AS approver_name, payload "
        "FROM outbox WHERE kind = 'audit.recorded' ORDER BY seq"
    )
    return list(rows)


def bare(edge: Edge) -> httpx.AsyncClient:
    """A client of the same till API with no session."""
    return httpx.AsyncClient(transport=edge.client._transport, base_url="http://127.0.0.1")


async def sign_in(client: httpx.AsyncClient, code: str, pin: str, till: str = "T1") -> Any:
    return await client.post(
        "/v1/till-sessions", json={"till_id": till, "staff_code": code, "pin": pin}
    )


def advance(runtime: EdgeRuntime, by: timedelta) -> None:
    clock = runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(by)


async def test_no_till_route_answers_without_a_session(store: Edge) -> None:
    async with bare(store) as client:
        for method, path in [
            ("POST", "/v1/carts"),
            ("GET", f"/v1/carts/{uuid.uuid4()}"),
            ("GET", "/v1/sales?business_day=2010-12-01"),
            ("GET", "/v1/reports/day?business_day=2010-12-01"),
            ("POST", "/v1/returns"),
            ("POST", "/v1/cash-movements"),
            ("GET", "/v1/refund-requests"),
            ("GET", "/v1/b2b-orders"),
            ("GET", "/v1/staff"),
        ]:
            response = await client.request(method, path, json={})
            assert response.status_code == 401, (path, response.text)
            assert response.json()["error"] == "not_signed_in"
        forged = await client.get(
            "/v1/sales?business_day=2010-12-01", headers={"Authorization": "Bearer forged"}
        )
        assert forged.status_code == 401


async def test_every_other_route_checks_the_session_once_and_refuses_without_it(
    store: Edge,
) -> None:
    """Every /v1 route but NO_SESSION answers 401 to a request with no session, and checks
    the session once (a check on the router and again on the route would run it twice)."""
    checked = 0
    async with bare(store) as client:
        for route in documented_routes(create_app(store.runtime, run_agent=False)):
            methods = route.methods - NO_SESSION.get(route.path, set())
            if not route.path.startswith("/v1/") or not methods:
                continue
            checks = [
                call for call in dependency_calls(route.route.dependant) if call in SESSION_CHECKS
            ]
            assert len(checks) == 1, route.path
            path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)
            for method in methods:
                response = await client.request(method, path, json={})
                assert response.status_code == 401, (method, path, response.text)
                assert response.json()["error"] == "not_signed_in"
                checked += 1
    assert checked > 60


async def test_a_cashier_signs_in_offline_sells_and_signs_out(store: Edge) -> None:
    store.link.online = False  # HQ unreachable: staff and PIN hashes are on the node
    async with bare(store) as client:
        wrong = await sign_in(client, CASHIER, "9999")
        assert wrong.status_code == 401 and wrong.json()["error"] == "wrong_pin"
        assert "9999" not in wrong.text
        unknown = await sign_in(client, "4242", "1234")
        assert unknown.status_code == 401 and unknown.json()["error"] == "wrong_pin"
        signed = await sign_in(client, CASHIER, "1234")
        assert signed.status_code == 201, signed.text
        session = signed.json()
        assert session["staff"] == {
            "staff_code": CASHIER,
            "name": "Test cashier",
            "role": "cashier",
        }
        client.headers["Authorization"] = f"Bearer {session['token']}"
        opened = await client.post("/v1/carts", json={"till_id": "T1", "lines": [
            {"sku": "A", "quantity": 2}]})  # fmt: skip
        assert opened.status_code == 201, opened.text
        other_till = await client.post("/v1/carts", json={"till_id": "T2"})
        assert other_till.status_code == 401 and other_till.json()["error"] == "till_mismatch"
        assert (await client.delete("/v1/till-sessions/current")).status_code == 204
        after = await client.get(f"/v1/carts/{opened.json()['cart_id']}")
        assert after.status_code == 401
    kinds = [(row["kind"], row["staff"]) for row in audit_rows(store)]
    assert kinds[-4:] == [
        ("pin_failed", CASHIER), ("sign_out", MANAGER), ("sign_in", CASHIER), ("sign_out", CASHIER)
    ]  # fmt: skip
    assert all("1234" not in row["payload"] for row in audit_rows(store))


async def test_a_line_or_scan_with_a_forged_or_ended_session_is_refused_and_adds_nothing(
    store: Edge,
) -> None:
    """The two scan routes check the session inside their own write (`SessionClaim`): a
    session it refuses leaves the cart as it was."""
    opened = await store.client.post(
        "/v1/carts", json={"till_id": "T1", "lines": [{"sku": "A", "quantity": 1}]}
    )
    cart = opened.json()["cart_id"]
    async with bare(store) as client:
        signed = await sign_in(client, CASHIER, "1234", till="T2")
        ended = signed.json()["token"]
        client.headers["Authorization"] = f"Bearer {ended}"
        assert (await client.delete("/v1/till-sessions/current")).status_code == 204
        for token in ("forged", ended):
            client.headers["Authorization"] = f"Bearer {token}"
            for path, body in (
                (f"/v1/carts/{cart}/lines", {"lines": [{"sku": "B", "quantity": 1}]}),
                (f"/v1/carts/{cart}/scans", {"code": "C"}),
            ):
                refused = await client.post(path, json=body)
                assert refused.status_code == 401, (token, path, refused.text)
                assert refused.json()["error"] == "not_signed_in"
    after = await store.client.get(f"/v1/carts/{cart}")
    assert [line["sku"] for line in after.json()["lines"]] == ["A"]


async def test_the_scan_routes_check_the_override_headers_before_they_add_anything(
    store: Edge,
) -> None:
    """The scan routes take their session and override as one dependency (`TillWriteDep`):
    the same answers as every till route's, and nothing added by a refused request."""
    opened = await store.client.post(
        "/v1/carts", json={"till_id": "T1", "lines": [{"sku": "A", "quantity": 1}]}
    )
    cart = opened.json()["cart_id"]
    cheaper = {"lines": [{"sku": "B", "quantity": 1, "unit_price": "0.50",
                          "price_reason": "damaged"}]}  # fmt: skip
    lines, scans = f"/v1/carts/{cart}/lines", f"/v1/carts/{cart}/scans"
    async with bare(store) as client:
        client.headers["Authorization"] = (
            f"Bearer {(await sign_in(client, CASHIER, '1234', till='T2')).json()['token']}"
        )
        refused = await client.post(lines, json=cheaper)
        assert (refused.status_code, refused.json()["error"]) == (403, "not_permitted")
        for path, body in ((lines, cheaper), (scans, {"code": "C"})):
            half = await client.post(path, json=body, headers={
                "X-Override-Staff-Code": SUPERVISOR})  # fmt: skip
            assert (half.status_code, half.json()["error"]) == (422, "override_incomplete")
            letters = await client.post(path, json=body, headers={
                "X-Override-Staff-Code": SUPERVISOR, "X-Override-Pin": "12ab"})  # fmt: skip
            assert letters.status_code == 422, path
            assert "x-override-pin" in letters.text.lower(), letters.text
        after = await client.get(f"/v1/carts/{cart}")
        assert [line["sku"] for line in after.json()["lines"]] == ["A"]
        approved = await client.post(lines, json=cheaper, headers={
            "X-Override-Staff-Code": SUPERVISOR, "X-Override-Pin": STAFF_PINS[SUPERVISOR]})  # fmt: skip
        assert approved.status_code == 201, approved.text
        assert approved.json()["lines"][0]["price_source"] == "override"


async def test_wrong_pins_lock_until_a_manager_unlocks_and_the_store_sets_how_many(
    store: Edge,
) -> None:
    settings = await store.client.put(
        "/v1/records/store_settings/store-1",
        json={"fields": {"pin_max_failures": "3", "pin_lock_minutes": "30"}},
    )
    assert settings.status_code == 200, settings.text
    async with bare(store) as client:
        for _ in range(3):
            assert (await sign_in(client, CASHIER, "0000", till="T2")).status_code == 401
        locked = await sign_in(client, CASHIER, "1234", till="T2")  # right PIN, but locked
        assert locked.status_code == 409 and locked.json()["error"] == "staff_locked"
        listed = {row["staff_code"]: row for row in (await store.client.get("/v1/staff")).json()}
        assert listed[CASHIER]["locked_until"] is not None
        # a supervisor may not unlock; the manager (signed in on store.client) may
        supervisor = (await sign_in(client, SUPERVISOR, STAFF_PINS[SUPERVISOR], till="T5")).json()
        refused = await client.post(
            f"/v1/staff/{CASHIER}/unlock",
            headers={"Authorization": f"Bearer {supervisor['token']}"},
        )
        assert refused.status_code == 403 and refused.json()["error"] == "not_permitted"
        unlocked = await store.client.post(f"/v1/staff/{CASHIER}/unlock")
        assert unlocked.status_code == 200 and unlocked.json()["locked_until"] is None
        assert (await sign_in(client, CASHIER, "1234", till="T2")).status_code == 201
    kinds = [row["kind"] for row in audit_rows(store)]
    assert kinds.count("pin_failed") == 3 and "locked" in kinds and "unlocked" in kinds


async def test_a_lock_ends_by_itself_when_its_time_is_up(store: Edge) -> None:
    async with bare(store) as client:
        for _ in range(5):
            await sign_in(client, CASHIER, "0000", till="T2")
        assert (await sign_in(client, CASHIER, "1234", till="T2")).status_code == 409
        advance(store.runtime, timedelta(minutes=16))
        assert (await sign_in(client, CASHIER, "1234", till="T2")).status_code == 201


async def test_a_manager_override_approves_one_action_and_is_recorded_with_both_names(
    store: Edge,
) -> None:
    await store.sell([("C", 2)])
    async with bare(store) as client:
        client.headers["Authorization"] = (
            f"Bearer {(await sign_in(client, CASHIER, '1234')).json()['token']}"
        )
        refused = await client.post("/v1/returns", json=NO_RECEIPT)
        assert refused.status_code == 403 and refused.json()["error"] == "not_permitted"
        wrong = await client.post("/v1/returns", json=NO_RECEIPT, headers={
            "X-Override-Staff-Code": MANAGER, "X-Override-Pin": "1111"})  # fmt: skip
        assert wrong.status_code == 401 and wrong.json()["error"] == "wrong_pin"
        approved = await client.post("/v1/returns", json=NO_RECEIPT, headers={
            "X-Override-Staff-Code": SUPERVISOR, "X-Override-Pin": STAFF_PINS[SUPERVISOR]})  # fmt: skip
        assert approved.status_code == 201, approved.text
        # the approval was for that one return: the next needs one again
        assert (await client.post("/v1/returns", json=NO_RECEIPT)).status_code == 403
        half = await client.post("/v1/returns", json=NO_RECEIPT, headers={
            "X-Override-Staff-Code": MANAGER})  # fmt: skip
        assert half.status_code == 422 and half.json()["error"] == "override_incomplete"
    rows = audit_rows(store)
    overrides = [row for row in rows if row["kind"] == "override"]
    assert [(row["staff"], row["approver"]) for row in overrides] == [(CASHIER, SUPERVISOR)]
    assert overrides[0]["approver_name"] == "Test supervisor"
    failed = [row for row in rows if row["kind"] == "pin_failed"]
    assert [row["staff"] for row in failed] == [MANAGER]  # the wrong PIN counts against them


async def test_a_cashier_may_not_change_the_stores_settings(store: Edge) -> None:
    async with bare(store) as client:
        client.headers["Authorization"] = (
            f"Bearer {(await sign_in(client, CASHIER, '1234')).json()['token']}"
        )
        refused = await client.put(
            "/v1/records/store_settings/store-1", json={"fields": {"pin_max_failures": "99"}}
        )
        assert refused.status_code == 403
        customer = await client.put(
            "/v1/records/customer/C-1", json={"fields": {"phone": "0113 496 0000"}}
        )
        assert customer.status_code == 200  # a customer's phone is the till's to take
    bad = await store.client.put(
        "/v1/records/store_settings/store-1", json={"fields": {"pin_max_failures": "lots"}}
    )
    assert bad.status_code == 422 and "whole number" in bad.json()["detail"]


async def test_a_staff_member_changes_their_pin_and_it_reaches_hq(hub: Hub, store: Edge) -> None:
    await hub.create_demo_staff("store-1")  # HQ knows the cashier works at store-1
    await store.sync()
    async with bare(store) as client:
        client.headers["Authorization"] = (
            f"Bearer {(await sign_in(client, CASHIER, '1234')).json()['token']}"
        )
        for new_pin, why in [("1111", "too easy"), ("12", "4 to 8 digits")]:
            response = await client.post(
                "/v1/till-sessions/current/pin", json={"old_pin": "1234", "new_pin": new_pin}
            )
            assert response.status_code == 422, response.text
            assert response.json()["error"] == "pin_not_accepted"
            assert why.split()[0] in response.json()["detail"]
        wrong_old = await client.post(
            "/v1/till-sessions/current/pin", json={"old_pin": "4321", "new_pin": "2580"}
        )
        assert wrong_old.status_code == 401
        changed = await client.post(
            "/v1/till-sessions/current/pin", json={"old_pin": "1234", "new_pin": "2580"}
        )
        assert changed.status_code == 204, changed.text
        assert (await sign_in(client, CASHIER, "1234", till="T2")).status_code == 401
        assert (await sign_in(client, CASHIER, "2580", till="T2")).status_code == 201
    database = sqlite_utils.Database(sqlite3.connect(f"file:{store.path}?mode=ro", uri=True))
    (edit,) = database.query(
        "SELECT payload FROM outbox WHERE kind = 'record.updated' "
        "AND json_extract(payload, '$.entity') = 'staff_pin'"
    )
    assert "2580" not in edit["payload"] and "$argon2id$" in edit["payload"]
    assert (await store.sync())["outbox"]["pending"] == 0
    quarantined = await hub.client.get("/v1/quarantine", headers=hub.admin)
    assert quarantined.status_code == 200 and quarantined.json() == [], quarantined.text


async def test_a_new_sign_in_at_a_till_ends_the_session_open_there(store: Edge) -> None:
    async with bare(store) as first, bare(store) as second:
        first.headers["Authorization"] = (
            f"Bearer {(await sign_in(first, CASHIER, '1234', till='T3')).json()['token']}"
        )
        assert (await first.get("/v1/till-sessions/current")).status_code == 200
        signed = await sign_in(second, MANAGER, "9999", till="T3")
        assert signed.status_code == 201
        ended = await first.get("/v1/till-sessions/current")
        assert ended.status_code == 401 and "ended" in ended.json()["detail"]


async def test_a_session_ends_after_the_stores_hours(store: Edge) -> None:
    async with bare(store) as client:
        client.headers["Authorization"] = (
            f"Bearer {(await sign_in(client, CASHIER, '1234', till='T4')).json()['token']}"
        )
        advance(store.runtime, timedelta(hours=17))
        old = await client.get("/v1/till-sessions/current")
        assert old.status_code == 401 and "too old" in old.json()["detail"]


async def test_a_till_knows_only_staff_hq_published(hub: Hub, tmp_path: Path) -> None:
    """Staff created at HQ reach the edge through its feed and sign in there."""
    await hub.create_store("store-9", demo_staff=True)
    await hub.import_items({"A": "2.55"})
    edge = await make_edge(tmp_path / "s9.db", hub, await hub.token("store-9"), sync_now=False)
    try:
        await edge.sync()
        async with bare(edge) as client:
            signed = await sign_in(client, "1001", "1234")
            assert signed.status_code == 201, signed.text
            assert signed.json()["staff"]["name"] == "Demo Cashier"
    finally:
        await close_edge(edge)


async def test_a_session_ends_when_hq_deactivates_its_staff_member(store: Edge) -> None:
    async with bare(store) as client:
        client.headers["Authorization"] = (
            f"Bearer {(await sign_in(client, SUPERVISOR, STAFF_PINS[SUPERVISOR], till='T5')).json()['token']}"
        )
        assert (await client.get("/v1/till-sessions/current")).status_code == 200
        left = StaffV1(
            staff_code=SUPERVISOR,
            name="Test supervisor",
            role="supervisor",
            stores=[],
            active=False,
        )
        entry = FeedEntry(cursor="0", entity="staff", key=SUPERVISOR, op="upsert", version=99,
                          payload=left.model_dump(mode="json"))  # fmt: skip
        await store.runtime.write(lambda uow: apply_feed_entries([entry], uow, now=uow.now()))
        line = {"lines": [{"sku": "A", "quantity": 1}]}
        refused = await client.post(f"/v1/carts/{uuid.uuid4()}/lines", json=line)
        assert refused.status_code == 401
        assert "may no longer sign in" in refused.json()["detail"]
        assert (await client.get("/v1/till-sessions/current")).status_code == 401
