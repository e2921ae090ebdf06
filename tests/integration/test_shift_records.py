"""A till's shift on a real SQLite file: the float, the X built from the node's own records,
the Z with its blind count, numbers consecutive per till through a crash, the grand total that
never resets, the close refused while a cart is open, and another cashier's shift."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest

from edge.domain.audit import Acting, Authorized
from edge.domain.shifts import ShiftAlreadyOpen, XReport, ZReport
from edge.domain.staff import NotPermitted, Role, StaffMember
from edge.service import shifts
from tests.integration.test_edge_till import outbox_rows
from tests.integration.test_hub_sync import push
from tests.support import Edge, Hub, close_edge, event, make_edge

T = TypeVar("T")

CASHIER = StaffMember("1001", "Cathy Cashier", Role.CASHIER, "not-a-hash")
OTHER = StaffMember("1002", "Colin Cashier", Role.CASHIER, "not-a-hash")
MANAGER = StaffMember("9001", "Mona Manager", Role.MANAGER, "not-a-hash")


@pytest.fixture
async def store(hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    """store-1's edge, signed in at T1 with no shift open yet (these tests open them)."""
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55", "B": "0.85", "C": "10.00"})
    edge = await make_edge(tmp_path / "store-1.db", hub, await hub.token("store-1"), shift=False)
    try:
        yield edge
    finally:
        await close_edge(edge)


def acting(staff: StaffMember = CASHIER, till_id: str = "T1") -> Acting:
    return Acting(till_id, staff, uuid.uuid4())


async def write(edge: Edge, use_case: Callable[[Any], T]) -> T:
    return await edge.runtime.write(use_case)


async def open_shift(
    edge: Edge, till_id: str = "T1", staff: StaffMember = CASHIER, **float_: Any
) -> shifts.ShiftView:
    identity = edge.runtime.identity
    assert identity is not None
    command = shifts.OpenShift(till_id, **(float_ or {"float_counts": {"20": 4, "10": 2}}))
    view, _ = await write(
        edge,
        lambda uow: shifts.open_shift(command, uow, acting(staff, till_id), identity=identity),
    )
    return view


async def close(
    edge: Edge, shift_id: str, counted: dict[str, int], who: Acting | Authorized | None = None
) -> ZReport:
    identity = edge.runtime.identity
    assert identity is not None
    command = shifts.CloseShift(shift_id, counted)
    report, _ = await write(
        edge,
        lambda uow: shifts.close_shift(command, uow, who or acting(), identity=identity),
    )
    return report


async def x_of(edge: Edge, shift_id: str) -> XReport:
    identity = edge.runtime.identity
    assert identity is not None
    report, _ = await edge.runtime.read(
        lambda uow: shifts.x_report(shift_id, uow, identity=identity)
    )
    return report


async def sell(edge: Edge, lines: list[tuple[str, int]], cash: str, void_sku: str = "") -> Any:
    cart_id = str(uuid.uuid4())
    body = {
        "cart_id": cart_id,
        "till_id": "T1",
        "lines": [{"sku": s, "quantity": q} for s, q in lines],
    }
    cart = (await edge.client.post("/v1/carts", json=body)).json()
    for line in cart["lines"]:
        if line["sku"] == void_sku:
            voided = await edge.client.delete(f"/v1/carts/{cart_id}/lines/{line['line_id']}")
            assert voided.status_code == 200, voided.text
    response = await edge.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"kind": "cash", "amount": cash}]}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_shift_counts_its_sales_returns_voids_and_cash_and_closes_with_a_z(
    store: Edge,
) -> None:
    opened = await open_shift(store)  # a float of 4 x 20 + 2 x 10 = 100.00
    assert opened.shift.opening_float.total.amount == Decimal("100.00")
    assert not opened.overdue
    with pytest.raises(ShiftAlreadyOpen):
        await open_shift(store)
    first = await sell(store, [("A", 2), ("C", 1), ("B", 1)], "20.00", void_sku="B")  # 15.10
    await sell(store, [("B", 3)], "5.00")  # 2.55
    returned = await store.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "reason": "damaged",
            "original_sale_id": first["sale_id"],
            "lines": [{"sku": "A", "quantity": 1, "original_line_no": 1}],
        },
    )
    assert returned.status_code == 201, returned.text  # 2.55 back in cash
    for kind, amount, reason in [
        ("paid_out", "12.50", "window cleaner"),
        ("paid_in", "5.00", "bank"),
    ]:
        moved = await store.client.post(
            "/v1/cash-movements",
            json={"till_id": "T1", "kind": kind, "amount": amount, "reason": reason},
        )
        assert moved.status_code == 201, moved.text
    identity = store.runtime.identity
    assert identity is not None
    await write(
        store,
        lambda uow: shifts.record_no_sale(
            "T1", uow, Authorized(acting(MANAGER)), identity=identity
        ),
    )

    x = await x_of(store, opened.shift.shift_id)
    totals = x.totals
    assert (totals.sales_count, str(totals.sales.amount)) == (2, "17.65")
    assert (totals.returns_count, str(totals.returns.amount)) == (1, "-2.55")
    assert (totals.voids_count, str(totals.voids.amount)) == (1, "-0.85")
    assert totals.no_sales_count == 1
    assert str(totals.net_sales.amount) == "15.10"
    assert {k: str(v.amount) for k, v in totals.tenders} == {"cash": "22.45"}
    assert str(totals.change_given.amount) == "7.35"
    # 100 float + 17.65 taken - 2.55 refunded - 12.50 paid out + 5.00 paid in
    assert str(x.expected_cash.amount) == "107.60"
    assert (x.first_receipt_number, x.last_receipt_number) == (
        first["receipt_number"],
        returned.json()["receipt_number"],
    )

    z = await close(store, opened.shift.shift_id, {"50": 2, "5": 1, "2": 1, "0.50": 1})  # 107.50
    assert z.z_number == 1
    assert (str(z.counted_cash.amount), str(z.expected_cash.amount)) == ("107.50", "107.60")
    assert str(z.variance.amount) == "-0.10"  # ten pence short
    assert str(z.grand_total.amount) == "15.10"
    kinds = [row["kind"] for row in outbox_rows(store)]  # the audit events left out
    assert kinds.count("shift.closed") == 1 and kinds[-1] == "shift.closed"

    # The next shift's Z is number 2 and its grand total carries on from the first's.
    second = await open_shift(store, float_total=Decimal("50.00"))
    await sell(store, [("C", 1)], "10.00")
    z2 = await close(store, second.shift.shift_id, {"20": 3})
    assert (z2.z_number, str(z2.grand_total.amount), str(z2.variance.amount)) == (
        2,
        "25.10",
        "0.00",
    )
    listed = await store.runtime.read(
        lambda uow: shifts.z_reports(
            uow, till_id="T1", first_day=None, last_day=None, limit=10, offset=0
        )
    )
    assert [(z.z_number, str(z.grand_total.amount)) for z in listed] == [(1, "15.10"), (2, "25.10")]
    assert listed[0] == z  # kept as made: the same report read back


async def test_a_crash_between_taking_the_number_and_committing_burns_no_z_number(
    store: Edge,
) -> None:
    first = await open_shift(store)
    await close(store, first.shift.shift_id, {"20": 4, "10": 2})
    second = await open_shift(store)
    identity = store.runtime.identity
    assert identity is not None

    def close_then_crash(uow: Any) -> None:
        report, _ = shifts.close_shift(
            shifts.CloseShift(second.shift.shift_id, {"20": 5}), uow, acting(), identity=identity
        )
        assert report.z_number == 2
        raise RuntimeError("power cut before the commit")

    with pytest.raises(RuntimeError):
        await store.runtime.write(close_then_crash)
    still = await store.runtime.read(lambda uow: shifts.current_shift("T1", uow, identity=identity))
    assert still.shift.shift_id == second.shift.shift_id  # still open: nothing half-written
    z = await close(store, second.shift.shift_id, {"20": 5})
    assert z.z_number == 2  # the number the crash took, neither burned nor repeated


async def test_a_shift_will_not_close_while_its_till_still_has_a_cart_open(store: Edge) -> None:
    opened = await open_shift(store)
    cart_id = str(uuid.uuid4())
    made = await store.client.post(
        "/v1/carts",
        json={"cart_id": cart_id, "till_id": "T1", "lines": [{"sku": "A", "quantity": 1}]},
    )
    assert made.status_code == 201
    with pytest.raises(shifts.CartsStillOpen) as refused:
        await close(store, opened.shift.shift_id, {"20": 5}, acting(MANAGER))
    assert refused.value.cart_ids == [cart_id] and cart_id in str(refused.value)
    await store.client.post(f"/v1/carts/{cart_id}/void")
    z = await close(store, opened.shift.shift_id, {"20": 5}, Authorized(acting(MANAGER)))
    assert z.closed_by == "9001" and z.opened_by == "1001"
    assert (z.totals.voids_count, str(z.totals.voids.amount)) == (1, "-2.55")


async def test_only_a_manager_closes_another_cashiers_shift(store: Edge) -> None:
    opened = await open_shift(store)
    with pytest.raises(NotPermitted):
        await close(store, opened.shift.shift_id, {"20": 5}, acting(OTHER))
    # With a manager's override the other cashier may.
    z = await close(
        store, opened.shift.shift_id, {"20": 5}, Authorized(acting(OTHER), approver=MANAGER)
    )
    assert z.z_number == 1 and z.closed_by == "1002"
    # A retry of the same close returns the same Z, not a second one.
    again = await close(store, opened.shift.shift_id, {"20": 5})
    assert again == z


async def hq_z_reports(hub: Hub) -> list[dict[str, Any]]:
    response = await hub.client.get(
        "/v1/z-reports", params={"store_id": "store-1", "from": "2010-12-01"}, headers=hub.admin
    )
    assert response.status_code == 200, response.text
    page: list[dict[str, Any]] = response.json()["z_reports"]
    return page


async def test_hq_confirms_a_z_against_its_ledger_and_alerts_on_one_that_disagrees(
    hub: Hub, store: Edge
) -> None:
    opened = await open_shift(store)
    store.link.online = False  # the shift works offline; its Z reaches HQ later
    await sell(store, [("A", 2), ("C", 1)], "20.00")
    z = await close(store, opened.shift.shift_id, {"50": 2, "10": 1, "2": 2, "1": 1, "0.10": 1})
    store.link.online = True
    await store.sync()
    (kept,) = await hq_z_reports(hub)
    assert kept["report"]["z_number"] == 1 and kept["report"]["net_sales"] == "15.10"
    assert kept["report"]["variance"] == str(z.variance.amount)
    assert kept["ledger"] == {
        "status": "confirmed",
        "documents": 1,
        "net_sales": "15.10",
        "tax": "0.00",
        "expected_cash": "115.10",
    }
    await store.sync()  # sent again: kept once
    assert len(await hq_z_reports(hub)) == 1

    # A Z whose sales the ledger does not hold: another node of the store reports the same
    # figures for its own till T1, where HQ recorded no sale.
    enrolled = await hub.client.post(
        "/v1/sync/enrol",
        json={"protocol_version": 1, "token": await hub.token("store-1"), "node_name": "pc-2"},
    )
    body = enrolled.json()
    node = {
        "store_id": "store-1",
        "node_id": body["node_id"],
        "authorization": f"Bearer {body['credential']}",
    }
    forged = dict(kept["report"], shift_id=str(uuid.uuid4()))
    pushed = await push(hub, node, [event(node, 1, forged, kind="shift.closed")])
    assert pushed.status_code == 200, pushed.text
    alerts = (await hub.client.get("/v1/integrity/alerts", headers=hub.admin)).json()
    (alert,) = [alert for alert in alerts if alert["z_number"] is not None]
    assert (alert["node_id"], alert["till_id"], alert["z_number"]) == (node["node_id"], "T1", 1)
    assert "net sales (minor units): Z 1510, ledger 0" in alert["details"]
    statuses = sorted(
        (row["node_id"] == node["node_id"], row["ledger"]["status"])
        for row in await hq_z_reports(hub)
    )
    assert statuses == [(False, "confirmed"), (True, "mismatch")]
