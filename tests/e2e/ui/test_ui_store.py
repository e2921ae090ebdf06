"""The UI tests' store (tests/ui_support.py) is a real one: a till signs in, opens its shift,
scans a GTIN, a weight label and a weighed item, is paid in cash, and the sale outlives a
killed edge. Driven over the edge's HTTP API as the till's client will, not through the UI."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import httpx

from tests.support import TillSession
from tests.ui_support import APPLES, TEA, UiStore, weight_label


async def test_a_till_sells_a_gtin_and_weighed_items_for_cash_and_the_sale_outlives_a_kill(
    ui_store: UiStore,
) -> None:
    cashier = ui_store.cashier
    till = ui_store.till_id
    async with httpx.AsyncClient(base_url=ui_store.edge_url, trust_env=False, timeout=30) as edge:
        edge.auth = TillSession(till, cashier.staff_code, cashier.pin)
        # given a signed-in cashier with the shift opened on a float of 100.00
        opened = await edge.post("/v1/shifts", json={"till_id": till, "float_total": "100.00"})
        assert opened.status_code == 201, opened.text
        assert opened.json()["opened_by"] == cashier.staff_code, opened.json()
        cart_id = str(uuid.uuid4())
        assert (
            await edge.post("/v1/carts", json={"cart_id": cart_id, "till_id": till})
        ).status_code == 201

        # when the cashier scans 2 x tea by its GTIN, a weight label and a bag on the scale
        scans = [
            {"code": f"2*{TEA.gtin}"},
            {"code": weight_label(APPLES, Decimal("0.500"))},
            {"code": APPLES.sku, "weigh": True},
        ]
        scanned = []
        for scan in scans:
            answer = await edge.post(f"/v1/carts/{cart_id}/scans", json=scan)
            assert answer.status_code == 201, answer.text
            scanned.append(answer.json())

        # then the lines are the catalogue's: tea at 2.50 twice, apples by the kg
        assert scanned[0]["scanned"]["kind"] == "gtin"
        assert (scanned[0]["line"]["sku"], scanned[0]["line"]["quantity"]) == (TEA.sku, 2)
        assert scanned[0]["line"]["line_total"] == "5.00"
        assert scanned[1]["scanned"]["kind"] == "variable_measure"
        assert (scanned[1]["line"]["quantity"], scanned[1]["line"]["line_total"]) == (
            "0.500",
            "1.10",
        )
        # the scale holds 0.735 kg: 0.735 x 2.20 = 1.617, 1.62
        assert (scanned[2]["line"]["quantity"], scanned[2]["line"]["unit"]) == ("0.735", "kg")
        assert scanned[2]["total"] == "7.72"

        # when it is paid with a 10.00 note
        paid = await edge.post(
            f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "10.00"}]}
        )
        assert paid.status_code == 201, paid.text
        sale = paid.json()
        assert (sale["total"], sale["change"]) == ("7.72", "2.28")
        # VAT at 20 % is included, rounded line by line: 0.83 + 0.18 + 0.27
        assert sale["tax"] == "1.28"

        assert sale["receipt_number"] == f"{till}-0000001"

    # and the sale is still there after the edge was killed and started again
    await ui_store.kill_edge()
    async with httpx.AsyncClient(base_url=ui_store.edge_url, trust_env=False, timeout=5) as edge:
        try:
            await edge.get("/health")
            raise AssertionError("the edge still answers after SIGKILL")
        except httpx.TransportError:
            pass
    await ui_store.restart_edge()
    async with httpx.AsyncClient(base_url=ui_store.edge_url, trust_env=False, timeout=30) as edge:
        edge.auth = TillSession(till, cashier.staff_code, cashier.pin)
        again = await edge.get(f"/v1/sales/{sale['sale_id']}")
        assert again.status_code == 200, again.text
        assert again.json()["total"] == "7.72"


def sync_now(edge_url: str) -> bool | None:
    """POST /v1/sync/run from a synchronous test: is the edge's link to the hub up?"""
    answer = httpx.post(f"{edge_url}/v1/sync/run", timeout=30, trust_env=False)
    assert answer.status_code == 200, answer.text
    online: bool | None = answer.json()["sync"]["online"]
    return online


def test_a_synchronous_test_sees_the_store_online_until_it_cuts_the_hub(
    ui_store: UiStore,
) -> None:
    # snapshot tests are synchronous: no pytest loop runs, yet the proxies still forward
    assert sync_now(ui_store.edge_url) is True
    asyncio.run(ui_store.cut_hub())
    assert sync_now(ui_store.edge_url) is False
    asyncio.run(ui_store.restore_hub())
    assert sync_now(ui_store.edge_url) is True
