"""Safe defaults at the till: line, sale and refund limits that hold until HQ sets others.

The store fixture's catalogue: A 2.55, B 0.85, C 10.00 (GBP). The defaults
(shared.till_limits): refunds above 250.00 need HQ's approval, without a receipt above 100.00;
a line at most 9,999 units and 10,000.00; a sale at most 25,000.00; a refund without a
receipt at most the catalogue's price per unit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.support import JSON, Edge, Hub, money


async def no_receipt_refund(edge: Edge, lines: list[tuple[str, int, str | None]]) -> Any:
    return await edge.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "reason": "no receipt",
            "lines": [
                {"sku": sku, "quantity": quantity}
                | ({"unit_price": price} if price is not None else {})
                for sku, quantity, price in lines
            ],
        },
    )


async def scan(edge: Edge, lines: list[JSON]) -> Any:
    return await edge.client.post("/v1/carts", json={"till_id": "T1", "lines": lines})


async def test_the_probes_refund_without_a_receipt_is_refused_at_the_till(store: Edge) -> None:
    """The probe took 1,000,000 x 10,000,000.00 GBP back without a receipt, and HQ applied it."""
    before = (await store.client.get("/v1/status")).json()
    probe = await no_receipt_refund(store, [("C", 1_000_000, "10000000")])
    assert probe.status_code == 422, probe.text
    # Beyond the most any line may hold (shared.bounds.MAX_AMOUNT), whatever the store's limits.
    assert probe.json()["error"] == "invalid_price"
    smaller = await no_receipt_refund(store, [("C", 2, "10000000")])
    assert smaller.status_code == 422, smaller.text
    assert smaller.json()["error"] == "refund_above_price"
    assert "10.00" in smaller.json()["detail"]  # what the till would charge for it now
    asked = await store.client.post(
        "/v1/refund-requests",
        json={
            "till_id": "T1",
            "reason": "no receipt",
            "requested_by": "cashier-1",
            "lines": [{"sku": "C", "quantity": 1_000_000, "unit_price": "10000000"}],
        },
    )
    assert asked.status_code == 422 and asked.json()["error"] == "invalid_price"
    # At the catalogue's price, a million units is still not a line a till takes back.
    at_price = await no_receipt_refund(store, [("C", 1_000_000, None)])
    assert at_price.status_code == 422 and at_price.json()["error"] == "line_over_cap"
    after = (await store.client.get("/v1/status")).json()
    assert after["outbox"] == before["outbox"]  # nothing left the drawer, nothing to upload


async def test_a_fresh_store_offline_refunds_above_the_default_limit_only_with_approval(
    store: Edge,
) -> None:
    store.link.online = False  # the defaults need nothing from HQ
    sale = await store.sell([("C", 30)], tendered="300.00")

    def against_receipt(quantity: int) -> JSON:
        return {
            "till_id": "T1",
            "reason": "changed mind",
            "original_sale_id": sale["sale_id"],
            "lines": [{"sku": "C", "quantity": quantity, "original_line_no": 1}],
        }

    above = await store.client.post("/v1/returns", json=against_receipt(26))
    assert above.status_code == 409 and above.json()["error"] == "refund_needs_approval"
    assert "260.00" in above.json()["detail"] and "250.00" in above.json()["detail"]
    at_limit = await store.client.post("/v1/returns", json=against_receipt(25))
    assert at_limit.status_code == 201, at_limit.text
    asked = await store.client.post(
        "/v1/refund-requests",
        json=against_receipt(5) | {"requested_by": "cashier-1"},
    )
    assert asked.status_code == 201 and asked.json()["status"] == "pending"

    without = await no_receipt_refund(store, [("C", 11, None)])
    assert without.status_code == 409 and without.json()["error"] == "refund_needs_approval"
    assert "100.00" in without.json()["detail"]
    assert (await no_receipt_refund(store, [("C", 10, None)])).status_code == 201


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        pytest.param([{"sku": "B", "quantity": 9_999}], None, id="quantity-at-cap"),
        pytest.param([{"sku": "B", "quantity": 10_000}], "line_over_cap", id="quantity-past"),
        pytest.param([{"sku": "B", "quantity": -10_000}], "line_over_cap", id="given-back"),
        pytest.param([{"sku": "C", "quantity": 1_000}], None, id="line-amount-at-cap"),
        pytest.param(
            [{"sku": "C", "quantity": 1_000, "unit_price": "10.01"}],
            "line_over_cap",
            id="line-amount-past",
        ),
        pytest.param(
            [{"sku": "C", "quantity": 1_000}] * 2 + [{"sku": "C", "quantity": 500}],
            None,
            id="sale-at-cap",
        ),
        pytest.param(
            [{"sku": "C", "quantity": 1_000}] * 2
            + [{"sku": "C", "quantity": 500}, {"sku": "A", "quantity": 1}],
            "sale_over_cap",
            id="sale-past",
        ),
    ],
)
async def test_a_sale_is_capped_per_line_and_in_total(
    store: Edge, lines: list[JSON], error: str | None
) -> None:
    response = await scan(store, lines)
    if error is None:
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 422, response.text
    assert response.json()["error"] == error
    assert "limit" in response.json()["detail"]


@pytest.mark.parametrize(
    ("lines", "status", "error"),
    [
        pytest.param([("C", 1, "10.00")], 201, None, id="at-catalogue-price"),
        pytest.param([("C", 1, "10.01")], 422, "refund_above_price", id="above-price"),
        pytest.param([("C", 1, None)], 201, None, id="catalogue-price-by-default"),
        pytest.param([("B", 9_999, "0.01")], 201, None, id="quantity-at-cap"),
        pytest.param([("B", 10_000, "0.01")], 422, "line_over_cap", id="quantity-past"),
        pytest.param([("C", 10, None)], 201, None, id="total-at-limit"),
        pytest.param([("C", 10, None), ("B", 1, "0.01")], 409, "refund_needs_approval", id="past"),
        pytest.param([("NOPE", 1, "1.00")], 404, "unknown_sku", id="unknown-sku"),
    ],
)
async def test_a_refund_without_a_receipt_is_capped(
    store: Edge, lines: list[tuple[str, int, str | None]], status: int, error: str | None
) -> None:
    response = await no_receipt_refund(store, lines)
    assert response.status_code == status, response.text
    if error is not None:
        assert response.json()["error"] == error


async def test_an_unpriced_item_is_refunded_without_a_receipt_up_to_the_no_receipt_limit(
    hub: Hub, store: Edge
) -> None:
    await hub.client.post(
        "/v1/catalogue/import",
        json={
            "items": [
                {"sku": "W", "unit_price": "5.00", "currency": "GBP", "price_list": "wholesale"}
            ]
        },
        headers=hub.admin,
    )
    await store.sync()
    past = await no_receipt_refund(store, [("W", 1, "100.01")])
    assert past.status_code == 409 and past.json()["error"] == "refund_needs_approval"
    assert (await no_receipt_refund(store, [("W", 1, "100.00")])).status_code == 201


async def test_limits_hq_sets_reach_the_till_with_the_next_sync(hub: Hub, store: Edge) -> None:
    shown = await hub.client.get("/v1/stores/store-1/till-limits", headers=hub.admin)
    assert shown.status_code == 200
    assert shown.json()["in_force"] == {
        "refund_approval_over": "250.00",
        "no_receipt_refund_over": "100.00",
        "line_quantity_max": 9999,
        "line_amount_max": "10000.00",
        "sale_total_max": "25000.00",
        "no_receipt_above_catalogue_price": False,
    }
    set_limits = await hub.client.put(
        "/v1/stores/store-1/till-limits",
        json={
            "refund_approval_over": "1000.00",
            "no_receipt_refund_over": "20.00",
            "line_quantity_max": 5,
            "sale_total_max": "40.00",
            "no_receipt_above_catalogue_price": True,
        },
        headers=hub.admin,
    )
    assert set_limits.status_code == 200, set_limits.text
    assert set_limits.json()["set_by_hq"]["line_amount_max"] is None
    assert set_limits.json()["in_force"]["line_amount_max"] == "10000.00"
    # Until the till has read its feed, it keeps the limits it had.
    assert (await scan(store, [{"sku": "A", "quantity": 6}])).status_code == 201

    await store.sync()
    six = await scan(store, [{"sku": "A", "quantity": 6}])
    assert six.status_code == 422 and six.json()["error"] == "line_over_cap"
    assert "5" in six.json()["detail"]
    over = await scan(store, [{"sku": "C", "quantity": 5}])
    assert over.status_code == 422 and over.json()["error"] == "sale_over_cap"
    assert (await no_receipt_refund(store, [("A", 1, "3.00")])).status_code == 201
    assert (await no_receipt_refund(store, [("C", 3, None)])).status_code == 409
    sale = await store.sell([("C", 4)], tendered="40.00")
    whole = await store.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "reason": "changed mind",
            "original_sale_id": sale["sale_id"],
            "lines": [{"sku": "C", "quantity": 4, "original_line_no": 1}],
        },
    )
    assert whole.status_code == 201 and money(whole.json()["total"]) == Decimal("40.00")

    # Back to the defaults: every limit left out.
    reset = await hub.client.put("/v1/stores/store-1/till-limits", json={}, headers=hub.admin)
    assert reset.json()["in_force"]["line_quantity_max"] == 9999
    await store.sync()
    assert (await scan(store, [{"sku": "A", "quantity": 6}])).status_code == 201


async def test_hq_limits_are_checked_again_when_the_refund_reaches_the_hub(
    hub: Hub, store: Edge
) -> None:
    """A till offline holds the limits it last had; HQ lowered them meanwhile."""
    wholesale = {
        "refund_approval_over": "10000000.00",
        "no_receipt_refund_over": "10000000.00",
        "line_quantity_max": 1_000_000,
        "line_amount_max": "10000000.00",
        "sale_total_max": "10000000.00",
        "no_receipt_above_catalogue_price": True,
    }
    put = await hub.client.put("/v1/stores/store-1/till-limits", json=wholesale, headers=hub.admin)
    assert put.status_code == 200, put.text
    await store.sync()
    store.link.online = False
    made = await no_receipt_refund(store, [("C", 999, "10000.00"), ("A", 1, None)])
    assert made.status_code == 201, made.text
    within = await no_receipt_refund(store, [("C", 1, None)])
    assert within.status_code == 201
    await hub.client.put("/v1/stores/store-1/till-limits", json={}, headers=hub.admin)
    store.link.online = True
    await store.sync()

    found = (
        await hub.client.get("/v1/exceptions", params={"kind": "refund_problem"}, headers=hub.admin)
    ).json()
    assert [item["document_id"] for item in found] == [made.json()["return_id"]]
    detail = found[0]["detail"]
    for part in (
        "above the store's refund limit of 250.00",
        "without a receipt, above the store's limit of 100.00",
        "line 1: 9990000.00, over the limit of 10000.00 per line",
        "above the catalogue's 10.00",
    ):
        assert part in detail, detail
    # The refund is in HQ's books as it was made: an exception, never a refusal.
    report = await hub.report("store")
    assert money(report[0]["returns"]) == Decimal("9990012.55")
