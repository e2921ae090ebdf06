"""The dashboard's staff and audit read models and the manager's actions (unlock, PIN reset,
store settings), over a real SQLite edge enrolled at an in-process hub: what a manager sees
at the dashboard, and what the till then does."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from edge.adapters.repositories import dashboard_audit
from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting
from edge.domain.staff import NotPermitted, PinNotAccepted, Role, StaffMember
from edge.service import dashboard_staff as dashboard
from edge.service.dashboard_staff import ManagerOnly, SettingsInvalid
from shared.clock import ManualClock
from sync.messages.staff import AUDIT_KINDS
from tests.support import (
    ADMIN_TOKEN,
    CASHIER,
    DEMO_START,
    MANAGER,
    STAFF_PINS,
    SUPERVISOR,
    Edge,
    Hub,
    close_edge,
    make_edge,
)

T = TypeVar("T")
DAY = date(2010, 12, 1)
_ROLES = {CASHIER: Role.CASHIER, SUPERVISOR: Role.SUPERVISOR, MANAGER: Role.MANAGER}


@pytest.fixture
async def edge(sqlite_hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    """store-1 enrolled and caught up, its staff HQ's (so HQ takes their PIN resets); the
    manager signed in at T1 with a shift open."""
    await sqlite_hub.create_store("store-1", demo_staff=True)
    await sqlite_hub.create_staff("store-1", SUPERVISOR, "Sam Supervisor", "supervisor",
                                  STAFF_PINS[SUPERVISOR])  # fmt: skip
    await sqlite_hub.import_items({"A": "2.55", "B": "0.85"})
    made = await make_edge(tmp_path / "store-1.db", sqlite_hub, await sqlite_hub.token("store-1"))
    try:
        yield made
    finally:
        await close_edge(made)


def at_dashboard(code: str) -> Acting:
    """Who acts at the dashboard: a staff member signed in there (till id "dashboard")."""
    return Acting("dashboard", StaffMember(code, f"Test {_ROLES[code]}", _ROLES[code], ""),
                  uuid.uuid4())  # fmt: skip


async def write(edge: Edge, use_case: Callable[[EdgeUnitOfWork], T]) -> T:
    return await edge.runtime.write(use_case)


async def read(edge: Edge, use_case: Callable[[EdgeUnitOfWork], T]) -> T:
    return await edge.runtime.read(use_case)


async def till_sign_in(edge: Edge, code: str, pin: str, till: str = "T2") -> httpx.Response:
    async with httpx.AsyncClient(
        transport=edge.client._transport, base_url="http://127.0.0.1"
    ) as client:
        return await client.post(
            "/v1/till-sessions", json={"till_id": till, "staff_code": code, "pin": pin}
        )


async def lock_out(edge: Edge, code: str = CASHIER) -> None:
    """Five wrong PINs at T2 (the store's default): `code` is locked."""
    for _ in range(5):
        assert (await till_sign_in(edge, code, "8642")).status_code == 401
    assert (await till_sign_in(edge, code, STAFF_PINS[code])).status_code == 409


def counts(page: dashboard.AuditPage) -> dict[str, int]:
    return {count.kind: count.count for count in page.counts}


def test_every_audit_kind_has_a_label_on_the_page() -> None:
    assert set(dashboard.KIND_LABELS) == set(AUDIT_KINDS) == set(dashboard.ENTRY_LABELS)


async def test_the_days_trail_counts_each_kind_lists_newest_first_and_filters(edge: Edge) -> None:
    await lock_out(edge)
    assert (await edge.client.post("/v1/tills/T1/no-sale")).status_code == 200
    assert (await edge.client.post("/v1/tills/T1/no-sale")).status_code == 200
    await edge.sync()  # acknowledged by the hub: the outbox keeps the rows all the same

    page = await read(edge, lambda uow: dashboard.audit_page(uow, DAY))
    seen = counts(page)
    assert seen["pin_failed"] == 5 and seen["locked"] == 1 and seen["no_sale"] == 2
    assert seen["sign_in"] == 1 and seen["cart_void"] == 0  # headline kinds show zero too
    assert [c.kind for c in page.counts][:3] == ["sign_in", "pin_failed", "locked"]
    assert page.total == sum(seen.values())
    assert [entry.kind for entry in page.entries][:3] == ["no_sale", "no_sale", "locked"]
    assert [entry.at for entry in page.entries] == sorted(
        (entry.at for entry in page.entries), reverse=True
    )

    # The no-sales counted in the trail are the ones the till's X report counts.
    shift = (await edge.client.get("/v1/shifts/current", params={"till_id": "T1"})).json()
    x_report = (await edge.client.get(f"/v1/shifts/{shift['shift_id']}/x-report")).json()
    assert x_report["totals"]["no_sales_count"] == seen["no_sale"]

    failed = await read(edge, lambda uow: dashboard.audit_page(uow, DAY, kind="pin_failed"))
    assert failed.total == 5 and {e.staff_code for e in failed.entries} == {CASHIER}
    assert [e.details["failures"] for e in failed.entries] == ["5", "4", "3", "2", "1"]
    cashier = await read(edge, lambda uow: dashboard.audit_page(uow, DAY, staff_code=CASHIER))
    assert cashier.total == 6 and counts(cashier) == seen  # counts stay the whole day's

    def page_of(number: int) -> Callable[[EdgeUnitOfWork], dashboard.AuditPage]:
        return lambda uow: dashboard.audit_page(uow, DAY, page=number, page_size=4)

    pages = [await read(edge, page_of(number)) for number in (1, 2, 3, 99)]
    assert [p.pages for p in pages] == [3, 3, 3, 3] and pages[3].page == 3
    listed = [e.audit_id for p in pages[:3] for e in p.entries]
    assert listed == [e.audit_id for e in page.entries]
    with pytest.raises(dashboard.UnknownAuditKind):
        await read(edge, lambda uow: dashboard.audit_page(uow, DAY, kind="coffee"))


async def test_each_business_day_has_its_own_trail(edge: Edge) -> None:
    clock = edge.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=1))
    assert (await till_sign_in(edge, CASHIER, STAFF_PINS[CASHIER])).status_code == 201
    first = await read(edge, lambda uow: dashboard.audit_page(uow, DAY))
    second = await read(edge, lambda uow: dashboard.audit_page(uow, DAY + timedelta(days=1)))
    assert counts(first)["sign_in"] == 1 and counts(second)["sign_in"] == 1
    assert [e.staff_code for e in second.entries] == [CASHIER]
    empty = await read(edge, lambda uow: dashboard.audit_page(uow, date(2010, 11, 30)))
    assert empty.total == 0 and empty.entries == [] and empty.pages == 1


async def test_a_cashier_locked_at_a_till_unlocked_at_the_dashboard_signs_in_again(
    edge: Edge,
) -> None:
    await lock_out(edge)
    identity = edge.runtime.identity
    assert identity is not None
    overview = await read(edge, lambda uow: dashboard.staff_overview(uow, DAY))
    locked = {s.staff_code: s.locked_until for s in overview.staff}
    assert locked[CASHIER] == DEMO_START + timedelta(minutes=15) and locked[MANAGER] is None

    with pytest.raises(NotPermitted):  # a supervisor may not unlock: the permissions table
        await write(edge, lambda uow: dashboard.unlock_staff(
            CASHIER, at_dashboard(SUPERVISOR), uow, identity=identity))  # fmt: skip
    assert (await till_sign_in(edge, CASHIER, STAFF_PINS[CASHIER])).status_code == 409

    status = await write(edge, lambda uow: dashboard.unlock_staff(
        CASHIER, at_dashboard(MANAGER), uow, identity=identity))  # fmt: skip
    assert status.locked_until is None
    assert (await till_sign_in(edge, CASHIER, STAFF_PINS[CASHIER])).status_code == 201
    unlocked = await read(edge, lambda uow: dashboard.audit_page(uow, DAY, kind="unlocked"))
    (entry,) = unlocked.entries
    assert (entry.till_id, entry.staff_code, entry.subject) == ("dashboard", MANAGER, CASHIER)
    # The cashier's filter finds what was done to them too.
    theirs = await read(edge, lambda uow: dashboard.audit_page(uow, DAY, staff_code=CASHIER))
    assert "unlocked" in {e.kind for e in theirs.entries}


async def test_a_manager_resets_a_pin_the_new_one_signs_in_the_old_does_not_and_hq_has_it(
    edge: Edge, sqlite_hub: Hub
) -> None:
    await lock_out(edge)
    identity = edge.runtime.identity
    assert identity is not None

    def reset(who: str, new: str, again: str) -> Callable[[EdgeUnitOfWork], object]:
        return lambda uow: dashboard.reset_pin(
            CASHIER, new, again, at_dashboard(who), uow, identity=identity
        )

    with pytest.raises(ManagerOnly):
        await write(edge, reset(SUPERVISOR, "2580", "2580"))
    for new, again, reason in [
        ("2580", "2581", "not the same"),
        ("1111", "1111", "too easy"),
        ("25a0", "25a0", "digits"),
        ("123", "123", "3 digits"),
    ]:
        with pytest.raises(PinNotAccepted, match=reason):
            await write(edge, reset(MANAGER, new, again))
    assert (await till_sign_in(edge, CASHIER, "2580")).status_code == 409  # still locked

    await write(edge, reset(MANAGER, "2580", "2580"))
    assert (await till_sign_in(edge, CASHIER, STAFF_PINS[CASHIER])).status_code == 401
    signed = await till_sign_in(edge, CASHIER, "2580")
    assert signed.status_code == 201  # the lock is lifted
    with pytest.raises(PinNotAccepted, match="same as the current"):
        await write(edge, reset(MANAGER, "2580", "2580"))
    # A second reset (the new PIN was seen) ends the session that PIN opened at the till.
    await write(edge, reset(MANAGER, "3691", "3691"))
    async with httpx.AsyncClient(
        transport=edge.client._transport, base_url="http://127.0.0.1",
        headers={"Authorization": f"Bearer {signed.json()['token']}"},
    ) as till:  # fmt: skip
        assert (await till.get("/v1/till-sessions/current")).status_code == 401
    first, second = (
        await read(edge, lambda uow: dashboard.audit_page(uow, DAY, kind="pin_reset"))
    ).entries[::-1]  # newest first on the page
    assert (first.till_id, first.staff_code, first.subject) == ("dashboard", MANAGER, CASHIER)
    assert first.details == {"lock_lifted": "yes", "till_sessions_ended": "0"}
    assert second.details == {"lock_lifted": "no", "till_sessions_ended": "1"}

    # HQ gets the new hash (a staff_pin shared record) and the audit entry, neither refused.
    status = await edge.sync()
    outbox = status["outbox"]
    assert outbox["pending"] == 0 and outbox["quarantined"] == 0, status
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    quarantined = await sqlite_hub.client.get("/v1/quarantine", headers=admin)
    assert quarantined.status_code == 200 and quarantined.json() == [], quarantined.text
    held = await read(edge, lambda uow: uow.records.get("staff_pin", CASHIER))
    assert held is not None and held[0]["pin_hash"].value.startswith("$argon2id$")
    trail = await sqlite_hub.client.get(
        "/v1/audit", params={"source": "store", "kind": "pin_reset"}, headers=admin
    )
    assert trail.status_code == 200, trail.text
    assert [(e["till_id"], e["subject"]) for e in trail.json()["entries"]] == [
        ("dashboard", CASHIER),
        ("dashboard", CASHIER),
    ]


async def test_store_settings_are_checked_saved_when_changed_and_printed_next(edge: Edge) -> None:
    identity, clock = edge.runtime.identity, edge.runtime.clock
    assert identity is not None

    def save(who: str, values: dict[str, str]) -> Callable[[EdgeUnitOfWork], list[str]]:
        return lambda uow: dashboard.save_settings(
            values, at_dashboard(who), uow, identity=identity, clock=clock
        )

    form = await read(edge, lambda uow: dashboard.settings_form(uow, identity))
    assert [f.spec.name for f in form][:2] == ["receipt_header", "receipt_footer"]
    assert {f.spec.name: f.spec.default for f in form}["pin_max_failures"] == "5"
    with pytest.raises(ManagerOnly):
        await write(edge, save(SUPERVISOR, {"receipt_header": "Hello"}))
    with pytest.raises(SettingsInvalid) as refused:
        await write(edge, save(MANAGER, {
            "receipt_header": "Corner Shop", "pin_max_failures": "0",
            "discount_amount_max": "5,00", "receipt_footer": "x" * 201,
        }))  # fmt: skip
    assert refused.value.errors == {
        "pin_max_failures": "Wrong PINs before a lock must be a whole number from 1 to 99.",
        "discount_amount_max": "Largest amount discount a cashier gives alone must be an "
        "amount such as 25.00 (at most 2 decimal places).",
        "receipt_footer": "Receipt footer must be at most 200 characters (201 typed).",
    }
    held = await read(edge, lambda uow: dashboard.settings_form(uow, identity))
    assert all(f.value == "" for f in held)  # nothing saved

    header = "Corner Shop\r\n1 Market St  "
    changed = await write(edge, save(MANAGER, {"receipt_header": header, "phone": "",
                                               "pin_max_failures": "3"}))  # fmt: skip
    assert changed == ["pin_max_failures", "receipt_header"]  # an empty phone stays empty
    again = await write(edge, save(MANAGER, {"receipt_header": "Corner Shop\n1 Market St",
                                             "pin_max_failures": "4"}))  # fmt: skip
    assert again == ["pin_max_failures"]  # only what changed is sent
    edits = await read(edge, lambda uow: dashboard.audit_page(uow, DAY, kind="settings_edited"))
    assert [e.details["fields"] for e in edits.entries] == [
        "pin_max_failures",
        "pin_max_failures,receipt_header",
    ]
    form = await read(edge, lambda uow: dashboard.settings_form(uow, identity))
    values = {f.spec.name: f.value for f in form}
    assert values["receipt_header"] == "Corner Shop\n1 Market St"
    assert values["pin_max_failures"] == "4"

    # The next receipt carries the new header.
    sale = await edge.sell([("A", 1)], tendered="5.00")
    receipt = await edge.client.get(f"/v1/sales/{sale['sale_id']}/receipt?format=text")
    assert receipt.status_code == 200
    assert "Corner Shop" in receipt.text and "1 Market St" in receipt.text
    # And the till's lockout follows the new rule: four wrong PINs lock.
    for _ in range(4):
        assert (await till_sign_in(edge, CASHIER, "8642")).status_code == 401
    assert (await till_sign_in(edge, CASHIER, STAFF_PINS[CASHIER])).status_code == 409


async def test_a_days_trail_is_read_through_its_index_not_the_whole_outbox(edge: Edge) -> None:
    query = select(dashboard_audit._KIND).where(dashboard_audit._of_day(DAY))
    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with sqlite3.connect(f"file:{edge.path}?mode=ro", uri=True) as connection:
        plan = connection.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    assert any("USING INDEX ix_outbox_audit_day" in str(step) for step in plan), plan
