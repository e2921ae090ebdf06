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

    # The two cards refused above the caps stay pending: their carts are still open (a
    # retry would send them with the same key); the run says so.
    assert (run["forwarded"], run["declined"], run["left"]) == (8, 0, 2)
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
    hub: Hub, till: Edge, acquirer: AcquirerProcess, link: FaultProxy
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
    await till.sync()
    exceptions = await hub.client.get(
        "/v1/exceptions", params={"kind": "card_declined"}, headers=hub.admin
    )
    assert [row["document_id"] for row in exceptions.json()] == [sale.json()["sale_id"]]


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


async def give_back(edge: Edge, sale: dict[str, Any], quantity: int, return_id: str) -> Any:
    line = sale["lines"][0]
    body = {
        "return_id": return_id,
        "till_id": "T1",
        "reason": "changed mind",
        "original_sale_id": sale["sale_id"],
        "lines": [{"sku": line["sku"], "quantity": quantity, "original_line_no": 1}],
    }
    return await edge.client.post("/v1/returns", json=body)


async def test_a_receipted_return_refunds_the_card_through_the_acquirer_once(
    till: Edge, acquirer: AcquirerProcess
) -> None:
    sale = (await pay(till, await cart_of(till, "A", 4), card("10.20"))).json()
    return_id = str(uuid.uuid4())

    first = await give_back(till, sale, 2, return_id)
    again = await give_back(till, sale, 2, return_id)

    assert (first.status_code, again.status_code) == (201, 200), first.text
    (refund,) = first.json()["refunds"]
    assert (refund["kind"], refund["amount"], refund["original_tender_no"]) == ("card", "5.10", 1)
    assert refund["card"]["status"] == "refunded" and refund["card"]["transaction_id"]
    assert refund["card"]["transaction_id"] != sale["tenders"][0]["card"]["transaction_id"]
    report = await acquirer.settlement(today())
    assert (report["captured"], report["refunded"]) == ("10.20", "5.10")
    too_much = await give_back(till, sale, 3, str(uuid.uuid4()))
    assert too_much.status_code == 422  # only 2 units are left to return


async def test_a_card_refund_offline_is_stored_and_forwarded_when_the_link_returns(
    till: Edge, acquirer: AcquirerProcess, link: FaultProxy
) -> None:
    sale = (await pay(till, await cart_of(till, "C", 2), card("20.00"))).json()
    await link.set_online(False)

    made = await give_back(till, sale, 1, str(uuid.uuid4()))

    assert made.status_code == 201, made.text
    assert made.json()["refunds"][0]["card"]["status"] == "stored"
    await link.set_online(True)
    run = (await till.client.post("/v1/card-payments/forward")).json()
    assert run["forwarded"] == 1
    report = await acquirer.settlement(today())
    assert (report["captured"], report["refunded"]) == ("20.00", "10.00")
    (settled,) = outbox(till, "card.settled")
    assert (settled["document_kind"], settled["outcome"]) == ("return", "refunded")


async def test_a_refund_of_a_card_taken_offline_waits_for_that_card_to_be_captured(
    till: Edge, acquirer: AcquirerProcess, link: FaultProxy
) -> None:
    await link.set_online(False)
    sale = (await pay(till, await cart_of(till, "C", 2), card("20.00"))).json()
    assert sale["tenders"][0]["card"]["status"] == "stored"
    made = await give_back(till, sale, 2, str(uuid.uuid4()))
    assert made.status_code == 201, made.text
    await link.set_online(True)

    first = (await till.client.post("/v1/card-payments/forward")).json()
    second = (await till.client.post("/v1/card-payments/forward")).json()

    assert (first["forwarded"], second["forwarded"]) == (1, 1)
    report = await acquirer.settlement(today())
    assert (report["captured"], report["refunded"], report["net"]) == ("20.00", "20.00", "0.00")
    assert [event["outcome"] for event in outbox(till, "card.settled")] == ["captured", "refunded"]


async def test_a_charge_to_pay_back_is_found_behind_a_long_history_of_captured_cards(
    till: Edge, acquirer: AcquirerProcess, link: FaultProxy
) -> None:
    # One card sale, then its payment row as the store's history: 600 captured card
    # payments of recorded sales, all older than what follows (the forwarder's scans read
    # 500 payments at a time, oldest first).
    sold = await pay(till, await cart_of(till, "A"), card("2.55"))
    assert sold.status_code == 201, sold.text
    with sqlite3.connect(till.path) as database:
        columns = [row[1] for row in database.execute("PRAGMA table_info(card_payment)")]
        (row,) = database.execute("SELECT * FROM card_payment").fetchall()
        history = []
        for n in range(600):
            copy = dict(zip(columns, row, strict=True))
            copy["tender_id"] = str(uuid.uuid4())
            copy["taken_at"] = f"2000-01-01T00:{n // 60:02d}:{n % 60:02d}+00:00"
            history.append(tuple(copy.values()))
        marks = ", ".join("?" for _ in columns)
        database.executemany(f"INSERT INTO card_payment VALUES ({marks})", history)
    cart_id = await cart_of(till, "E")
    link.drop_responses(1)  # the charge goes through, its answer is lost
    refused = await pay(till, cart_id, card("120.00"))
    assert refused.status_code == 409, refused.text
    voided = await till.client.post(f"/v1/carts/{cart_id}/void", json={"reason": "customer left"})
    assert voided.status_code == 200, voided.text

    run = (await till.client.post("/v1/card-payments/forward")).json()

    assert (run["reversed"], run["left"]) == (1, 0)
    report = await acquirer.settlement(today())
    assert (report["captured"], report["refunded"]) == ("122.55", "120.00")
