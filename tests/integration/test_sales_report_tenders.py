"""HQ's sales report splits each store-day's net revenue by tender kind, net of refunds."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from tests.integration.test_hub_sync import enrol, push
from tests.support import Hub, event, sale_payload

JSON = dict[str, Any]


def tender(number: int, kind: str, amount: str, **extra: Any) -> JSON:
    """A version-5 tender of `amount`, handed over exactly (cash may carry change in
    `extra`)."""
    body: JSON = {
        "tender_no": number,
        "kind": kind,
        "amount": amount,
        "tendered": amount,
        "change": "0",
    }
    if kind != "cash":
        body["tender_id"] = str(uuid.uuid4())
    if kind == "card":
        body["card"] = {"status": "captured", "transaction_id": "pay_1", "last4": "4242"}
    if kind in ("gift_card", "store_credit"):
        body["account"] = "GC-0001" if kind == "gift_card" else "C-17"
    return body | extra


def refund(body: JSON, original: int) -> JSON:
    """`body` as a return's refund of the sale's tender `original` (a card one: refunded)."""
    if body["kind"] == "card":
        body["card"]["status"] = "refunded"
    return body | {"original_tender_no": original}


def sale_v5(
    receipt: str, total_lines: list[tuple[str, int, str]], tenders: list[JSON], day: str
) -> JSON:
    payload = sale_payload(receipt, total_lines, day)
    payload["tenders"] = tenders
    return payload


def return_v5(receipt: str, sale: JSON, refunds: list[JSON], day: str) -> JSON:
    """Takes back the sale's first line whole."""
    line = sale["lines"][0]
    return {
        "return_id": str(uuid.uuid4()),
        "receipt_number": receipt,
        "till_id": "T1",
        "business_day": day,
        "business_time": f"{day}T15:00:00+00:00",
        "currency": "GBP",
        "original_sale_id": sale["sale_id"],
        "reason": "changed mind",
        "lines": [
            {
                "line_no": 1,
                "sku": line["sku"],
                "quantity": line["quantity"],
                "unit_price": line["unit_price"],
                "line_total": line["line_total"],
                "original_line_no": 1,
            }
        ],
        "refunds": refunds,
        "total": line["line_total"],
    }


def versioned(body: JSON, version: int) -> JSON:
    body["schema_version"] = version
    return body


async def test_each_store_day_splits_its_revenue_by_tender_net_of_refunds(hub: Hub) -> None:
    await hub.import_items({"A": "10.00", "B": "2.50"})
    node = await enrol(hub)
    day, next_day = "2026-12-01", "2026-12-02"
    cash_only = sale_payload("T1-0000001", [("A", 1, "10.00")], day)
    split = sale_v5(
        "T1-0000002",
        [("A", 2, "10.00"), ("B", 2, "2.50")],
        [tender(1, "card", "15.00"), tender(2, "gift_card", "5.00"), tender(3, "cash", "5.00")],
        day,
    )
    card_return = return_v5(
        "T1-R000001",
        split,
        [
            refund(tender(1, "card", "15.00"), original=1),
            refund(tender(2, "gift_card", "5.00"), original=2),
        ],
        next_day,
    )
    credit_return = return_v5(
        "T1-R000002", cash_only, [tender(1, "store_credit", "10.00")], next_day
    )
    pushed = await push(
        hub,
        node,
        [
            event(node, 1, cash_only),
            versioned(event(node, 2, split), 5),
            versioned(event(node, 3, card_return, "return.recorded"), 5),
            versioned(event(node, 4, credit_return, "return.recorded"), 5),
        ],
    )
    assert pushed.status_code == 200 and pushed.json()["accepted"] == 4, pushed.text

    first, second = await hub.report()
    assert (first["business_day"], first["revenue"]) == (day, "35.00")
    assert first["tenders"] == {"card": "15.00", "cash": "15.00", "gift_card": "5.00"}
    assert (second["business_day"], second["revenue"]) == (next_day, "-30.00")
    assert second["tenders"] == {"card": "-15.00", "gift_card": "-5.00", "store_credit": "-10.00"}
    (whole,) = await hub.report("store")
    assert (whole["revenue"], whole["tenders"]) == (
        "5.00",
        {"cash": "15.00", "store_credit": "-10.00"},
    )
    for row in (first, second, whole):
        assert sum(map(Decimal, row["tenders"].values())) == Decimal(row["revenue"])


async def test_tenders_that_do_not_cover_a_sale_show_as_untendered(hub: Hub) -> None:
    """A till that recorded less tendered than the total: the gap is visible, and the split
    still sums to the revenue."""
    await hub.import_items({"A": "10.00"})
    node = await enrol(hub)
    short = sale_payload("T1-0000001", [("A", 1, "10.00")], "2026-12-01")
    short["tenders"][0] |= {"amount": "9.00", "tendered": "9.00"}
    assert (await push(hub, node, [event(node, 1, short)])).json()["accepted"] == 1
    (row,) = await hub.report()
    assert row["tenders"] == {"cash": "9.00", "untendered": "1.00"}
    exceptions = await hub.client.get(
        "/v1/exceptions", params={"kind": "tender_problem"}, headers=hub.admin
    )
    assert [item["kind"] for item in exceptions.json()] == ["tender_problem"]
