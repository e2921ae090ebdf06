"""Card tenders at a real till against the real acquirer process (`vectis acquirer-sim`),
through a fault proxy that cuts the link or loses answers: charged once online, declined
with the cart kept, stored offline within the store's limits and forwarded in order when
the link returns, and a capture whose answer was lost settled exactly once."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.acquirer_support import AcquirerProcess
from tests.support import Edge, Hub, close_edge, make_edge, money
from vectis.proxy import FaultProxy

VISA = "4242424242424242"
DECLINED = "4000000000000002"


@pytest.fixture
async def link(acquirer: AcquirerProcess) -> AsyncIterator[FaultProxy]:
    async with FaultProxy("127.0.0.1", acquirer.port, name="acquirer-link") as running:
        yield running


@pytest.fixture
async def till(
    hub: Hub, acquirer: AcquirerProcess, link: FaultProxy, tmp_path: Path
) -> AsyncIterator[Edge]:
    await hub.create_store("store-1")
    await hub.import_items({"A": "2.55", "C": "10.00", "D": "60.00", "E": "120.00"})
    edge = await make_edge(
        tmp_path / "store-1.db",
        hub,
        await hub.token("store-1"),
        acquirer_url=link.url,
        acquirer_api_key=acquirer.api_key,
        acquirer_timeout_s=3.0,
    )
    try:
        yield edge
    finally:
        await close_edge(edge)


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def cart_of(edge: Edge, sku: str, quantity: int = 1) -> str:
    cart_id = str(uuid.uuid4())
    opened = await edge.client.post(
        "/v1/carts",
        json={"cart_id": cart_id, "till_id": "T1", "lines": [{"sku": sku, "quantity": quantity}]},
    )
    assert opened.status_code == 201, opened.text
    return cart_id


async def pay(edge: Edge, cart_id: str, *tenders: dict[str, Any]) -> Any:
    return await edge.client.post(f"/v1/carts/{cart_id}/checkout", json={"tenders": list(tenders)})


def card(amount: str, number: str = VISA) -> dict[str, str]:
    return {"kind": "card", "amount": amount, "card": number}


def outbox(edge: Edge, kind: str) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{edge.path}?mode=ro", uri=True) as database:
        rows = database.execute("SELECT payload FROM outbox WHERE kind = ?", (kind,)).fetchall()
    return [json.loads(payload) for (payload,) in rows]


async def test_a_card_is_charged_once_online_even_when_the_checkout_is_retried(
    till: Edge, acquirer: AcquirerProcess
) -> None:
    cart_id = await cart_of(till, "C")
    first = await pay(till, cart_id, card("10.00"))
    again = await pay(till, cart_id, card("10.00"))

    assert (first.status_code, again.status_code) == (201, 200), first.text
    tender = first.json()["tenders"][0]
    assert tender["card"]["status"] == "captured"
    assert (tender["card"]["brand"], tender["card"]["last4"]) == ("visa", "4242")
    assert tender["card"]["transaction_id"]
    assert VISA not in first.text
    report = await acquirer.settlement(today())
    assert (report["count"], report["captured"]) == (1, "10.00")
    assert report["by_reference"]["store-1"]["captured"] == "10.00"
    (sale,) = outbox(till, "sale.completed")
    assert sale["tenders"][0]["card"]["status"] == "captured"
    assert VISA not in json.dumps(sale)


async def test_a_declined_card_keeps_the_cart_open_for_another_tender(
    till: Edge, acquirer: AcquirerProcess
) -> None:
    cart_id = await cart_of(till, "C")
    declined = await pay(till, cart_id, card("10.00", DECLINED))
    assert declined.status_code == 402, declined.text
    assert declined.json()["error"] == "card_declined"
    assert "card_declined" in declined.json()["detail"]
    also = await pay(till, await cart_of(till, "A", 5), card("12.75"))
    paid = await pay(till, cart_id, {"kind": "cash", "amount": "20"})

    assert paid.status_code == 201
    assert money(paid.json()["change"]) == Decimal("10.00")
    assert also.status_code == 201  # 12.75: not an amount the simulator declines
    report = await acquirer.settlement(today())
    assert (report["count"], report["captured"]) == (1, "12.75")


async def test_offline_cards_are_stored_within_the_limits_then_forwarded_in_order(
    till: Edge, acquirer: AcquirerProcess, link: FaultProxy
) -> None:
    await link.set_online(False)
    first = await pay(till, await cart_of(till, "D"), card("60.00"))
    too_big = await pay(till, await cart_of(till, "E"), card("120.00"))
    second_cart = await cart_of(till, "D")
    over_till = None
    for _ in range(8):  # 60 a sale: the 500 till cap stops the ninth
        over_till = await pay(till, await cart_of(till, "D"), card("60.00"))
        if over_till.status_code != 201:
            break
    second = await pay(till, second_cart, {"kind": "cash", "amount": "60.00"})

    assert first.status_code == 201, first.text
    stored = first.json()["tenders"][0]["card"]
    assert stored["status"] == "stored" and stored["transaction_id"] is None
    assert stored["deadline"] is not None
    assert too_big.status_code == 409 and too_big.json()["error"] == "offline_limit_reached"
    assert "per_transaction" in too_big.json()["detail"]
    assert over_till is not None and over_till.status_code == 409
    assert "per_till" in over_till.json()["detail"] and "20.00" in over_till.json()["detail"]
    assert second.status_code == 201
    position = (await till.client.get("/v1/tills/T1/tenders")).json()
    assert (position["stored"], money(position["outstanding"])) == (8, Decimal("480.00"))
    assert money(position["headroom"]) == Decimal("20.00")
    assert position["oldest_deadline"] == stored["deadline"]
    assert (await acquirer.settlement(today()))["count"] == 0

    await link.set_online(True)
    run = (await till.client.post("/v1/card-payments/forward")).json()

    assert (run["forwarded"], run["declined"], run["left"]) == (8, 0, 0)
    report = await acquirer.settlement(today())
    assert (report["count"], report["captured"]) == (8, "480.00")
    settled = outbox(till, "card.settled")
    assert [event["outcome"] for event in settled] == ["captured"] * 8
    assert settled[0]["tender_id"] == first.json()["tenders"][0]["tender_id"]
    position = (await till.client.get("/v1/tills/T1/tenders")).json()
    assert (position["stored"], money(position["headroom"])) == (0, Decimal("100.00"))
    again = (await till.client.post("/v1/card-payments/forward")).json()
    assert again["forwarded"] == 0
    assert (await acquirer.settlement(today()))["count"] == 8


async def test_a_card_declined_after_being_taken_offline_stands_and_is_reported(
    till: Edge, acquirer: AcquirerProcess, link: FaultProxy
) -> None:
    await link.set_online(False)
    sale = await pay(till, await cart_of(till, "C"), card("10.00", DECLINED))
    assert sale.status_code == 201, sale.text
    await link.set_online(True)

    run = (await till.client.post("/v1/card-payments/forward")).json()

    assert (run["forwarded"], run["declined"]) == (0, 1)
    (settled,) = outbox(till, "card.settled")
    assert (settled["outcome"], settled["decline_code"]) == ("declined", "card_declined")
    log = (await till.client.get("/v1/card-payments", params={"status": "settled"})).json()
    assert [(row["outcome"], row["decline_code"]) for row in log] == [("declined", "card_declined")]
    assert (await acquirer.settlement(today()))["count"] == 0


async def test_a_capture_whose_answer_was_lost_is_settled_exactly_once(
    till: Edge, acquirer: AcquirerProcess, link: FaultProxy
) -> None:
    link.drop_responses(1)
    sale = await pay(till, await cart_of(till, "D"), card("60.00"))

    assert sale.status_code == 201, sale.text
    assert sale.json()["tenders"][0]["card"]["status"] == "stored"  # no answer: taken offline
    report = await acquirer.settlement(today())
    assert (report["count"], report["captured"]) == (1, "60.00")  # it did reach the acquirer

    run = (await till.client.post("/v1/card-payments/forward")).json()

    assert run["forwarded"] == 1
    report = await acquirer.settlement(today())
    assert (report["count"], report["captured"]) == (1, "60.00")
    (settled,) = outbox(till, "card.settled")
    assert settled["outcome"] == "captured" and settled["transaction_id"]


async def test_a_gift_card_refused_leaves_no_card_charged(
    till: Edge, acquirer: AcquirerProcess
) -> None:
    cart_id = await cart_of(till, "A", 4)  # 10.20
    gift = {"kind": "gift_card", "amount": "0.20", "account": "6006490000000009"}
    refused = await pay(till, cart_id, card("10.00"), gift)

    assert refused.status_code == 404 and refused.json()["error"] == "unknown_account"
    assert (await acquirer.settlement(today()))["count"] == 0


async def test_a_charge_that_went_through_unseen_for_a_cart_then_voided_is_paid_back(
    till: Edge, acquirer: AcquirerProcess, link: FaultProxy
) -> None:
    cart_id = await cart_of(till, "E")  # 120.00: above the offline cap
    link.drop_responses(1)
    refused = await pay(till, cart_id, card("120.00"))
    assert refused.status_code == 409 and refused.json()["error"] == "offline_limit_reached"
    report = await acquirer.settlement(today())
    assert (report["captured"], report["refunded"]) == ("120.00", "0.00")  # it went through
    voided = await till.client.post(f"/v1/carts/{cart_id}/void", json={"reason": "customer left"})
    assert voided.status_code == 200, voided.text

    run = (await till.client.post("/v1/card-payments/forward")).json()

    assert run["reversed"] == 1
    report = await acquirer.settlement(today())
    assert (report["captured"], report["refunded"], report["net"]) == ("120.00", "120.00", "0.00")
    log = (await till.client.get("/v1/card-payments", params={"status": "reversed"})).json()
    assert [(row["amount"], row["outcome"]) for row in log] == [("120.00", "refunded")]
    again = (await till.client.post("/v1/card-payments/forward")).json()
    assert again["reversed"] == 0
    assert (await acquirer.settlement(today()))["refunded"] == "120.00"
