"""Tenders beyond cash at a till whose card terminal and hub ledger are out of reach or not
configured: gift cards sold and spent within the offline allowance, split tenders with
change only from cash, the offline card position a cashier sees."""

from __future__ import annotations

import json
import sqlite3
import uuid
from decimal import Decimal
from typing import Any

from tests.support import Edge, Hub, money

GIFT = "gift_0001_10"
CARD_NUMBER = "6006491234567890"


async def gift_store(hub: Hub, store: Edge) -> None:
    await hub.import_items({GIFT: "10.00"}, kind="gift_card")
    await store.sync()


async def cart_with(store: Edge, lines: list[dict[str, Any]]) -> str:
    cart_id = str(uuid.uuid4())
    opened = await store.client.post(
        "/v1/carts", json={"cart_id": cart_id, "till_id": "T1", "lines": lines}
    )
    assert opened.status_code == 201, opened.text
    return cart_id


def v5_events(store: Edge) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{store.path}?mode=ro", uri=True) as database:
        rows = database.execute(
            "SELECT kind, schema_version, payload FROM outbox WHERE schema_version = 5"
        ).fetchall()
    return [{"kind": kind, "payload": json.loads(payload)} for kind, _, payload in rows]


async def test_a_gift_card_sold_needs_its_number_and_travels_as_version_5(
    hub: Hub, store: Edge
) -> None:
    await gift_store(hub, store)
    refused = await store.client.post(
        "/v1/carts", json={"till_id": "T1", "lines": [{"sku": GIFT, "quantity": 1}]}
    )
    assert refused.status_code == 422
    assert refused.json()["error"] == "gift_card_number_needed"
    cart_id = await cart_with(
        store, [{"sku": GIFT, "quantity": 1, "gift_card_number": CARD_NUMBER}]
    )
    sale = await store.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "10.00"}]}
    )
    assert sale.status_code == 201, sale.text
    (event,) = v5_events(store)
    assert event["kind"] == "sale.completed"
    assert event["payload"]["lines"][0]["gift_card_number"] == CARD_NUMBER


async def test_offline_a_gift_card_is_spent_within_the_balance_the_store_knew(
    hub: Hub, store: Edge
) -> None:
    await gift_store(hub, store)
    loaded = await cart_with(store, [{"sku": GIFT, "quantity": 1, "gift_card_number": CARD_NUMBER}])
    await store.client.post(f"/v1/carts/{loaded}/checkout", json={"tenders": [{"amount": "10"}]})
    store.link.online = False  # the hub is out of reach from here on

    first = await cart_with(store, [{"sku": "A", "quantity": 2}])  # 5.10
    paid = await store.client.post(
        f"/v1/carts/{first}/checkout",
        json={"tenders": [{"kind": "gift_card", "amount": "5.10", "account": CARD_NUMBER}]},
    )
    assert paid.status_code == 201, paid.text
    tender = paid.json()["tenders"][0]
    assert tender["kind"] == "gift_card" and tender["account"] == CARD_NUMBER
    assert money(paid.json()["change"]) == 0

    second = await cart_with(store, [{"sku": "C", "quantity": 1}])  # 10.00
    over = await store.client.post(
        f"/v1/carts/{second}/checkout",
        json={"tenders": [{"kind": "gift_card", "amount": "10.00", "account": CARD_NUMBER}]},
    )
    assert over.status_code == 409, over.text
    assert over.json()["error"] == "offline_limit_reached"
    assert "4.90" in over.json()["detail"]
    split = await store.client.post(
        f"/v1/carts/{second}/checkout",
        json={
            "tenders": [
                {"kind": "gift_card", "amount": "4.90", "account": CARD_NUMBER},
                {"kind": "cash", "amount": "10.00"},
            ]
        },
    )
    assert split.status_code == 201, split.text
    tenders = split.json()["tenders"]
    assert [(t["kind"], money(t["amount"]), money(t["change"])) for t in tenders] == [
        ("gift_card", Decimal("4.90"), Decimal(0)),
        ("cash", Decimal("5.10"), Decimal("4.90")),
    ]
    balance = await store.client.get(f"/v1/gift-cards/{CARD_NUMBER}")
    assert balance.status_code == 200, balance.text
    assert balance.json()["source"] == "last_known"
    assert money(balance.json()["balance"]) == 0
    assert money(balance.json()["offline_allowance"]) == 0


async def test_a_gift_card_never_seen_here_cannot_be_spent_offline(store: Edge) -> None:
    cart_id = await cart_with(store, [{"sku": "A", "quantity": 1}])
    response = await store.client.post(
        f"/v1/carts/{cart_id}/checkout",
        json={"tenders": [{"kind": "gift_card", "amount": "2.55", "account": "6006490000000001"}]},
    )
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_account"
    assert (await store.client.get(f"/v1/carts/{cart_id}")).json()["status"] == "open"


async def test_a_till_without_a_card_terminal_refuses_cards_and_keeps_the_cart(
    store: Edge,
) -> None:
    cart_id = await cart_with(store, [{"sku": "C", "quantity": 1}])
    response = await store.client.post(
        f"/v1/carts/{cart_id}/checkout",
        json={"tenders": [{"kind": "card", "amount": "10.00", "card": "4242424242424242"}]},
    )
    assert response.status_code == 409
    assert response.json()["error"] == "no_card_terminal"
    paid = await store.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "10.00"}]}
    )
    assert paid.status_code == 201


async def test_non_cash_tenders_beyond_the_total_are_refused_before_anything_is_charged(
    store: Edge,
) -> None:
    cart_id = await cart_with(store, [{"sku": "A", "quantity": 1}])
    response = await store.client.post(
        f"/v1/carts/{cart_id}/checkout",
        json={"tenders": [{"kind": "card", "amount": "3.00", "card": "4242424242424242"}]},
    )
    assert response.status_code == 422
    assert "exceed" in response.json()["detail"]


async def test_the_cashier_sees_the_offline_card_limits_the_store_set(store: Edge) -> None:
    position = await store.client.get("/v1/tills/T1/tenders")
    assert position.status_code == 200, position.text
    body = position.json()
    assert (money(body["transaction_max"]), money(body["till_max"]), body["hours"]) == (
        Decimal(100),
        Decimal(500),
        24,
    )
    assert money(body["headroom"]) == 100 and body["stored"] == 0
    assert body["card_terminal"] is False
    setting = await store.client.put(
        "/v1/records/store_settings/store-1",
        json={"fields": {"card_offline_transaction_max": "60.00", "card_offline_hours": "72"}},
    )
    assert setting.status_code == 200, setting.text
    body = (await store.client.get("/v1/tills/T1/tenders")).json()
    assert (money(body["transaction_max"]), body["hours"], money(body["headroom"])) == (
        Decimal(60),
        72,
        Decimal(60),
    )
    wrong = await store.client.put(
        "/v1/records/store_settings/store-1", json={"fields": {"card_offline_hours": "100"}}
    )
    assert wrong.status_code == 422
    other_till = await store.client.get("/v1/tills/T2/tenders")
    assert other_till.status_code == 401


async def test_online_a_gift_card_is_spent_against_the_hubs_balance_less_what_is_unsent(
    hub: Hub, store: Edge
) -> None:
    await gift_store(hub, store)
    loaded = await cart_with(store, [{"sku": GIFT, "quantity": 1, "gift_card_number": CARD_NUMBER}])
    await store.client.post(f"/v1/carts/{loaded}/checkout", json={"tenders": [{"amount": "10"}]})
    await store.sync()  # the hub activates the card: 10.00

    first = await cart_with(store, [{"sku": "A", "quantity": 2}])  # 5.10
    paid = await store.client.post(
        f"/v1/carts/{first}/checkout",
        json={"tenders": [{"kind": "gift_card", "amount": "5.10", "account": CARD_NUMBER}]},
    )
    assert paid.status_code == 201, paid.text
    enquiry = (await store.client.get(f"/v1/gift-cards/{CARD_NUMBER}")).json()
    assert (enquiry["source"], money(enquiry["balance"])) == ("hub", Decimal("4.90"))
    second = await cart_with(store, [{"sku": "C", "quantity": 1}])
    too_much = await store.client.post(
        f"/v1/carts/{second}/checkout",
        json={
            "tenders": [
                {"kind": "gift_card", "amount": "5.00", "account": CARD_NUMBER},
                {"kind": "cash", "amount": "5.00"},
            ]
        },
    )
    assert too_much.status_code == 402, too_much.text
    assert too_much.json()["error"] == "balance_too_low" and "4.90" in too_much.json()["detail"]

    await store.sync()
    at_hub = await hub.client.get(f"/v1/gift-cards/{CARD_NUMBER}", headers=hub.admin)
    assert at_hub.status_code == 200, at_hub.text
    assert money(at_hub.json()["balance"]) == Decimal("4.90")
    enquiry = (await store.client.get(f"/v1/gift-cards/{CARD_NUMBER}")).json()
    assert (enquiry["source"], money(enquiry["balance"])) == ("hub", Decimal("4.90"))


async def test_a_gift_card_that_would_load_nothing_is_refused_at_the_till_not_quarantined(
    hub: Hub, store: Edge
) -> None:
    await gift_store(hub, store)
    line = {"sku": GIFT, "quantity": 1, "gift_card_number": CARD_NUMBER}
    free = {"unit_price": "0.00", "price_reason": "manager_discretion"}
    refused = await store.client.post(
        "/v1/carts",
        json={"till_id": "T1", "lines": [line | free]},
        headers={"X-Override-Staff-Code": "9001", "X-Override-Pin": "9999"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "gift_card_load_not_positive"
    assert v5_events(store) == []  # nothing went to the hub to be quarantined there
