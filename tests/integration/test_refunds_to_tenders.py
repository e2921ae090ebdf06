"""Refunds to the original tender at the returns desk: a sale paid by card, gift card, store
credit and cash is paid back to each in proportion through the till API, on its receipt and
in the shift's tender totals; a return without a receipt refunds cash or store credit."""

from __future__ import annotations

import json
import sqlite3
import uuid
from decimal import Decimal
from typing import Any

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.cart import TenderRequest, settle_tenders
from edge.domain.documents import CardDetails, Sale, SaleCompleted, SaleLine
from edge.service.feed import apply_feed_entries
from shared.money import Money
from sync.messages import FeedEntry, RefundDecisionV1
from tests.support import CASHIER, STAFF_PINS, SUPERVISOR, Edge

JSON = dict[str, Any]
GIFT_CARD = "6006001234567890"
VISA = CardDetails(status="captured", transaction_id="pay_0001", brand="visa", last4="1111")


def gbp(text: str) -> Money:
    return Money.of(text, "GBP")


def split_sale(uow: EdgeUnitOfWork) -> Sale:
    """4 x C (10.00) and 2 x A (2.55) = 45.10 paid 20.00 by card, 10.00 from a gift card, 5.00
    of store credit and 20.00 in cash (10.10 applied, 9.90 change), recorded as a checkout
    records it (the till's card and ledger checks are the checkout's, not the returns desk's)."""
    clock_now = uow.now()
    tenders = settle_tenders(
        gbp("45.10"),
        [
            TenderRequest("card", gbp("20.00"), tender_id=uuid.uuid4(), card_details=VISA),
            TenderRequest("gift_card", gbp("10.00"), tender_id=uuid.uuid4(), account=GIFT_CARD),
            TenderRequest("store_credit", gbp("5.00"), tender_id=uuid.uuid4(), account="C-100"),
            TenderRequest("cash", gbp("20.00")),
        ],
    )
    lines = (("C", 4, "10.00", "40.00"), ("A", 2, "2.55", "5.10"))
    sale = Sale(
        sale_id=uuid.uuid4(),
        receipt_number=uow.node.next_receipt_number("T1"),
        cart_id=None,
        till_id="T1",
        business_time=clock_now,
        business_day=clock_now.date(),
        currency="GBP",
        customer_id="C-100",
        external_reference=None,
        lines=tuple(
            SaleLine(
                line_no=number,
                sku=sku,
                description=None,
                quantity=quantity,
                unit_price=Decimal(price),
                line_total=gbp(total),
                price_version=1,
                price_source="catalogue",
            )
            for number, (sku, quantity, price, total) in enumerate(lines, start=1)
        ),
        tenders=tenders,
        total=gbp("45.10"),
    )
    uow.sales.add(sale, uow.emit(SaleCompleted(sale)))
    return sale


def return_events(edge: Edge) -> list[tuple[int, JSON]]:
    """The edge's return.recorded events as written to its outbox file (version, payload),
    read directly, as an auditor would."""
    with sqlite3.connect(f"file:{edge.path}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT schema_version, payload FROM outbox WHERE kind = 'return.recorded' ORDER BY seq"
        ).fetchall()
    return [(version, json.loads(payload)) for version, payload in rows]


def refunds_of(document: JSON) -> list[tuple[str, str, int | None, str | None]]:
    return [
        (r["kind"], r["amount"], r["original_tender_no"], r["account"]) for r in document["refunds"]
    ]


async def test_a_split_sale_is_paid_back_to_each_tender_in_proportion_and_never_beyond(
    store: Edge,
) -> None:
    sale = await store.runtime.write(split_sale)
    first_id = str(uuid.uuid4())
    body = {
        "return_id": first_id,
        "till_id": "T1",
        "original_sale_id": str(sale.sale_id),
        "reason": "changed mind",
        "lines": [{"sku": "C", "quantity": 2, "original_line_no": 1}],
    }
    first = await store.client.post("/v1/returns", json=body)
    assert first.status_code == 201, first.text
    made = first.json()
    # 20.00 of 45.10 back: each tender its share by the largest remainder (the odd pennies
    # to the card's and the cash's larger remainders); the cash net of its 9.90 change.
    assert refunds_of(made) == [
        ("card", "8.87", 1, None),
        ("gift_card", "4.43", 2, GIFT_CARD),
        ("store_credit", "2.22", 3, "C-100"),
        ("cash", "4.48", 4, None),
    ]
    card = made["refunds"][0]
    assert card["card"]["status"] == "stored"  # until the till's card refund answers
    assert (card["card"]["transaction_id"], card["card"]["last4"]) == ("pay_0001", "1111")
    ids = [r["tender_id"] for r in made["refunds"]]
    assert ids == [str(uuid.uuid5(uuid.UUID(first_id), f"refund:{n}")) for n in (1, 2, 3, 4)]

    retried = await store.client.post("/v1/returns", json=body)
    assert retried.status_code == 200, retried.text
    assert retried.json()["refunds"] == made["refunds"]
    ((version, payload),) = return_events(store)  # the retry wrote nothing more
    assert version == 5
    assert [
        (r["kind"], r["amount"], r["original_tender_no"], r["account"], r["tender_id"])
        for r in payload["refunds"]
    ] == [(k, a, n, acc, i) for (k, a, n, acc), i in zip(refunds_of(made), ids, strict=True)]

    receipt = await store.client.get(f"/v1/returns/{first_id}/receipt")
    text = receipt.text
    for printed in ("Card refund", "VISA ****1111", "stored offline", "Gift card refund",
                    "Card ****7890", "Store credit refund", "Customer C-100", "Cash refund"):  # fmt: skip
        assert printed in text, text
    assert GIFT_CARD not in text

    shift = (await store.client.get("/v1/shifts/current", params={"till_id": "T1"})).json()
    x_report = (await store.client.get(f"/v1/shifts/{shift['shift_id']}/x-report")).json()
    tenders = x_report["totals"]["tenders"] if "totals" in x_report else x_report["tenders"]
    assert {kind: Decimal(amount) for kind, amount in tenders.items()} == {
        "card": Decimal("11.13"),
        "gift_card": Decimal("5.57"),
        "store_credit": Decimal("2.78"),
        "cash": Decimal("15.52"),  # 20.00 handed over (9.90 of it back as change), 4.48 out
    }

    rest = await store.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "original_receipt_number": sale.receipt_number,
            "reason": "changed mind",
            "lines": [
                {"sku": "C", "quantity": 2, "original_line_no": 1},
                {"sku": "A", "quantity": 2, "original_line_no": 2},
            ],
        },
    )
    assert rest.status_code == 201, rest.text
    # The last return squares every tender up to the penny: what it paid, less the first.
    assert refunds_of(rest.json()) == [
        ("card", "11.13", 1, None),
        ("gift_card", "5.57", 2, GIFT_CARD),
        ("store_credit", "2.78", 3, "C-100"),
        ("cash", "5.62", 4, None),
    ]


async def test_the_sale_receipt_prints_each_tender_without_a_card_or_gift_card_number(
    store: Edge,
) -> None:
    sale = await store.runtime.write(split_sale)
    text = (await store.client.get(f"/v1/sales/{sale.sale_id}/receipt")).text
    for printed in ("VISA ****1111", "Gift card", "Card ****7890", "Store credit",
                    "Customer C-100", "Change"):  # fmt: skip
        assert printed in text, text
    assert "stored offline" not in text and GIFT_CARD not in text


async def test_a_cashier_turns_the_cash_part_into_store_credit_on_a_receipted_return(
    store: Edge,
) -> None:
    sale = await store.runtime.write(split_sale)
    await store.sign_in(staff_code=CASHIER)
    returned = await store.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "original_sale_id": str(sale.sale_id),
            "reason": "changed mind",
            "lines": [{"sku": "C", "quantity": 2, "original_line_no": 1}],
            "refund": {"kind": "store_credit"},
        },
    )
    assert returned.status_code == 201, returned.text
    # the card and gift card are paid back to themselves; the cash part becomes credit of
    # the sale's customer, still naming the cash tender it pays back
    assert refunds_of(returned.json()) == [
        ("card", "8.87", 1, None),
        ("gift_card", "4.43", 2, GIFT_CARD),
        ("store_credit", "2.22", 3, "C-100"),
        ("store_credit", "4.48", 4, "C-100"),
    ]


def no_receipt(refund: JSON | None, customer_id: str | None = None) -> JSON:
    body: JSON = {
        "till_id": "T1",
        "reason": "faulty",
        "lines": [{"sku": "A", "quantity": 2}],
    }
    if refund is not None:
        body["refund"] = refund
    if customer_id is not None:
        body["customer_id"] = customer_id
    return body


async def test_a_return_without_a_receipt_refunds_cash_or_store_credit_by_role(
    store: Edge,
) -> None:
    # the manager: cash by default, store credit to a customer, never store credit to nobody
    cash = await store.client.post("/v1/returns", json=no_receipt(None))
    assert cash.status_code == 201, cash.text
    assert refunds_of(cash.json()) == [("cash", "5.10", None, None)]
    ((version, _),) = return_events(store)  # cash travels as it always did
    assert version < 5
    credit = await store.client.post(
        "/v1/returns", json=no_receipt({"kind": "store_credit"}, customer_id="C-7")
    )
    assert credit.status_code == 201, credit.text
    assert refunds_of(credit.json()) == [("store_credit", "5.10", None, "C-7")]
    assert credit.json()["refunds"][0]["tender_id"] is not None
    receipt = await store.client.get(f"/v1/returns/{credit.json()['return_id']}/receipt")
    assert "Store credit refund" in receipt.text and "Customer C-7" in receipt.text
    nobody = await store.client.post("/v1/returns", json=no_receipt({"kind": "store_credit"}))
    assert nobody.status_code == 422, nobody.text
    assert nobody.json()["error"] == "refund_tender_refused"
    card = await store.client.post("/v1/returns", json=no_receipt({"kind": "card"}))
    assert card.status_code == 422, card.text

    # a cashier: no store credit without a receipt unless a supervisor approves it
    await store.sign_in(staff_code=CASHIER)
    supervisor = {"X-Override-Staff-Code": SUPERVISOR, "X-Override-Pin": STAFF_PINS[SUPERVISOR]}
    alone = await store.client.post(
        "/v1/returns", json=no_receipt({"kind": "store_credit", "account": "C-7"})
    )
    assert alone.status_code == 403 and alone.json()["error"] == "not_permitted", alone.text
    approved = await store.client.post(
        "/v1/returns",
        json=no_receipt({"kind": "store_credit", "account": "C-7"}),
        headers=supervisor,
    )
    assert approved.status_code == 201, approved.text
    assert refunds_of(approved.json()) == [("store_credit", "5.10", None, "C-7")]


async def approved(store: Edge, body: JSON) -> str:
    """Ask HQ for a refund through the till, and let HQ's approval reach the node as the
    store's feed carries it (the hub's approval workflow: tests/workflows)."""
    asked = await store.client.post("/v1/refund-requests", json={**body, "requested_by": "9001"})
    assert asked.status_code == 201, asked.text
    request = asked.json()
    decision = RefundDecisionV1.model_validate(
        {key: request[key] for key in RefundDecisionV1.model_fields if key in request}
        | {"status": "approved", "decided_by": "hq-1"}
    )
    entry = FeedEntry(
        cursor="1", entity="refund_decision", key=request["request_id"], op="upsert",
        version=1, payload=decision.model_dump(mode="json"),
    )  # fmt: skip
    await store.runtime.write(lambda uow: apply_feed_entries([entry], uow, now=uow.now()))
    request_id: str = request["request_id"]
    return request_id


async def test_an_approved_refund_goes_back_to_the_original_tenders_or_store_credit(
    store: Edge,
) -> None:
    sale = await store.runtime.write(split_sale)
    request_id = await approved(
        store,
        {
            "till_id": "T1",
            "original_sale_id": str(sale.sale_id),
            "reason": "damaged in transit",
            "lines": [{"sku": "C", "quantity": 2, "original_line_no": 1}],
        },
    )
    made = await store.client.post(
        f"/v1/refund-requests/{request_id}/complete", json={"till_id": "T1"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["refund_request_id"] == request_id
    assert refunds_of(made.json()) == [
        ("card", "8.87", 1, None),
        ("gift_card", "4.43", 2, GIFT_CARD),
        ("store_credit", "2.22", 3, "C-100"),
        ("cash", "4.48", 4, None),
    ]

    # without a receipt: store credit, chosen when it is made, by whom the table allows
    no_receipt_id = await approved(store, no_receipt(None, customer_id="C-7"))
    await store.sign_in(staff_code=CASHIER)
    complete = {"till_id": "T1", "refund": {"kind": "store_credit"}}
    refused = await store.client.post(
        f"/v1/refund-requests/{no_receipt_id}/complete", json=complete
    )
    assert refused.status_code == 403 and refused.json()["error"] == "not_permitted"
    await store.sign_in(staff_code=SUPERVISOR)
    credited = await store.client.post(
        f"/v1/refund-requests/{no_receipt_id}/complete", json=complete
    )
    assert credited.status_code == 201, credited.text
    assert refunds_of(credited.json()) == [("store_credit", "5.10", None, "C-7")]
