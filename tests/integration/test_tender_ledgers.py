"""The hub's side of tenders beyond cash on real PostgreSQL: version-5 sales and returns keep
what each card, gift-card and store-credit tender moved; the gift-card and store-credit
ledgers move once per document and tender or line; overdrafts and cards declined or expired
offline become exceptions; the store's balance question and HQ's ledger views."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from tests.integration.test_hub_sync import enrol, push
from tests.support import Hub, event

JSON = dict[str, Any]
GIFT_CARD = "6006491234567890"


def tender(number: int, kind: str, amount: str, **more: Any) -> JSON:
    """A version-5 tender applying `amount` exactly (no change)."""
    return {
        "tender_no": number,
        "kind": kind,
        "amount": amount,
        "tendered": amount,
        "change": "0",
        **more,
    }


def card(status: str = "captured", **more: Any) -> JSON:
    return {
        "tender_id": str(uuid.uuid4()),
        "card": {
            "status": status,
            "transaction_id": "pay_1" if status != "stored" else None,
            "brand": "visa",
            "last4": "4242",
            **more,
        },
    }


def sale(receipt: str, lines: list[tuple[str, str]], tenders: list[JSON], **more: Any) -> JSON:
    """A version-5 sale payload: lines of (sku, line total) of one unit each."""
    total = sum((Decimal(amount) for _, amount in lines), Decimal(0))
    return {
        "sale_id": str(uuid.uuid4()),
        "receipt_number": receipt,
        "till_id": "T1",
        "business_day": "2010-12-01",
        "business_time": "2010-12-01T10:00:00+00:00",
        "currency": "GBP",
        "lines": [
            {
                "line_no": number,
                "sku": sku,
                "quantity": 1,
                "unit_price": amount,
                "line_total": amount,
                **(
                    {"gift_card_number": more.pop(f"gift_card_{number}")}
                    if f"gift_card_{number}" in more
                    else {}
                ),
            }
            for number, (sku, amount) in enumerate(lines, start=1)
        ],
        "tenders": tenders,
        "total": str(total),
        **more,
    }


def returned(
    receipt: str,
    original: JSON | None,
    lines: list[tuple[str, str]],
    refunds: list[JSON],
    **more: Any,
) -> JSON:
    """A version-5 return payload refunding one unit of each (sku, line total)."""
    total = sum((Decimal(amount) for _, amount in lines), Decimal(0))
    return {
        "return_id": str(uuid.uuid4()),
        "receipt_number": receipt,
        "till_id": "T1",
        "business_day": "2010-12-01",
        "business_time": "2010-12-01T11:00:00+00:00",
        "currency": "GBP",
        "original_sale_id": None if original is None else original["sale_id"],
        "reason": "changed mind",
        "lines": [
            {
                "line_no": number,
                "sku": sku,
                "quantity": 1,
                "unit_price": amount,
                "line_total": amount,
            }
            for number, (sku, amount) in enumerate(lines, start=1)
        ],
        "refunds": refunds,
        "total": str(total),
        **more,
    }


def v5(node: dict[str, str], seq: int, payload: JSON, kind: str = "sale.completed") -> JSON:
    return {**event(node, seq, payload, kind), "schema_version": 5}


@pytest.fixture
async def node(hub: Hub) -> dict[str, str]:
    await hub.import_items({"A": "20.00", "B": "5.00"})
    await hub.import_items({"GIFT-25": "25.00"}, kind="gift_card")
    return await enrol(hub)


async def tender_rows(hub: Hub, document_id: str) -> list[JSON]:
    async with hub.runtime.database.read() as connection:
        rows = await connection.execute(
            text(
                "SELECT tender_no, kind, amount_minor, tender_id, account, card_status, "
                "card_transaction_id, card_brand, card_last4, card_deadline, original_tender_no "
                "FROM tender WHERE document_id = :document ORDER BY tender_no"
            ),
            {"document": uuid.UUID(document_id)},
        )
        return [dict(row._mapping) for row in rows]


async def test_a_version_5_sale_keeps_its_card_and_gift_card_tenders(
    hub: Hub, node: dict[str, str]
) -> None:
    paid_by_card = card()
    payload = sale(
        "T1-0000001",
        [("A", "20.00"), ("B", "5.00")],
        [
            tender(1, "card", "15.00", **paid_by_card),
            tender(2, "cash", "5.00"),
            tender(3, "gift_card", "5.00", tender_id=str(uuid.uuid4()), account=GIFT_CARD),
        ],
    )
    response = (await push(hub, node, [v5(node, 1, payload)])).json()
    assert (response["accepted"], response["rejected"]) == (1, [])
    rows = await tender_rows(hub, payload["sale_id"])
    assert [(row["kind"], row["amount_minor"]) for row in rows] == [
        ("card", 1500),
        ("cash", 500),
        ("gift_card", 500),
    ]
    assert str(rows[0]["tender_id"]) == paid_by_card["tender_id"]
    assert (rows[0]["card_status"], rows[0]["card_transaction_id"]) == ("captured", "pay_1")
    assert (rows[0]["card_brand"], rows[0]["card_last4"]) == ("visa", "4242")
    assert rows[1]["card_status"] is None and rows[1]["account"] is None
    assert rows[2]["account"] == GIFT_CARD


async def test_a_card_tender_without_its_card_is_quarantined_and_blocks_nothing(
    hub: Hub, node: dict[str, str]
) -> None:
    bad = sale("T1-0000001", [("A", "20.00")], [tender(1, "card", "20.00")])
    good = sale("T1-0000002", [("B", "5.00")], [tender(1, "cash", "5.00")])
    response = (await push(hub, node, [v5(node, 1, bad), v5(node, 2, good)])).json()
    assert response["acked_seq"] == 2
    (rejected,) = response["rejected"]
    assert rejected["seq"] == 1 and "without card" in rejected["reason"]
    (row,) = await hub.report()
    assert (row["invoices"], row["revenue"]) == (1, "5.00")
