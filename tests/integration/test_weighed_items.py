"""Weighed items end to end: a kg product from HQ's catalogue, sold by weight at the till (an
edge on a SQLite file), returned in part, and in HQ's ledger and reports on PostgreSQL to
the penny; older sale events still read; integer data travels as it always did."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.support import (
    JSON,
    Edge,
    Hub,
    close_edge,
    event,
    make_edge,
    money,
    push_body,
    sale_payload,
)


async def import_weighed(hub: Hub) -> None:
    """Cheddar sold by the kg at 12.99/kg (GTIN 5012345678900), beside the store's `each`
    items A (2.55) and B (0.85)."""
    response = await hub.client.post(
        "/v1/catalogue/import",
        json={
            "items": [
                {
                    "sku": "CHEDDAR",
                    "description": "Cheddar, by weight",
                    "unit": "kg",
                    "gtin": "5012345678900",
                    "unit_price": "12.99",
                    "currency": "GBP",
                },
                {"sku": "A", "description": "item A", "unit_price": "2.55", "currency": "GBP"},
                {"sku": "B", "description": "item B", "unit_price": "0.85", "currency": "GBP"},
            ]
        },
        headers=hub.admin,
    )
    assert response.status_code == 200, response.text


@pytest.fixture
async def deli(hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    """store-1 selling cheese by weight, its edge enrolled and caught up."""
    await hub.create_store("store-1")
    await import_weighed(hub)
    edge = await make_edge(tmp_path / "deli.db", hub, await hub.token("store-1"))
    try:
        yield edge
    finally:
        await close_edge(edge)


async def ring_up(edge: Edge, lines: list[dict[str, Any]]) -> tuple[str, Any]:
    cart_id = str(uuid.uuid4())
    response = await edge.client.post(
        "/v1/carts", json={"cart_id": cart_id, "till_id": "T1", "lines": lines}
    )
    return cart_id, response


async def checkout(edge: Edge, cart_id: str) -> JSON:
    response = await edge.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"kind": "cash", "amount": "50.00"}]}
    )
    assert response.status_code == 201, response.text
    sale: JSON = response.json()
    return sale


async def outbox(edge: Edge) -> list[tuple[str, int, JSON]]:
    rows = await edge.runtime.database.read(
        lambda connection: connection.execute(
            text(
                "SELECT kind, schema_version, payload FROM outbox"
                " WHERE kind IN ('sale.completed', 'return.recorded') ORDER BY seq"
            )
        ).all()
    )
    return [(kind, version, json.loads(payload)) for kind, version, payload in rows]


async def test_a_weighed_sale_reaches_hq_to_the_penny_and_a_part_return_nets_off(
    hub: Hub, deli: Edge
) -> None:
    cart_id, response = await ring_up(
        deli, [{"sku": "CHEDDAR", "quantity": "0.735"}, {"sku": "A", "quantity": 2}]
    )
    assert response.status_code == 201, response.text
    cheese, units = response.json()["lines"]
    # 0.735 kg x 12.99 = 9.54765 -> 9.55, rounded half-up once.
    assert (cheese["quantity"], cheese["unit"], money(cheese["line_total"])) == (
        "0.735",
        "kg",
        Decimal("9.55"),
    )
    assert (units["quantity"], units["unit"]) == (2, "each")
    sale = await checkout(deli, cart_id)
    assert money(sale["total"]) == Decimal("14.65")
    assert sale["lines"][0]["quantity"] == "0.735"

    returned = await deli.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "reason": "too much",
            "original_sale_id": sale["sale_id"],
            "lines": [{"sku": "CHEDDAR", "quantity": "0.300", "original_line_no": 1}],
        },
    )
    assert returned.status_code == 201, returned.text
    # The refund is the 0.300 kg share of the 9.55 paid: round(9.55 x 0.3 / 0.735) = 3.90.
    assert money(returned.json()["total"]) == Decimal("3.90")
    assert returned.json()["lines"][0]["quantity"] == "0.300"
    too_much = await deli.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "reason": "again",
            "original_sale_id": sale["sale_id"],
            "lines": [{"sku": "CHEDDAR", "quantity": "0.436", "original_line_no": 1}],
        },
    )
    assert too_much.status_code == 422 and too_much.json()["error"] == "return_exceeds_sale"

    day = (await deli.client.get("/v1/reports/day", params={"business_day": "2010-12-01"})).json()
    assert (day["units"], day["weight_kg"], money(day["revenue"])) == (
        2,
        "0.435",
        Decimal("10.75"),
    )
    written = [(kind, version) for kind, version, _ in await outbox(deli)]
    assert written == [("sale.completed", 4), ("return.recorded", 4)]

    status = await deli.sync()
    assert status["outbox"]["pending"] == 0 and status["outbox"]["quarantined"] == 0
    (row,) = await hub.report("store")
    assert (row["units"], row["weight_kg"], money(row["revenue"]), money(row["returns"])) == (
        2,
        "0.435",
        Decimal("10.75"),
        Decimal("3.90"),
    )
    async with hub.runtime.database.read() as connection:
        lines = (
            await connection.execute(text("SELECT quantity, unit FROM sale_line ORDER BY quantity"))
        ).all()
    assert sorted((Decimal(quantity), unit) for quantity, unit in lines) == [
        (Decimal("-0.300"), "kg"),
        (Decimal("0.735"), "kg"),
        (Decimal(2), "each"),
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ({"sku": "A", "quantity": "1.5"}, "invalid_quantity"),  # half of an `each` item
        ({"sku": "CHEDDAR", "quantity": "0.7355"}, "validation_error"),  # finer than a gram
        ({"sku": "CHEDDAR", "quantity": 0.735}, "validation_error"),  # a float is not exact
    ],
)
async def test_a_quantity_its_unit_cannot_take_is_refused_and_nothing_is_added(
    deli: Edge, line: dict[str, Any], error: str
) -> None:
    cart_id, response = await ring_up(deli, [line])
    assert response.status_code == 422, response.text
    assert response.json()["error"] == error
    assert (await deli.client.get(f"/v1/carts/{cart_id}")).status_code == 404


async def test_a_sale_of_whole_units_still_travels_as_version_1_with_integer_quantities(
    hub: Hub, deli: Edge
) -> None:
    cart_id, response = await ring_up(deli, [{"sku": "A", "quantity": 3}])
    assert response.status_code == 201
    assert response.json()["lines"][0]["quantity"] == 3
    await checkout(deli, cart_id)
    ((kind, version, payload),) = await outbox(deli)
    assert (kind, version, payload["lines"][0]["quantity"]) == ("sale.completed", 1, 3)
    assert "unit" not in payload["lines"][0]
    await deli.sync()
    (row,) = await hub.report("store")
    assert (row["units"], row["weight_kg"], money(row["revenue"])) == (3, "0.000", Decimal("7.65"))


async def enrol(hub: Hub) -> dict[str, str]:
    await hub.create_store("store-1")
    token = await hub.token("store-1")
    response = await hub.client.post(
        "/v1/sync/enrol", json={"protocol_version": 1, "token": token, "node_name": "till-pc"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return {
        "store_id": "store-1",
        "node_id": body["node_id"],
        "authorization": f"Bearer {body['credential']}",
    }


async def test_hq_still_reads_version_3_sales_and_refuses_half_an_each_item_in_version_4(
    hub: Hub,
) -> None:
    node = await enrol(hub)
    old = event(node, 1, sale_payload("R-1", [("A", 4, "2.55")]))
    old["schema_version"] = 3
    weighed = sale_payload("R-2", [("CHEDDAR", 1, "12.99")])
    weighed["lines"][0].update(quantity="0.735", unit="kg", line_total="9.55")
    weighed["total"] = "9.55"
    weighed["tenders"][0].update(amount="9.55", tendered="9.55")
    new = event(node, 2, weighed)
    new["schema_version"] = 4
    halved = sale_payload("R-3", [("A", 1, "2.55")])
    halved["lines"][0].update(quantity="0.5", unit="each", line_total="1.28")
    halved["total"] = "1.28"
    halved["tenders"][0].update(amount="1.28", tendered="1.28")
    bad = event(node, 3, halved)
    bad["schema_version"] = 4
    response = await hub.client.post(
        "/v1/sync/push",
        json=push_body(node, [old, new, bad]),
        headers={"Authorization": node["authorization"]},
    )
    assert response.status_code == 200, response.text
    ((seq, reason),) = [(item["seq"], item["reason"]) for item in response.json()["rejected"]]
    assert seq == 3 and "sold by the unit" in reason
    (row,) = await hub.report("store")
    assert (row["invoices"], row["units"], row["weight_kg"], money(row["revenue"])) == (
        2,
        4,
        "0.735",
        Decimal("19.75"),
    )


async def test_a_weighed_line_is_parked_recalled_reweighed_and_printed_in_kg(deli: Edge) -> None:
    cart_id, response = await ring_up(deli, [{"sku": "CHEDDAR", "quantity": "0.735"}])
    assert response.status_code == 201, response.text
    (line,) = response.json()["lines"]
    assert (await deli.client.post(f"/v1/carts/{cart_id}/park")).status_code == 200
    recalled = await deli.client.post(f"/v1/carts/{cart_id}/recall", json={"till_id": "T1"})
    assert recalled.status_code == 200, recalled.text
    assert recalled.json()["lines"][0]["quantity"] == "0.735"
    changed = await deli.client.patch(
        f"/v1/carts/{cart_id}/lines/{line['line_id']}", json={"quantity": "0.500"}
    )
    assert changed.status_code == 200, changed.text
    # 0.500 kg x 12.99 = 6.495 -> 6.50
    assert (changed.json()["lines"][0]["quantity"], money(changed.json()["total"])) == (
        "0.500",
        Decimal("6.50"),
    )
    halved = await deli.client.patch(
        f"/v1/carts/{cart_id}/lines/{line['line_id']}", json={"quantity": "0.5005"}
    )
    assert halved.status_code == 422
    sale = await checkout(deli, cart_id)
    receipt = await deli.client.get(f"/v1/sales/{sale['sale_id']}/receipt")
    assert receipt.status_code == 200, receipt.text
    assert "0.500 kg" in receipt.text and "6.50" in receipt.text
