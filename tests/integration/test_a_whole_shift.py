"""The issue's whole shift through the till API, as a cashier works it: sign in, open the
shift counting the float, sell with a GTIN, a weighed item off the scale (the simulator as a
real process) and a quantity prefix, park and recall, a discount above the cashier's
threshold with a manager's override, a void, the X, and the close with a blind count into a
Z that the PostgreSQL hub confirms against its ledger. Then the same with HQ unreachable."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.test_scale import Simulator, start_simulator
from tests.integration.test_scanning import stock_the_catalogue
from tests.support import CASHIER, MANAGER, STAFF_PINS, Edge, Hub, close_edge, make_edge, money


@pytest.fixture
async def scale() -> Any:
    running = await start_simulator("--weight", "0.750", "--tare", "0.015")  # 0.735 kg net
    try:
        yield running
    finally:
        running.process.kill()
        await running.process.wait()


MANAGER_OVERRIDE = {"X-Override-Staff-Code": MANAGER, "X-Override-Pin": STAFF_PINS[MANAGER]}


async def ok(response: httpx.Response, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def work_a_shift(edge: Edge) -> dict[str, Any]:
    """One shift at till T1 by the cashier, as the issue lists it; returns the Z."""
    till = httpx.AsyncClient(transport=edge.client._transport, base_url="http://127.0.0.1")
    async with till:
        session = await ok(await till.post("/v1/till-sessions", json={
            "till_id": "T1", "staff_code": CASHIER, "pin": STAFF_PINS[CASHIER]}))  # fmt: skip
        till.headers["Authorization"] = f"Bearer {session['token']}"
        shift = await ok(await till.post("/v1/shifts", json={
            "till_id": "T1", "float_counts": {"20": 4, "10": 2}}))  # fmt: skip

        cart_id = str(uuid.uuid4())
        await ok(await till.post("/v1/carts", json={"cart_id": cart_id, "till_id": "T1"}))
        scans = f"/v1/carts/{cart_id}/scans"
        gtin = await ok(await till.post(scans, json={"code": "4006381333931"}))  # A, 2.55
        three = await ok(await till.post(scans, json={"code": "3*0036000291452"}))  # COLA
        assert three["line"]["quantity"] == 3
        weighed = await ok(await till.post(scans, json={"code": "CHEDDAR", "weigh": True}))
        assert weighed["line"]["quantity"] == "0.735" and weighed["line"]["unit"] == "kg"

        parked = await till.post(f"/v1/carts/{cart_id}/park")
        assert parked.status_code == 200, parked.text
        listed = await ok(await till.get("/v1/parked-carts"), 200)
        assert [cart["cart_id"] for cart in listed] == [cart_id]
        await ok(await till.post(f"/v1/carts/{cart_id}/recall", json={"till_id": "T1"}), 200)

        line = gtin["line"]["line_id"]
        voided = await till.delete(f"/v1/carts/{cart_id}/lines/{line}")
        assert voided.status_code == 200, voided.text
        discount = {"kind": "percent", "value": "25", "reason": "loyal customer"}
        refused = await till.post(f"/v1/carts/{cart_id}/discount", json=discount)
        assert refused.status_code == 403 and refused.json()["error"] == "not_permitted"
        await ok(await till.post(f"/v1/carts/{cart_id}/discount", json=discount,
                                 headers=MANAGER_OVERRIDE), 200)  # fmt: skip

        x = await ok(await till.get(f"/v1/shifts/{shift['shift_id']}/x-report"), 200)
        assert (x["totals"]["sales_count"], x["totals"]["voids_count"]) == (0, 1)  # so far
        sale = await ok(await till.post(f"/v1/carts/{cart_id}/checkout", json={
            "tenders": [{"kind": "cash", "amount": "20.00"}]}))  # fmt: skip
        # 3 x 1.20 + 0.735 kg x 12.99 (9.55) = 13.15, less 25 % = 9.86 (largest remainder)
        assert money(sale["total"]) == Decimal("9.86")

        x = await ok(await till.get(f"/v1/shifts/{shift['shift_id']}/x-report"), 200)
        assert (x["totals"]["sales_count"], x["totals"]["voids_count"]) == (1, 1)
        expected = money(x["expected_cash"])
        assert expected == Decimal("100.00") + Decimal("9.86")
        # 109.81 in the drawer: five pence short
        counted = {"50": 1, "20": 2, "10": 1, "5": 1, "2": 2, "0.50": 1, "0.20": 1, "0.10": 1,
                   "0.01": 1}  # fmt: skip
        z: dict[str, Any] = await ok(await till.post(
            f"/v1/shifts/{shift['shift_id']}/close", json={"counted": counted}))  # fmt: skip
        return z


async def hq_confirms(hub: Hub, shift_id: str) -> dict[str, Any]:
    page = await ok(await hub.client.get(
        "/v1/z-reports", params={"store_id": "store-1"}, headers=hub.admin), 200)  # fmt: skip
    (kept,) = [z for z in page["z_reports"] if z["report"]["shift_id"] == shift_id]
    result: dict[str, Any] = kept
    return result


async def test_a_cashier_works_a_whole_shift_and_hq_confirms_its_z(
    hub: Hub, tmp_path: Path, scale: Simulator
) -> None:
    await hub.create_store("store-1")
    await stock_the_catalogue(hub)
    edge = await make_edge(
        tmp_path / "till.db", hub, await hub.token("store-1"), shift=False,
        scales={"T1": f"127.0.0.1:{scale.port}"},
    )  # fmt: skip
    try:
        z = await work_a_shift(edge)
        assert (z["z_number"], money(z["variance"])) == (1, Decimal("-0.05"))
        assert money(z["grand_total"]) == Decimal("9.86")
        await edge.sync()
        kept = await hq_confirms(hub, z["shift_id"])
        assert kept["ledger"]["status"] == "confirmed"
        assert money(kept["ledger"]["net_sales"]) == Decimal("9.86")
        audit = await ok(await hub.client.get(
            "/v1/audit", params={"store_id": "store-1", "kind": "override"},
            headers=hub.admin), 200)  # fmt: skip
        (override,) = audit["entries"]
        assert (override["staff_code"], override["approver_code"]) == (CASHIER, MANAGER)
    finally:
        await close_edge(edge)


async def test_the_same_shift_works_with_hq_unreachable_and_reaches_it_later(
    hub: Hub, tmp_path: Path, scale: Simulator
) -> None:
    await hub.create_store("store-1")
    await stock_the_catalogue(hub)
    edge = await make_edge(
        tmp_path / "till.db", hub, await hub.token("store-1"), shift=False,
        scales={"T1": f"127.0.0.1:{scale.port}"},
    )  # fmt: skip
    try:
        edge.link.online = False
        z = await work_a_shift(edge)
        status = await ok(await edge.client.get("/v1/status"), 200)
        assert status["outbox"]["pending"] > 0  # the shift's sale, its Z and audit, queued
        edge.link.online = True
        await edge.sync()
        kept = await hq_confirms(hub, z["shift_id"])
        assert kept["ledger"]["status"] == "confirmed"
    finally:
        await close_edge(edge)
