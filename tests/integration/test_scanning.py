"""The scan field at the till (an edge on a SQLite file, its catalogue from a PostgreSQL hub):
SKUs, GTINs, quantity prefixes, scale labels, the scale itself (the simulator as a real
process), and the receipt barcode at the returns desk."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from edge.domain.barcodes import DEFAULT_TEMPLATES, MeasureKind, VariableMeasureTemplate
from tests.integration.test_scale import Simulator, start_simulator
from tests.support import JSON, Edge, Hub, close_edge, make_edge, money

PRICE_LABEL, WEIGHT_LABEL = DEFAULT_TEMPLATES[0], DEFAULT_TEMPLATES[1]  # prefixes 20 and 21
CATALOGUE = [
    # sku, unit, price, gtin
    ("A", "each", "2.55", "4006381333931"),
    ("COLA", "each", "1.20", "0036000291452"),  # a UPC-A kept in its 13-digit form
    ("CHEDDAR", "kg", "12.99", "5012345678900"),
    ("HAM-PACK", "each", "5.00", PRICE_LABEL.encode("12345", 0)),  # priced at the deli scale
    ("TURKEY", "kg", "9.80", WEIGHT_LABEL.encode("00123", 0)),  # weighed at the deli scale
]


async def stock_the_catalogue(hub: Hub) -> None:
    response = await hub.client.post(
        "/v1/catalogue/import",
        json={
            "items": [
                {"sku": sku, "unit": unit, "unit_price": price, "gtin": gtin, "currency": "GBP"}
                for sku, unit, price, gtin in CATALOGUE
            ]
        },
        headers=hub.admin,
    )
    assert response.status_code == 200, response.text


async def open_till(hub: Hub, path: Path, **settings: Any) -> Edge:
    await hub.create_store("store-1")
    await stock_the_catalogue(hub)
    return await make_edge(path, hub, await hub.token("store-1"), **settings)


@pytest.fixture
async def till(hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    edge = await open_till(hub, tmp_path / "till.db")
    try:
        yield edge
    finally:
        await close_edge(edge)


async def new_cart(edge: Edge) -> str:
    cart_id = str(uuid.uuid4())
    response = await edge.client.post("/v1/carts", json={"cart_id": cart_id, "till_id": "T1"})
    assert response.status_code == 201, response.text
    return cart_id


async def scan(edge: Edge, cart_id: str, code: str, **body: Any) -> Any:
    return await edge.client.post(f"/v1/carts/{cart_id}/scans", json={"code": code, **body})


async def scanned(edge: Edge, cart_id: str, code: str, **body: Any) -> JSON:
    response = await scan(edge, cart_id, code, **body)
    assert response.status_code == 201, response.text
    result: JSON = response.json()
    return result


async def test_a_sku_a_gtin_a_upc_and_a_quantity_prefix_ring_up_their_items(till: Edge) -> None:
    cart_id = await new_cart(till)
    by_sku = await scanned(till, cart_id, " A ")
    assert (by_sku["line"]["sku"], by_sku["line"]["quantity"], by_sku["scanned"]["kind"]) == (
        "A",
        1,
        "sku",
    )
    by_gtin = await scanned(till, cart_id, "4006381333931")
    assert (by_gtin["line"]["sku"], by_gtin["scanned"]["kind"]) == ("A", "gtin")
    upc = await scanned(till, cart_id, "036000291452")  # 12 digits; the catalogue holds 13
    assert upc["line"]["sku"] == "COLA"
    three = await scanned(till, cart_id, "3*4006381333931")
    assert (three["line"]["quantity"], money(three["line"]["line_total"])) == (3, Decimal("7.65"))
    assert three["line_count"] == 4 and money(three["total"]) == Decimal("13.95")


async def test_a_retried_scan_returns_the_same_line_and_rings_up_nothing_more(till: Edge) -> None:
    cart_id = await new_cart(till)
    scan_id = str(uuid.uuid4())
    first = await scanned(till, cart_id, "A", scan_id=scan_id)
    again = await scan(till, cart_id, "A", scan_id=scan_id)
    assert again.status_code == 200
    assert again.json()["line"] == first["line"] and again.json()["scanned"] is None
    cart = (await till.client.get(f"/v1/carts/{cart_id}")).json()
    assert len(cart["lines"]) == 1


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("4006381333932", 422, "bad_check_digit"),  # one digit misread
        ("4006381333948", 404, "unknown_code"),  # a valid GTIN the store does not sell
        ("NO-SUCH-SKU", 404, "unknown_code"),
        ("0*A", 422, "bad_quantity_prefix"),
        ("CHEDDAR", 422, "weight_needed"),  # sold by weight: scale or label
        (WEIGHT_LABEL.encode("12345", 500), 404, "unknown_code"),  # no item 12345 by weight
        ("R:T1-0000001", 422, "receipt_not_an_item"),
        ("   ", 422, "empty_scan"),
    ],
)
async def test_a_scan_the_till_cannot_ring_up_says_why_and_adds_nothing(
    till: Edge, code: str, status: int, error: str
) -> None:
    cart_id = await new_cart(till)
    response = await scan(till, cart_id, code)
    assert (response.status_code, response.json()["error"]) == (status, error), response.text
    assert (await till.client.get(f"/v1/carts/{cart_id}")).json()["lines"] == []


async def test_scale_labels_ring_up_their_weight_or_their_price(till: Edge) -> None:
    cart_id = await new_cart(till)
    turkey = await scanned(till, cart_id, WEIGHT_LABEL.encode("00123", 735))
    # 0.735 kg x 9.80 = 7.203 -> 7.20
    assert (turkey["line"]["sku"], turkey["line"]["quantity"], turkey["line"]["unit"]) == (
        "TURKEY",
        "0.735",
        "kg",
    )
    assert money(turkey["line"]["line_total"]) == Decimal("7.20")
    assert turkey["scanned"]["label_weight_kg"] == "0.735"
    ham = await scanned(till, cart_id, "2*" + PRICE_LABEL.encode("12345", 575))
    assert (ham["line"]["sku"], ham["line"]["quantity"], money(ham["line"]["unit_price"])) == (
        "HAM-PACK",
        2,
        Decimal("5.75"),
    )
    assert money(ham["total"]) == Decimal("18.70")


async def test_a_store_configures_its_own_label_layout(hub: Hub, tmp_path: Path) -> None:
    layout = {"prefix": "22", "item_digits": 5, "kind": "weight", "value_digits": 5}
    edge = await open_till(hub, tmp_path / "own.db", scan_templates=[layout])
    try:
        response = await hub.client.post(
            "/v1/catalogue/import",
            json={
                "items": [
                    {
                        "sku": "BRIE",
                        "unit": "kg",
                        "unit_price": "20.00",
                        "currency": "GBP",
                        "gtin": VariableMeasureTemplate("22", 5, MeasureKind.WEIGHT, 5).encode(
                            "00042", 0
                        ),
                    }
                ]
            },
            headers=hub.admin,
        )
        assert response.status_code == 200
        await edge.sync()
        cart_id = await new_cart(edge)
        label = VariableMeasureTemplate("22", 5, MeasureKind.WEIGHT, 5).encode("00042", 250)
        brie = await scanned(edge, cart_id, label)
        assert (brie["line"]["sku"], brie["line"]["quantity"]) == ("BRIE", "0.250")
        # The defaults are replaced: a 21 label is now an ordinary (unknown) GTIN.
        turkey = await scan(edge, cart_id, WEIGHT_LABEL.encode("00123", 735))
        assert turkey.status_code == 404
    finally:
        await close_edge(edge)


async def test_a_till_without_a_scale_or_a_session_is_told_so(till: Edge) -> None:
    none = await till.client.get("/v1/tills/T1/scale")
    assert (none.status_code, none.json()["error"]) == (404, "no_scale")
    cart_id = await new_cart(till)
    weighed = await scan(till, cart_id, "CHEDDAR", weigh=True)
    assert (weighed.status_code, weighed.json()["error"]) == (404, "no_scale")
    request = till.client.build_request("POST", f"/v1/carts/{cart_id}/scans", json={"code": "A"})
    anonymous = await till.client.send(request, auth=None)  # no till session
    assert anonymous.status_code == 401


async def test_the_returns_desk_scans_the_receipt_and_returns_against_it(till: Edge) -> None:
    cart_id = await new_cart(till)
    await scanned(till, cart_id, "2*A")
    sale = (
        await till.client.post(
            f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "10.00"}]}
        )
    ).json()
    found = await till.client.get(f"/v1/sales/by-receipt/R:{sale['receipt_number']}")
    assert found.status_code == 200 and found.json()["sale_id"] == sale["sale_id"]
    plain = await till.client.get(f"/v1/sales/by-receipt/{sale['receipt_number']}")
    assert plain.json()["sale_id"] == sale["sale_id"]
    returned = await till.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "reason": "damaged",
            "original_receipt_number": found.json()["receipt_number"],
            "lines": [{"sku": "A", "quantity": 1, "original_line_no": 1}],
        },
    )
    assert returned.status_code == 201 and money(returned.json()["total"]) == Decimal("2.55")
    missing = await till.client.get("/v1/sales/by-receipt/R:T9-0000999")
    assert (missing.status_code, missing.json()["error"]) == (404, "sale_not_found")
    bad = await till.client.get("/v1/sales/by-receipt/R:")
    assert (bad.status_code, bad.json()["error"]) == (422, "bad_receipt_barcode")


@pytest.fixture
async def scale() -> AsyncIterator[Simulator]:
    running = await start_simulator("--weight", "0.750", "--tare", "0.015")
    try:
        yield running
    finally:
        if running.process.returncode is None:  # the test may have killed it
            running.process.kill()
            await running.process.wait()


async def test_the_till_weighs_a_kg_item_on_its_scale(
    hub: Hub, tmp_path: Path, scale: Simulator
) -> None:
    edge = await open_till(hub, tmp_path / "scale.db", scales={"T1": f"127.0.0.1:{scale.port}"})
    try:
        reading = await edge.client.get("/v1/tills/T1/scale")
        assert reading.json() == {
            "till_id": "T1",
            "net_kg": "0.735",
            "tare_kg": "0.015",
            "stable": True,
        }
        cart_id = await new_cart(edge)
        scan_id = str(uuid.uuid4())
        cheese = await scanned(edge, cart_id, "CHEDDAR", weigh=True, scan_id=scan_id)
        # 0.735 kg x 12.99 = 9.54765 -> 9.55
        assert (cheese["line"]["quantity"], money(cheese["line"]["line_total"])) == (
            "0.735",
            Decimal("9.55"),
        )
        await scale.control("SIM W 1.000")  # a retry is not weighed again
        again = await scan(edge, cart_id, "CHEDDAR", weigh=True, scan_id=scan_id)
        assert again.status_code == 200 and again.json()["line"]["quantity"] == "0.735"

        await scale.control("SIM U 20")  # the weight keeps moving
        moving = await scan(edge, cart_id, "5012345678900", weigh=True)
        assert (moving.status_code, moving.json()["error"]) == (409, "scale_unstable")
        await scale.control("SIM U 0")
        assert (await scan(edge, cart_id, "A", weigh=True)).json()["error"] == "wrong_unit"
        await scale.control("SIM W 0.015")  # only the tare on the platter
        empty = await scan(edge, cart_id, "CHEDDAR", weigh=True)
        assert (empty.status_code, empty.json()["error"]) == (409, "nothing_weighed")

        other = await edge.client.get("/v1/tills/T2/scale")  # signed in at T1
        assert (other.status_code, other.json()["error"]) == (401, "till_mismatch")
        scale.process.kill()
        await scale.process.wait()
        gone = await scan(edge, cart_id, "CHEDDAR", weigh=True)
        assert (gone.status_code, gone.json()["error"]) == (503, "scale_unavailable")
        assert (await edge.client.get("/v1/tills/T1/scale")).status_code == 503
        cart = (await edge.client.get(f"/v1/carts/{cart_id}")).json()
        assert [line["quantity"] for line in cart["lines"]] == ["0.735"]
    finally:
        await close_edge(edge)
