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


def gift_card_sale(receipt: str, number: str = GIFT_CARD, amount: str = "25.00") -> JSON:
    """A sale of one gift card loading `number` with `amount`, paid in cash."""
    return sale(receipt, [("GIFT-25", amount)], [tender(1, "cash", amount)], gift_card_1=number)


def redeeming(receipt: str, amount: str, number: str = GIFT_CARD) -> JSON:
    """A sale of item B for `amount`, paid with gift card `number`."""
    return sale(
        receipt,
        [("B", amount)],
        [tender(1, "gift_card", amount, tender_id=str(uuid.uuid4()), account=number)],
    )


async def gift_card_view(hub: Hub, number: str = GIFT_CARD) -> JSON:
    response = await hub.client.get(f"/v1/gift-cards/{number}", headers=hub.admin)
    assert response.status_code == 200, response.text
    body: JSON = response.json()
    return body


async def exceptions(hub: Hub, kind: str) -> list[JSON]:
    response = await hub.client.get("/v1/exceptions", params={"kind": kind}, headers=hub.admin)
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_a_gift_card_sold_activates_redemptions_spend_it_and_hq_sees_every_movement(
    hub: Hub, node: dict[str, str]
) -> None:
    activation = gift_card_sale("T1-0000001")
    first = redeeming("T1-0000002", "5.00")
    second = redeeming("T1-0000003", "5.00")
    await push(hub, node, [v5(node, 1, activation), v5(node, 2, first)])
    await push(hub, node, [v5(node, 3, second)])
    card_view = await gift_card_view(hub)
    assert (card_view["balance"], card_view["currency"], card_view["status"]) == (
        "15.00",
        "GBP",
        "active",
    )
    assert card_view["store_id"] == "store-1" and card_view["activated_at"] is not None
    assert [
        (item["kind"], item["amount"], item["balance_after"]) for item in card_view["movements"]
    ] == [
        ("activation", "25.00", "25.00"),
        ("redemption", "-5.00", "20.00"),
        ("redemption", "-5.00", "15.00"),
    ]
    assert [item["document_id"] for item in card_view["movements"]] == [
        activation["sale_id"],
        first["sale_id"],
        second["sale_id"],
    ]
    asked = await hub.client.get(
        f"/v1/sync/stored-value/gift_card/{GIFT_CARD}",
        headers={"Authorization": node["authorization"]},
    )
    assert asked.status_code == 200, asked.text
    assert (asked.json()["balance"], asked.json()["kind"]) == ("15.00", "gift_card")


async def test_a_retried_or_doubled_upload_moves_no_balance_twice(
    hub: Hub, node: dict[str, str]
) -> None:
    activation = gift_card_sale("T1-0000001")
    spend = redeeming("T1-0000002", "10.00")
    batch = [v5(node, 1, activation), v5(node, 2, spend)]
    await push(hub, node, batch)
    await push(hub, node, batch)  # the answer was lost: the till sends it again
    # A till restored from a backup uploads the same documents under new events and seqs.
    doubled = (await push(hub, node, [v5(node, 3, activation), v5(node, 4, spend)])).json()
    assert len(doubled["rejected"]) == 2
    card_view = await gift_card_view(hub)
    assert card_view["balance"] == "15.00"
    assert len(card_view["movements"]) == 2


async def test_two_stores_spending_one_card_offline_raise_an_overdraft_and_both_sales_stand(
    hub: Hub, node: dict[str, str]
) -> None:
    other = await enrol(hub, "store-2")
    await push(hub, node, [v5(node, 1, gift_card_sale("T1-0000001", amount="25.00"))])
    await push(hub, node, [v5(node, 2, redeeming("T1-0000002", "20.00"))])
    late = redeeming("T1-0000001", "15.00")
    response = (await push(hub, other, [v5(other, 1, late)])).json()
    assert response["rejected"] == []
    assert (await gift_card_view(hub))["balance"] == "-10.00"
    (found,) = await exceptions(hub, "overdraft")
    assert (found["document_id"], found["store_id"]) == (late["sale_id"], "store-2")
    assert "****7890" in found["detail"] and GIFT_CARD not in found["detail"]
    assert "-10.00 GBP" in found["detail"]
    revenue = {row["store_id"]: row["revenue"] for row in await hub.report()}
    assert revenue == {"store-1": "45.00", "store-2": "15.00"}


async def test_store_credit_is_issued_by_a_return_spent_as_a_tender_and_refunded_back(
    hub: Hub, node: dict[str, str]
) -> None:
    bought = sale("T1-0000001", [("A", "20.00")], [tender(1, "cash", "20.00")])
    given_back = returned(
        "T1-R000001",
        None,
        [("A", "20.00")],
        [tender(1, "store_credit", "20.00", tender_id=str(uuid.uuid4()), account="C-42")],
        customer_id="C-42",
    )
    spent = sale(
        "T1-0000002",
        [("B", "5.00")],
        [tender(1, "store_credit", "5.00", tender_id=str(uuid.uuid4()), account="C-42")],
    )
    back = returned(
        "T1-R000002",
        spent,
        [("B", "5.00")],
        [
            tender(
                1,
                "store_credit",
                "5.00",
                tender_id=str(uuid.uuid4()),
                account="C-42",
                original_tender_no=1,
            )
        ],
    )
    await push(
        hub,
        node,
        [
            v5(node, 1, bought),
            v5(node, 2, given_back, "return.recorded"),
            v5(node, 3, spent),
            v5(node, 4, back, "return.recorded"),
        ],
    )
    response = await hub.client.get("/v1/store-credit/C-42", headers=hub.admin)
    assert response.status_code == 200, response.text
    credit = response.json()
    assert (credit["customer_id"], credit["balance"]) == ("C-42", "20.00")
    assert [(item["kind"], item["amount"]) for item in credit["movements"]] == [
        ("issue", "20.00"),
        ("spend", "-5.00"),
        ("refund", "5.00"),
    ]
    rows = await tender_rows(hub, back["return_id"])
    assert rows[0]["original_tender_no"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/v1/gift-cards/6006490000000000",
        "/v1/store-credit/nobody",
    ],
)
async def test_an_account_hq_never_saw_is_unknown(hub: Hub, path: str) -> None:
    response = await hub.client.get(path, headers=hub.admin)
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_account"


async def test_a_store_asking_a_card_never_activated_is_told_it_is_unknown(
    hub: Hub, node: dict[str, str]
) -> None:
    response = await hub.client.get(
        "/v1/sync/stored-value/gift_card/6006490000000000",
        headers={"Authorization": node["authorization"]},
    )
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_account"
    no_credential = await hub.client.get(f"/v1/sync/stored-value/gift_card/{GIFT_CARD}")
    assert no_credential.status_code == 401


async def test_a_gift_card_number_on_an_item_that_is_not_a_gift_card_loads_nothing(
    hub: Hub, node: dict[str, str]
) -> None:
    payload = sale(
        "T1-0000001", [("A", "20.00")], [tender(1, "cash", "20.00")], gift_card_1=GIFT_CARD
    )
    assert (await push(hub, node, [v5(node, 1, payload)])).json()["rejected"] == []
    (found,) = await exceptions(hub, "tender_problem")
    assert "not a gift-card product" in found["detail"]
    response = await hub.client.get(f"/v1/gift-cards/{GIFT_CARD}", headers=hub.admin)
    assert response.status_code == 404


def settled(payload: JSON, outcome: str, **more: Any) -> JSON:
    """`card.settled` of tender 1 of `payload` (a sale) with `outcome`."""
    (paid,) = [item for item in payload["tenders"] if item["kind"] == "card"]
    return {
        "tender_id": paid["tender_id"],
        "document_id": payload["sale_id"],
        "document_kind": "sale",
        "tender_no": paid["tender_no"],
        "till_id": "T1",
        "outcome": outcome,
        "amount": paid["amount"],
        "currency": "GBP",
        "transaction_id": "pay_9" if outcome == "captured" else None,
        "decline_code": "do_not_honour" if outcome == "declined" else None,
        "taken_at": "2010-12-01T10:00:00+00:00",
        "deadline": "2010-12-02T10:00:00+00:00",
        "settled_at": "2010-12-01T12:00:00+00:00",
        **more,
    }


def offline_card_sale(receipt: str) -> JSON:
    return sale(
        receipt,
        [("A", "20.00")],
        [tender(1, "card", "20.00", **card("stored", deadline="2010-12-02T10:00:00+00:00"))],
    )


@pytest.mark.parametrize(
    ("outcome", "exception_kind", "said"),
    [
        ("declined", "card_declined", "declined by the acquirer (do_not_honour)"),
        ("expired", "card_expired", "not forwarded before its deadline"),
        ("captured", None, None),
    ],
)
async def test_a_card_taken_offline_is_settled_with_the_sale_uploaded_in_the_same_batch(
    hub: Hub, node: dict[str, str], outcome: str, exception_kind: str | None, said: str | None
) -> None:
    payload = offline_card_sale("T1-0000001")
    response = (
        await push(
            hub,
            node,
            [v5(node, 1, payload), event(node, 2, settled(payload, outcome), "card.settled")],
        )
    ).json()
    assert (response["acked_seq"], response["rejected"]) == (2, [])
    (row,) = await tender_rows(hub, payload["sale_id"])
    assert row["card_status"] == outcome
    assert row["card_transaction_id"] == ("pay_9" if outcome == "captured" else None)
    found = [
        item for kind in ("card_declined", "card_expired") for item in await exceptions(hub, kind)
    ]
    if exception_kind is None:
        assert found == []
    else:
        (only,) = found
        assert (only["kind"], only["document_id"]) == (exception_kind, payload["sale_id"])
        assert said is not None and said in only["detail"] and "visa ****4242" in only["detail"]
    (report,) = await hub.report()
    assert report["revenue"] == "20.00"  # the sale stands


async def test_a_card_is_settled_once_a_second_word_on_it_is_quarantined(
    hub: Hub, node: dict[str, str]
) -> None:
    payload = offline_card_sale("T1-0000001")
    await push(hub, node, [v5(node, 1, payload)])
    await push(hub, node, [event(node, 2, settled(payload, "declined"), "card.settled")])
    again = (
        await push(hub, node, [event(node, 3, settled(payload, "declined"), "card.settled")])
    ).json()
    assert again["rejected"] == []  # the same word again says nothing new
    other = (
        await push(hub, node, [event(node, 4, settled(payload, "captured"), "card.settled")])
    ).json()
    (rejected,) = other["rejected"]
    assert "declined already" in rejected["reason"]
    (row,) = await tender_rows(hub, payload["sale_id"])
    assert row["card_status"] == "declined"
    assert len(await exceptions(hub, "card_declined")) == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount": "19.00"}, "is 2000 minor units"),
        ({"tender_id": str(uuid.uuid4())}, "has tender id"),
        ({"document_id": str(uuid.uuid4())}, "is not in the ledger"),
        ({"said": "refunded", "transaction_id": "pay_1"}, "cannot be refunded"),
        ({"said": "captured", "transaction_id": None}, "without its transaction_id"),
    ],
)
async def test_a_card_settled_that_does_not_match_its_tender_is_quarantined(
    hub: Hub, node: dict[str, str], change: JSON, reason: str
) -> None:
    payload = offline_card_sale("T1-0000001")
    await push(hub, node, [v5(node, 1, payload)])
    response = (
        await push(
            hub,
            node,
            [
                event(
                    node,
                    2,
                    settled(payload, change.pop("said", "declined"), **change),
                    "card.settled",
                )
            ],
        )
    ).json()
    (rejected,) = response["rejected"]
    assert reason in rejected["reason"]
    (row,) = await tender_rows(hub, payload["sale_id"])
    assert row["card_status"] == "stored"


async def test_another_store_cannot_settle_a_stores_card(hub: Hub, node: dict[str, str]) -> None:
    other = await enrol(hub, "store-2")
    payload = offline_card_sale("T1-0000001")
    await push(hub, node, [v5(node, 1, payload)])
    response = (
        await push(hub, other, [event(other, 1, settled(payload, "declined"), "card.settled")])
    ).json()
    (rejected,) = response["rejected"]
    assert "not in the ledger of store-2" in rejected["reason"]
    assert await exceptions(hub, "card_declined") == []
