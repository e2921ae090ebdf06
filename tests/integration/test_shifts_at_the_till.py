"""A shift through the till API: open with the float by denomination, sell, no-sale with an
override, paid-out, X, close with the blind count into a Z that the PostgreSQL hub confirms."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx

from tests.support import CASHIER, MANAGER, STAFF_PINS, SUPERVISOR, Edge, Hub, money

OVERRIDE = {"X-Override-Staff-Code": SUPERVISOR, "X-Override-Pin": STAFF_PINS[SUPERVISOR]}


def bare(store: Edge) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=store.client._transport, base_url="http://127.0.0.1")


async def cashier_at(client: httpx.AsyncClient, till: str) -> httpx.AsyncClient:
    signed = await client.post(
        "/v1/till-sessions", json={"till_id": till, "staff_code": CASHIER, "pin": "1234"}
    )
    assert signed.status_code == 201, signed.text
    client.headers["Authorization"] = f"Bearer {signed.json()['token']}"
    return client


async def test_a_till_without_a_shift_sells_nothing_until_the_float_is_counted(
    store: Edge,
) -> None:
    async with bare(store) as till:
        await cashier_at(till, "T7")
        refused = await till.post("/v1/carts", json={"till_id": "T7"})
        assert refused.status_code == 409 and refused.json()["error"] == "no_open_shift"
        both = await till.post(
            "/v1/shifts", json={"till_id": "T7", "float_total": "50", "float_counts": {"20": 1}}
        )
        assert both.status_code == 422
        odd = await till.post("/v1/shifts", json={"till_id": "T7", "float_counts": {"0.03": 1}})
        assert odd.status_code == 422 and odd.json()["error"] == "invalid_cash_count"
        opened = await till.post(
            "/v1/shifts", json={"till_id": "T7", "float_counts": {"20": 2, "5": 1, "0.50": 4}}
        )
        assert opened.status_code == 201, opened.text
        assert money(opened.json()["totals"]["float_cash"]) == Decimal("47.00")
        again = await till.post("/v1/shifts", json={"till_id": "T7", "float_total": "10"})
        assert again.status_code == 409 and again.json()["error"] == "shift_already_open"
        assert (await till.post("/v1/carts", json={"till_id": "T7"})).status_code == 201


async def test_a_whole_shift_closes_into_a_z_that_hq_confirms(hub: Hub, store: Edge) -> None:
    async with bare(store) as till:
        await cashier_at(till, "T8")
        shift = (
            await till.post("/v1/shifts", json={"till_id": "T8", "float_counts": {"20": 5}})
        ).json()
        cart_id = str(uuid.uuid4())
        opened = await till.post(
            "/v1/carts",
            json={"cart_id": cart_id, "till_id": "T8", "lines": [{"sku": "C", "quantity": 2}]},
        )
        assert opened.status_code == 201
        paid = await till.post(
            f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"kind": "cash", "amount": "50"}]}
        )
        assert paid.status_code == 201 and money(paid.json()["change"]) == Decimal("30.00")
        drawer = await till.post("/v1/tills/T8/no-sale")
        assert drawer.status_code == 403 and drawer.json()["error"] == "not_permitted"
        drawer = await till.post("/v1/tills/T8/no-sale", headers=OVERRIDE)
        assert drawer.status_code == 200 and drawer.json()["totals"]["no_sales_count"] == 1
        paid_out = {"till_id": "T8", "kind": "paid_out", "amount": "3.50", "reason": "milk"}
        assert (await till.post("/v1/cash-movements", json=paid_out)).status_code == 403
        moved = await till.post("/v1/cash-movements", json=paid_out, headers=OVERRIDE)
        assert moved.status_code == 201, moved.text

        no_z = await till.post(f"/v1/shifts/{shift['shift_id']}/print", params={"report": "z"})
        assert no_z.status_code == 409 and no_z.json()["error"] == "no_z_report"
        x_printed = await till.post(f"/v1/shifts/{shift['shift_id']}/print")
        assert x_printed.status_code == 200, x_printed.text
        assert x_printed.json()["printed"] is False  # this till has no printer
        assert "116.50" in x_printed.json()["text"]  # the expected cash, on paper
        x = (await till.get(f"/v1/shifts/{shift['shift_id']}/x-report")).json()
        assert (x["totals"]["sales_count"], money(x["totals"]["sales"])) == (1, Decimal("20.00"))
        # float 100 + cash 50 - change 30 - paid-out 3.50
        assert money(x["expected_cash"]) == Decimal("116.50")

        # the manager (signed in on store.client at T1) closes the cashier's shift, blind
        counted = {"50": 1, "20": 3, "5": 1, "1": 1, "0.50": 1}  # 116.50
        z = await store.client.post(f"/v1/shifts/{shift['shift_id']}/close", json={"counted": {
            **counted, "0.50": 0}})  # fmt: skip
        assert z.status_code == 201, z.text
        report = z.json()
        assert (report["z_number"], report["closed_by"]) == (1, MANAGER)
        assert money(report["variance"]) == Decimal("-0.50")  # a 50p coin missing
        assert money(report["grand_total"]) == money(report["totals"]["net_sales"])
        retried = await store.client.post(
            f"/v1/shifts/{shift['shift_id']}/close", json={"counted": {**counted, "0.50": 0}}
        )
        assert retried.status_code == 200 and retried.json()["z_number"] == 1
        z_printed = await till.post(f"/v1/shifts/{shift['shift_id']}/print", params={"report": "z"})
        assert z_printed.status_code == 200 and "-0.50" in z_printed.json()["text"]
        closed = await till.post("/v1/carts", json={"till_id": "T8"})
        assert closed.status_code == 409 and closed.json()["error"] == "no_open_shift"

    await store.sync()
    page = (
        await hub.client.get("/v1/z-reports", params={"store_id": "store-1"}, headers=hub.admin)
    ).json()
    (kept,) = [z for z in page["z_reports"] if z["report"]["till_id"] == "T8"]
    assert kept["ledger"]["status"] == "confirmed"
    assert money(kept["report"]["net_sales"]) == Decimal("20.00")
    listed = (await store.client.get("/v1/z-reports", params={"till_id": "T8"})).json()
    assert [z["z_number"] for z in listed] == [1]


async def test_a_cashier_may_not_close_another_cashiers_shift(store: Edge) -> None:
    async with bare(store) as till:
        await cashier_at(till, "T9")
        shift = (await till.post("/v1/shifts", json={"till_id": "T9", "float_total": "0"})).json()
    async with httpx.AsyncClient(
        transport=store.client._transport, base_url="http://127.0.0.1"
    ) as other:
        signed = await other.post(
            "/v1/till-sessions",
            json={"till_id": "T10", "staff_code": SUPERVISOR, "pin": STAFF_PINS[SUPERVISOR]},
        )
        other.headers["Authorization"] = f"Bearer {signed.json()['token']}"
        refused = await other.post(f"/v1/shifts/{shift['shift_id']}/close", json={"counted": {}})
        assert refused.status_code == 403 and refused.json()["error"] == "not_permitted"


async def test_a_drawer_counted_as_a_total_closes_with_no_denominations_invented(
    store: Edge,
) -> None:
    async with bare(store) as till:
        await cashier_at(till, "T11")
        shift = (await till.post("/v1/shifts", json={"till_id": "T11", "float_total": "80"})).json()
        close = f"/v1/shifts/{shift['shift_id']}/close"

        # a count is by denomination or a total: neither, or both, is refused
        for body in ({}, {"counted": {"20": 4}, "counted_total": "80.00"}):
            refused = await till.post(close, json=body)
            assert refused.status_code == 422, refused.text
            assert refused.json()["error"] == "invalid_cash_count"
        finer = await till.post(close, json={"counted_total": "79.999"})
        assert finer.status_code == 422

        # the total alone: the Z holds that cash and no denominations nobody counted
        z = await till.post(close, json={"counted_total": "79.50"})
        assert z.status_code == 201, z.text
        assert (z.json()["counted"], z.json()["counted_cash"]) == ({}, "79.50")
        assert z.json()["variance"] == "-0.50"

        # the same total again is a retry (the same Z); another total is refused
        again = await till.post(close, json={"counted_total": "79.50"})
        assert again.status_code == 200 and again.json()["z_number"] == z.json()["z_number"]
        other = await till.post(close, json={"counted_total": "80.00"})
        assert other.status_code == 409 and other.json()["error"] == "shift_closed"


async def test_a_no_sale_sent_again_with_its_id_opens_the_drawer_once(store: Edge) -> None:
    async with bare(store) as till:
        await cashier_at(till, "T12")
        await till.post("/v1/shifts", json={"till_id": "T12", "float_total": "50"})
        no_sale_id = str(uuid.uuid4())
        path, body = "/v1/tills/T12/no-sale", {"no_sale_id": no_sale_id}
        first = await till.post(path, json=body, headers=OVERRIDE)
        again = await till.post(path, json=body, headers=OVERRIDE)
        assert first.status_code == again.status_code == 200, again.text
        assert again.json()["totals"]["no_sales_count"] == 1
        other = await till.post(path, json={"no_sale_id": str(uuid.uuid4())}, headers=OVERRIDE)
        assert other.json()["totals"]["no_sales_count"] == 2
        bad = await till.post(path, json={"no_sale_id": "not-an-id"}, headers=OVERRIDE)
        assert bad.status_code == 422
