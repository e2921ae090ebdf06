"""The dashboard's Staff and audit page and Settings page, read and used as a browser does:
the locks and counts a manager sees, unlock and PIN reset and settings through their forms
(CSRF, a manager's only), and what the till does next. A real SQLite edge, in-process hub."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.dashboard_support import browser, figures, sign_in
from tests.support import CASHIER, MANAGER, STAFF_PINS, SUPERVISOR, Edge, Hub, close_edge, make_edge


@pytest.fixture
async def edge(sqlite_hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    """store-1 enrolled, its staff HQ's (a supervisor too); the manager signed in at T1."""
    await sqlite_hub.create_store("store-1", demo_staff=True)
    await sqlite_hub.create_staff("store-1", SUPERVISOR, "Sam Supervisor", "supervisor",
                                  STAFF_PINS[SUPERVISOR])  # fmt: skip
    await sqlite_hub.import_items({"A": "2.55"})
    made = await make_edge(tmp_path / "store-1.db", sqlite_hub, await sqlite_hub.token("store-1"))
    try:
        yield made
    finally:
        await close_edge(made)


async def till_sign_in(edge: Edge, code: str, pin: str) -> int:
    async with httpx.AsyncClient(
        transport=edge.client._transport, base_url="http://127.0.0.1"
    ) as client:
        response = await client.post(
            "/v1/till-sessions", json={"till_id": "T2", "staff_code": code, "pin": pin}
        )
        return response.status_code


async def lock_out(edge: Edge) -> None:
    for _ in range(5):
        assert await till_sign_in(edge, CASHIER, "8642") == 401
    assert await till_sign_in(edge, CASHIER, STAFF_PINS[CASHIER]) == 409


def row_of(html: str, staff_code: str) -> str:
    found = re.search(rf'<tr id="staff-{staff_code}".*?</tr>', html, re.S)
    assert found, f"no row for staff {staff_code}"
    return found.group(0)


def status_message(html: str) -> str:
    found = re.search(r'role="status"[^>]*>([^<]*)<', html)
    assert found, "no status message"
    return found.group(1)


async def test_a_locked_cashier_is_shown_unlocked_from_the_page_and_signs_in_at_the_till(
    edge: Edge,
) -> None:
    await lock_out(edge)
    async with browser(edge) as client:
        csrf = await sign_in(client, MANAGER)
        page = await client.get("/dashboard/staff")
        assert page.status_code == 200, page.text
        assert "Locked until 2010-12-01 08:15" in row_of(page.text, CASHIER)
        assert "Can sign in" in row_of(page.text, MANAGER)
        counted = figures(page.text)
        assert counted["audit.pin_failed"] == 5 and counted["audit.locked"] == 1
        assert counted["audit.cart_void"] == 0
        assert page.text.count('data-kind="pin_failed"') == 5

        forged = await client.post(f"/dashboard/staff/{CASHIER}/unlock", data={"csrf_token": "x"})
        assert forged.status_code == 403
        assert await till_sign_in(edge, CASHIER, STAFF_PINS[CASHIER]) == 409

        done = await client.post(f"/dashboard/staff/{CASHIER}/unlock", data={"csrf_token": csrf})
        assert done.status_code == 303
        after = await client.get(done.headers["location"])
        assert "Staff 1001 is unlocked" in status_message(after.text)
        assert "Can sign in" in row_of(after.text, CASHIER)
        assert figures(after.text)["audit.unlocked"] == 1
    assert await till_sign_in(edge, CASHIER, STAFF_PINS[CASHIER]) == 201


async def test_the_trail_filters_by_kind_and_staff_and_says_what_it_cannot_read(
    edge: Edge,
) -> None:
    await lock_out(edge)
    async with browser(edge) as client:
        await sign_in(client, MANAGER)
        failed = await client.get("/dashboard/staff", params={"kind": "pin_failed"})
        assert failed.text.count("<tr data-kind=") == 5
        assert (
            "5 failed pins by" not in failed.text and "5 failed pins, newest first" in failed.text
        )
        mine = await client.get("/dashboard/staff", params={"staff": MANAGER})
        kinds = set(re.findall(r'<tr data-kind="([a-z_]+)"', mine.text))
        assert "pin_failed" not in kinds and "sign_in" in kinds
        odd = await client.get("/dashboard/staff", params={"kind": "coffee", "day": "someday"})
        assert odd.status_code == 200
        assert "is not a kind of audit event" in odd.text and "is not a date" in odd.text
        other_day = await client.get("/dashboard/staff", params={"day": "2010-11-30"})
        assert "Nothing audited on this day" in other_day.text


async def test_a_manager_resets_a_pin_typed_twice_and_only_the_new_one_signs_in(
    edge: Edge,
) -> None:
    async with browser(edge) as client:
        csrf = await sign_in(client, MANAGER)
        url = f"/dashboard/staff/{CASHIER}/pin"
        differ = await client.post(
            url, data={"csrf_token": csrf, "new_pin": "2580", "repeat_pin": "2589"}
        )
        assert differ.status_code == 422
        assert "not the same" in differ.text and 'role="alert"' in differ.text
        done = await client.post(
            url, data={"csrf_token": csrf, "new_pin": "2580", "repeat_pin": "2580"}
        )
        assert done.status_code == 303, done.text
        after = await client.get(done.headers["location"])
        assert "Staff 1001 has a new PIN" in status_message(after.text)
        assert "2580" not in after.text
    assert await till_sign_in(edge, CASHIER, STAFF_PINS[CASHIER]) == 401
    assert await till_sign_in(edge, CASHIER, "2580") == 201


async def test_a_supervisor_is_told_a_manager_must_do_it_and_nothing_changes(edge: Edge) -> None:
    await lock_out(edge)
    async with browser(edge) as client:
        csrf = await sign_in(client, SUPERVISOR)
        assert (await client.get("/dashboard/staff")).status_code == 200
        for url, data in [
            (f"/dashboard/staff/{CASHIER}/unlock", {}),
            (f"/dashboard/staff/{CASHIER}/pin", {"new_pin": "2580", "repeat_pin": "2580"}),
            ("/dashboard/settings", {"receipt_header": "Hijacked"}),
        ]:
            refused = await client.post(url, data={"csrf_token": csrf, **data})
            assert refused.status_code == 403, url
            assert "A manager must do this" in refused.text
        settings = await client.get("/dashboard/settings")
        assert "Hijacked" not in settings.text and "only a manager may change" in settings.text
    assert await till_sign_in(edge, CASHIER, "2580") == 409  # still locked, old PIN kept


async def test_settings_are_validated_saved_and_printed_on_the_next_receipt(edge: Edge) -> None:
    async with browser(edge) as client:
        csrf = await sign_in(client, MANAGER)
        form = await client.get("/dashboard/settings")
        assert form.status_code == 200
        assert 'placeholder="5"' in form.text  # the lockout's default shows
        bad = await client.post("/dashboard/settings", data={
            "csrf_token": csrf, "receipt_header": "Corner Shop", "pin_max_failures": "0"})  # fmt: skip
        assert bad.status_code == 422
        assert "Wrong PINs before a lock must be a whole number from 1 to 99." in bad.text
        assert 'aria-invalid="true"' in bad.text and ">Corner Shop</textarea>" in bad.text
        saved = await client.post("/dashboard/settings", data={
            "csrf_token": csrf, "receipt_header": "Corner Shop\r\n1 Market St",
            "pin_max_failures": "", "phone": "0113 496 0000"})  # fmt: skip
        assert saved.status_code == 303, saved.text
        after = await client.get(saved.headers["location"])
        assert status_message(after.text).startswith("Saved: phone, receipt header.")
        assert ">Corner Shop\n1 Market St</textarea>" in after.text
        again = await client.post("/dashboard/settings", data={
            "csrf_token": csrf, "receipt_header": "Corner Shop\n1 Market St"})  # fmt: skip
        assert again.headers["location"] == "/dashboard/settings?done=unchanged"
    sale = await edge.sell([("A", 1)], tendered="5.00")
    receipt = await edge.client.get(f"/v1/sales/{sale['sale_id']}/receipt?format=text")
    assert "Corner Shop" in receipt.text and "Tel 0113 496 0000" in receipt.text
