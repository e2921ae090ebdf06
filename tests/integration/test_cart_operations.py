"""Cart operations through the till API on a real SQLite file: park and recall, quantity
changes, voids with their permissions, discounts within and above the threshold, price
overrides with a reason code, a sale reversed by a return document; each audited."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlite_utils

from shared.clock import ManualClock
from tests.support import CASHIER, MANAGER, SUPERVISOR, Edge, Hub, money

SUPERVISOR_OVERRIDE = {"X-Override-Staff-Code": SUPERVISOR, "X-Override-Pin": "5555"}
MANAGER_OVERRIDE = {"X-Override-Staff-Code": MANAGER, "X-Override-Pin": "9999"}


def outbox(edge: Edge, kind: str) -> list[dict[str, Any]]:
    """Payloads of one kind in the edge's outbox, read from the file as an auditor would."""
    database = sqlite_utils.Database(sqlite3.connect(f"file:{edge.path}?mode=ro", uri=True))
    rows = database.query("SELECT payload FROM outbox WHERE kind = ? ORDER BY seq", [kind])
    return [json.loads(str(row["payload"])) for row in rows]


def audits(edge: Edge, kind: str) -> list[dict[str, Any]]:
    return [event for event in outbox(edge, "audit.recorded") if event["kind"] == kind]


async def open_cart(edge: Edge, lines: list[dict[str, Any]], till_id: str = "T1") -> dict[str, Any]:
    response = await edge.client.post(
        "/v1/carts", json={"cart_id": str(uuid.uuid4()), "till_id": till_id, "lines": lines}
    )
    assert response.status_code == 201, response.text
    cart: dict[str, Any] = response.json()
    return cart


@pytest.fixture(autouse=True)
async def _cashier(store: Edge) -> None:
    """Every test here works as the demo's cashier (1001), whose role the permissions bind."""
    await store.sign_in(staff_code=CASHIER)


async def pay(edge: Edge, cart_id: str, amount: str = "100.00") -> Any:
    return await edge.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"kind": "cash", "amount": amount}]}
    )


async def test_a_parked_cart_is_listed_for_the_node_and_recalled_at_another_till(
    store: Edge,
) -> None:
    cart = await open_cart(store, [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}])
    cart_id = cart["cart_id"]
    parked = await store.client.post(f"/v1/carts/{cart_id}/park")
    assert parked.status_code == 200, parked.text
    assert (parked.json()["status"], parked.json()["parked_by_code"]) == ("parked", "1001")

    listed = (await store.client.get("/v1/parked-carts")).json()
    assert [
        (c["cart_id"], c["till_id"], c["parked_by_code"], c["total"], c["line_count"])
        for c in listed
    ] == [(cart_id, "T1", "1001", "5.95", 2)]
    scan = await store.client.post(
        f"/v1/carts/{cart_id}/lines", json={"lines": [{"sku": "C", "quantity": 1}]}
    )
    assert (scan.status_code, scan.json()["error"]) == (409, "cart_parked")
    paid = await pay(store, cart_id)
    assert (paid.status_code, paid.json()["error"]) == (409, "cart_parked")

    await store.sign_in(till_id="T2", staff_code=CASHIER)
    recalled = await store.client.post(f"/v1/carts/{cart_id}/recall", json={"till_id": "T2"})
    assert recalled.status_code == 200, recalled.text
    assert (recalled.json()["status"], recalled.json()["till_id"]) == ("open", "T2")
    assert (await store.client.get("/v1/parked-carts")).json() == []
    sale = await pay(store, cart_id)
    assert sale.status_code == 201 and sale.json()["till_id"] == "T2"
    again = await store.client.post(f"/v1/carts/{cart_id}/recall", json={"till_id": "T2"})
    assert (again.status_code, again.json()["error"]) == (409, "cart_closed")

    (parked_event,) = audits(store, "cart_parked")
    (recalled_event,) = audits(store, "cart_recalled")
    assert (parked_event["subject"], parked_event["till_id"]) == (cart_id, "T1")
    assert recalled_event["details"]["parked_till_id"] == "T1"
    assert recalled_event["till_id"] == "T2"


async def test_an_empty_cart_is_not_parked(store: Edge) -> None:
    cart = await open_cart(store, [])
    response = await store.client.post(f"/v1/carts/{cart['cart_id']}/park")
    assert (response.status_code, response.json()["error"]) == (422, "empty_cart")


async def test_a_quantity_change_prices_the_line_again_and_is_audited(store: Edge) -> None:
    cart = await open_cart(store, [{"sku": "A", "quantity": 2}])
    cart_id, line_id = cart["cart_id"], cart["lines"][0]["line_id"]
    more = await store.client.patch(f"/v1/carts/{cart_id}/lines/{line_id}", json={"quantity": 5})
    assert more.status_code == 200, more.text
    assert money(more.json()["total"]) == Decimal("12.75")
    fewer = await store.client.patch(f"/v1/carts/{cart_id}/lines/{line_id}", json={"quantity": 1})
    assert money(fewer.json()["total"]) == Decimal("2.55")
    zero = await store.client.patch(f"/v1/carts/{cart_id}/lines/{line_id}", json={"quantity": 0})
    assert (zero.status_code, zero.json()["error"]) == (422, "invalid_quantity")
    changes = audits(store, "quantity_change")
    assert [(e["details"]["from"], e["details"]["to"]) for e in changes] == [("2", "5"), ("5", "1")]
    assert all(e["staff_code"] == "1001" for e in changes)


async def test_a_cashier_voids_a_line_but_a_cart_only_with_a_supervisors_override(
    store: Edge,
) -> None:
    cart = await open_cart(store, [{"sku": "A", "quantity": 1}, {"sku": "C", "quantity": 1}])
    cart_id, line_id = cart["cart_id"], cart["lines"][1]["line_id"]
    voided = await store.client.delete(f"/v1/carts/{cart_id}/lines/{line_id}")
    assert voided.status_code == 200 and money(voided.json()["total"]) == Decimal("2.55")

    refused = await store.client.post(f"/v1/carts/{cart_id}/void")
    assert (refused.status_code, refused.json()["error"]) == (403, "not_permitted")
    assert (await store.client.get(f"/v1/carts/{cart_id}")).json()["status"] == "open"
    allowed = await store.client.post(f"/v1/carts/{cart_id}/void", headers=SUPERVISOR_OVERRIDE)
    assert allowed.status_code == 200 and allowed.json()["status"] == "voided"

    (line_void,) = audits(store, "line_void")
    assert (line_void["subject"], line_void["details"]["sku"]) == (line_id, "C")
    (cart_void,) = audits(store, "cart_void")
    assert (cart_void["staff_code"], cart_void["approver_code"]) == ("1001", SUPERVISOR)
    assert [e["details"]["permission"] for e in audits(store, "override")] == ["void_cart"]


async def test_discounts_within_the_threshold_are_the_cashiers_and_above_it_need_an_override(
    hub: Hub, store: Edge
) -> None:
    await tax_at_20_percent(hub, store)
    cart = await open_cart(store, [{"sku": "A", "quantity": 4}, {"sku": "C", "quantity": 1}])
    cart_id, line_id = cart["cart_id"], cart["lines"][0]["line_id"]
    url = f"/v1/carts/{cart_id}/lines/{line_id}/discount"

    above = await store.client.post(url, json={"kind": "percent", "value": "15", "reason": "x"})
    assert (above.status_code, above.json()["error"]) == (403, "not_permitted")
    within = await store.client.post(
        url, json={"kind": "percent", "value": "10", "reason": "loyal customer"}
    )
    assert within.status_code == 200, within.text
    line = within.json()["lines"][0]
    assert (line["line_total"], line["manual_discount"], line["discount_reason"]) == (
        "9.18", "1.02", "loyal customer",
    )  # fmt: skip
    assert line["terms"]["discount"] == "1.02"
    assert line["terms"]["tax"] == "1.53"  # 9.18 x 20 / 120, not the 1.70 in 10.20

    spread = await store.client.post(
        f"/v1/carts/{cart_id}/discount",
        json={"kind": "amount", "value": "6.00", "reason": "damaged box"},
        headers=MANAGER_OVERRIDE,
    )
    assert spread.status_code == 200, spread.text
    assert money(spread.json()["total"]) == Decimal("13.18")  # 9.18 + 10.00 - 6.00
    shares = [money(line["manual_discount"]) for line in spread.json()["lines"]]
    assert sum(shares) == Decimal("1.02") + Decimal("6.00")

    sale = (await pay(store, cart_id)).json()
    assert money(sale["total"]) == Decimal("13.18")
    assert money(sale["discount"]) == Decimal("7.02")
    assert [line["discount_reason"] for line in sale["lines"]] == [
        "loyal customer; damaged box", "damaged box",
    ]  # fmt: skip
    (completed,) = outbox(store, "sale.completed")
    on_the_wire = sum(money(line["terms"]["discount"]) for line in completed["lines"])
    assert on_the_wire == Decimal("7.02")
    assert sum(money(line["line_total"]) for line in completed["lines"]) == Decimal("13.18")
    events = audits(store, "discount")
    assert [(e["details"]["scope"], e["approver_code"]) for e in events] == [
        ("line", None), ("cart", MANAGER),
    ]  # fmt: skip


async def test_the_store_sets_the_discount_threshold(store: Edge) -> None:
    await store.sign_in(staff_code=MANAGER)
    setting = await store.client.put(
        f"/v1/records/store_settings/{store.runtime.identity.store_id}",  # type: ignore[union-attr]
        json={"fields": {"discount_amount_max": "1.00"}},
    )
    assert setting.status_code == 200, setting.text
    await store.sign_in(staff_code=CASHIER)
    cart = await open_cart(store, [{"sku": "C", "quantity": 1}])
    response = await store.client.post(
        f"/v1/carts/{cart['cart_id']}/discount",
        json={"kind": "amount", "value": "2.00", "reason": "goodwill"},
    )
    assert (response.status_code, response.json()["error"]) == (403, "not_permitted")


async def test_a_price_override_needs_its_permission_and_a_reason_code(store: Edge) -> None:
    cart = await open_cart(store, [{"sku": "C", "quantity": 2}])
    cart_id, line_id = cart["cart_id"], cart["lines"][0]["line_id"]
    url = f"/v1/carts/{cart_id}/lines/{line_id}/price"
    refused = await store.client.post(url, json={"unit_price": "8.00", "reason_code": "damaged"})
    assert (refused.status_code, refused.json()["error"]) == (403, "not_permitted")
    no_note = await store.client.post(
        url, json={"unit_price": "8.00", "reason_code": "other"}, headers=SUPERVISOR_OVERRIDE
    )
    assert (no_note.status_code, no_note.json()["error"]) == (422, "invalid_price_reason")
    unknown = await store.client.post(
        url, json={"unit_price": "8.00", "reason_code": "because"}, headers=SUPERVISOR_OVERRIDE
    )
    assert unknown.status_code == 422
    done = await store.client.post(
        url, json={"unit_price": "8.00", "reason_code": "damaged"}, headers=SUPERVISOR_OVERRIDE
    )
    assert done.status_code == 200, done.text
    line = done.json()["lines"][0]
    assert (line["unit_price"], line["price_source"], line["price_reason"], line["line_total"]) == (
        "8.00", "override", "damaged", "16.00",
    )  # fmt: skip
    (event,) = audits(store, "price_override")
    assert (money(event["details"]["from"]), money(event["details"]["to"])) == (
        Decimal(10), Decimal(8),
    )  # fmt: skip
    assert (event["details"]["reason_code"], event["approver_code"]) == ("damaged", SUPERVISOR)


async def test_a_price_given_at_the_scan_is_a_price_override_under_the_same_rule(
    store: Edge,
) -> None:
    cart = await open_cart(store, [])
    url = f"/v1/carts/{cart['cart_id']}/lines"
    at_catalogue = await store.client.post(
        url, json={"lines": [{"sku": "A", "quantity": 1, "unit_price": "2.55"}]}
    )
    assert at_catalogue.status_code == 201  # the catalogue's price: no override
    without_reason = {"lines": [{"sku": "B", "quantity": 1, "unit_price": "0.50"}]}
    response = await store.client.post(url, json=without_reason)
    assert (response.status_code, response.json()["error"]) == (422, "invalid_price_reason")
    with_reason = {
        "lines": [{"sku": "B", "quantity": 1, "unit_price": "0.50", "price_reason": "price_match"}]
    }
    response = await store.client.post(url, json=with_reason)
    assert (response.status_code, response.json()["error"]) == (403, "not_permitted")
    response = await store.client.post(url, json=with_reason, headers=MANAGER_OVERRIDE)
    assert response.status_code == 201, response.text
    assert response.json()["lines"][0]["price_reason"] == "price_match"
    (event,) = audits(store, "price_override")
    assert (event["details"]["sku"], event["details"]["to"], event["approver_code"]) == (
        "B", "0.50", MANAGER,
    )  # fmt: skip


async def test_a_sale_is_reversed_by_a_return_document_once(store: Edge) -> None:
    cart = await open_cart(store, [{"sku": "A", "quantity": 2}, {"sku": "C", "quantity": 1}])
    sale = (await pay(store, cart["cart_id"], "20.00")).json()
    url = f"/v1/sales/{sale['sale_id']}/reverse"

    refused = await store.client.post(url)
    assert (refused.status_code, refused.json()["error"]) == (403, "not_permitted")
    reversed_ = await store.client.post(url, headers=SUPERVISOR_OVERRIDE)
    assert reversed_.status_code == 201, reversed_.text
    document = reversed_.json()
    assert (document["reason"], document["original_sale_id"]) == ("reversal", sale["sale_id"])
    assert document["total"] == sale["total"] == "15.10"
    assert [(line["sku"], line["quantity"]) for line in document["lines"]] == [("A", 2), ("C", 1)]
    assert [refund["amount"] for refund in document["refunds"]] == ["15.10"]
    assert (await store.client.get(f"/v1/sales/{sale['sale_id']}")).status_code == 200

    twice = await store.client.post(url, headers=SUPERVISOR_OVERRIDE)
    assert (twice.status_code, twice.json()["error"]) == (409, "sale_already_reversed")
    (event,) = audits(store, "sale_reversed")
    assert (event["subject"], event["approver_code"]) == (sale["sale_id"], SUPERVISOR)
    assert event["details"]["return_id"] == document["return_id"]
    assert len(outbox(store, "return.recorded")) == 1


async def test_only_a_sale_of_this_tills_open_shift_is_reversed_at_the_till(store: Edge) -> None:
    cart = await open_cart(store, [{"sku": "A", "quantity": 1}])
    sale = (await pay(store, cart["cart_id"])).json()
    url = f"/v1/sales/{sale['sale_id']}/reverse"
    await store.sign_in(till_id="T2", staff_code=CASHIER)
    other_till = await store.client.post(url, headers=SUPERVISOR_OVERRIDE)
    assert (other_till.status_code, other_till.json()["error"]) == (409, "not_reversible")
    clock = store.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=1))
    await store.sign_in(till_id="T1")
    shift = await store.open_shift("T1")  # still open, overdue: its sales are still its own
    closed = await store.client.post(f"/v1/shifts/{shift['shift_id']}/close", json={"counted": {}})
    assert closed.status_code == 201, closed.text
    await store.open_shift("T1")  # the next shift
    next_shift = await store.client.post(url, headers=SUPERVISOR_OVERRIDE)
    assert (next_shift.status_code, next_shift.json()["error"]) == (409, "not_reversible")


async def tax_at_20_percent(hub: Hub, store: Edge) -> None:
    """Item A standard-rated at 20 %, C zero-rated, reaching the till through its feed."""
    rate = await hub.client.put("/v1/tax-rates/STD", json={"rate": "20"}, headers=hub.admin)
    assert rate.status_code == 200, rate.text
    items = [
        {"sku": "A", "unit_price": "2.55", "currency": "GBP", "tax_code": "STD"},
        {"sku": "C", "unit_price": "10.00", "currency": "GBP", "tax_code": None},
    ]
    response = await hub.client.post(
        "/v1/catalogue/import", json={"items": items}, headers=hub.admin
    )
    assert response.status_code == 200, response.text
    await store.sync()
