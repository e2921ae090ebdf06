"""B2B orders at the till on a real SQLite file: submitted priced as the till sells, paid as
composed once HQ approved the cart, handed over once placed; HQ's word arrives as feed entries.

The edge here is enrolled and given its catalogue without a hub: HQ's side is its feed
entries, applied through `apply_feed_entries` exactly as the sync agent applies feed pages
and snapshot chunks, so these tests hold whatever state the hub's code is in.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlite_utils

from edge.api.app import create_app
from edge.bootstrap import EdgeRuntime, build_runtime
from edge.domain.node import NodeIdentity
from edge.service.feed import apply_feed_entries
from edge.settings import EdgeSettings
from sync.messages import (
    B2BCartSubmittedV1,
    B2BPaymentComposedV1,
    FeedEntry,
    RawEvent,
    SaleCompletedV2,
    SaleCompletedV3,
    SnapshotItem,
    parse_event,
)
from tests.support import DEMO_START, MANAGER, STAFF_PINS, TillSession, money, seed_staff

IDENTITY = NodeIdentity(
    store_id="store-1",
    node_id="node-1",
    node_name="till-1",
    store_name="store-1",
    timezone="Europe/London",
    currency="GBP",
)
ITEMS = [("A", 12), ("B", 7), ("C", 3)]
# A: 30.60 less 10 % = 27.54 (tax 4.59); B: 5.95 (tax 0.99); C: 30.00, zero-rated.
TOTAL = "63.49"
PLAN = [{"kind": "on_account", "amount": "50.00"}, {"kind": "cash", "amount": "13.49"}]


@dataclass
class Till:
    runtime: EdgeRuntime
    client: httpx.AsyncClient
    path: Path

    async def feed(self, *entries: FeedEntry | SnapshotItem) -> None:
        """HQ's word, applied as the sync agent applies a feed page (or a snapshot chunk)."""
        now = self.runtime.clock.now()
        await self.runtime.write(
            lambda uow: apply_feed_entries(list(entries), uow, now=now), durable=False
        )

    async def submit(self, **overrides: Any) -> dict[str, Any]:
        body = {
            "order_id": str(uuid.uuid4()),
            "till_id": "T1",
            "customer_id": "TRADE-42",
            "submitted_by": "cashier-7",
            "reference": "PO-1001",
            "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in ITEMS],
            **overrides,
        }
        response = await self.client.post("/v1/b2b-orders", json=body)
        assert response.status_code == 201, response.text
        order: dict[str, Any] = response.json()
        return order

    async def order(self, order_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/v1/b2b-orders/{order_id}")
        assert response.status_code == 200, response.text
        order: dict[str, Any] = response.json()
        return order

    async def pay(self, order_id: str, tenders: list[dict[str, str]]) -> httpx.Response:
        return await self.client.post(
            f"/v1/b2b-orders/{order_id}/payment",
            json={"composed_by": "cashier-7", "tenders": tenders},
        )

    async def complete(self, order_id: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            f"/v1/b2b-orders/{order_id}/complete", json={"till_id": "T1", **body}
        )


def catalogue() -> list[FeedEntry]:
    """A and B standard-rated (20 %), A 10 % off all of 1 December; C zero-rated; W unpriced."""
    entries: list[tuple[str, str, dict[str, Any]]] = [
        ("tax_rate", "STD", {"code": "STD", "rate": "20", "version": 1}),
        (
            "promotion",
            "XMAS",
            {
                "promotion_id": "XMAS",
                "name": "Christmas lights",
                "skus": ["A"],
                "percent_off": "10",
                "starts_at": "2010-12-01T00:00:00+00:00",
                "ends_at": "2010-12-02T00:00:00+00:00",
                "version": 1,
            },
        ),
    ]
    for sku, price, tax_code in [("A", "2.55", "STD"), ("B", "0.85", "STD"), ("C", "10.00", None)]:
        entries.append(
            ("product", sku, {"sku": sku, "description": f"item {sku}", "tax_code": tax_code})
        )
        entries.append(
            ("price", sku, {"sku": sku, "unit_price": price, "currency": "GBP", "version": 1})
        )
    entries.append(("product", "W", {"sku": "W", "description": "unpriced"}))
    return [
        FeedEntry(cursor=str(number), entity=entity, key=key, op="upsert", version=1, payload=body)
        for number, (entity, key, body) in enumerate(entries, start=1)
    ]


@pytest.fixture
async def till(tmp_path: Path) -> AsyncIterator[Till]:
    """An enrolled edge of store-1 with its catalogue, its API served in-process."""
    settings = EdgeSettings(
        database_path=tmp_path / "store-1.db",
        node_name=IDENTITY.node_name,
        clock_mode="manual",
        manual_clock_start=DEMO_START,
    )
    runtime = await build_runtime(settings)
    await runtime.write(lambda uow: uow.node.enrol(IDENTITY, "credential", DEMO_START))
    await runtime.adopt_identity(IDENTITY)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(runtime, run_agent=False)),
        base_url="http://127.0.0.1",
    )
    made = Till(runtime, client, settings.database_path)
    await made.feed(*catalogue())
    await seed_staff(runtime)
    client.auth = TillSession("T1", MANAGER, STAFF_PINS[MANAGER])
    shift = await client.post("/v1/shifts", json={"till_id": "T1", "float_total": "0"})
    assert shift.status_code == 201, shift.text  # a till sells inside an open shift
    try:
        yield made
    finally:
        await client.aclose()
        await runtime.stop()


def outbox(till: Till) -> list[dict[str, Any]]:
    """Read the edge's file directly, as an auditor would, not through our code."""
    database = sqlite_utils.Database(sqlite3.connect(f"file:{till.path}?mode=ro", uri=True))
    # The audit trail (sign-ins) is not what these tests are about.
    return list(database.query("SELECT * FROM outbox WHERE kind != 'audit.recorded' ORDER BY seq"))


def as_hub_reads_it(row: dict[str, Any]) -> Any:
    """The outbox row typed as the hub types it on arrival (sync.messages.parse_event)."""
    return parse_event(
        RawEvent(
            event_id=uuid.UUID(row["event_id"]),
            store_id=IDENTITY.store_id,
            node_id=IDENTITY.node_id,
            seq=row["seq"],
            schema_version=row["schema_version"],
            hlc=row["hlc"],
            occurred_at=datetime.fromisoformat(row["occurred_at"]),
            kind=row["kind"],
            payload=json.loads(row["payload"]),
        )
    ).payload


def submitted_cart(till: Till, order_id: str) -> dict[str, Any]:
    """The b2b.cart_submitted payload the till sent for `order_id`."""
    payloads = [json.loads(row["payload"]) for row in outbox(till)]
    return next(
        payload
        for row, payload in zip(outbox(till), payloads, strict=True)
        if row["kind"] == "b2b.cart_submitted" and payload["order_id"] == order_id
    )


def approval(
    cart: dict[str, Any], status: str, version: int, **fields: Any
) -> tuple[FeedEntry, SnapshotItem]:
    """HQ's state of the order of `cart` (a B2BCartSubmittedV1 payload) as a feed entry and as
    a snapshot item."""
    payload = {**cart, "status": status, **fields}
    return (
        FeedEntry(
            cursor=f"b2b-{version}",
            entity="b2b_approval",
            key=cart["order_id"],
            op="upsert",
            version=version,
            payload=payload,
        ),
        SnapshotItem(entity="b2b_approval", key=cart["order_id"], version=version, payload=payload),
    )


def entry(cart: dict[str, Any], status: str, version: int, **fields: Any) -> FeedEntry:
    return approval(cart, status, version, **fields)[0]


def priced(lines: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            line["sku"],
            line["quantity"],
            line["unit_price"],
            line["line_total"],
            line["price_version"],
            line["terms"],
        )
        for line in lines
    ]


async def test_a_b2b_cart_is_priced_as_the_till_prices_it_and_sent_to_hq_once(
    till: Till,
) -> None:
    order = await till.submit()
    cart = await till.client.post(
        "/v1/carts",
        json={"till_id": "T1", "lines": [{"sku": sku, "quantity": q} for sku, q in ITEMS]},
    )
    assert priced(order["lines"]) == priced(cart.json()["lines"])
    assert order["total"] == cart.json()["total"] == TOTAL
    assert (order["tax"], order["discount"]) == ("5.58", "3.06")
    assert order["lines"][0]["terms"]["promotion_id"] == "XMAS"
    assert (order["status"], order["heard_from_hub"], order["tenders"]) == (
        "cart_submitted",
        False,
        [],
    )

    (row,) = outbox(till)
    assert (row["kind"], row["schema_version"]) == ("b2b.cart_submitted", 1)
    sent = as_hub_reads_it(row)
    assert isinstance(sent, B2BCartSubmittedV1)
    assert (str(sent.order_id), sent.customer_id, sent.reference, sent.total) == (
        order["order_id"],
        "TRADE-42",
        "PO-1001",
        Decimal(TOTAL),
    )
    assert [(line.sku, line.quantity, str(line.line_total)) for line in sent.lines] == [
        (line["sku"], line["quantity"], line["line_total"]) for line in order["lines"]
    ]

    body = {
        "order_id": order["order_id"],
        "till_id": "T1",
        "customer_id": "TRADE-42",
        "submitted_by": "cashier-7",
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in ITEMS],
    }
    again = await till.client.post("/v1/b2b-orders", json=body)
    assert again.status_code == 200 and again.json() == order
    other = {**body, "lines": [{"sku": "A", "quantity": 13}]}
    reused = await till.client.post("/v1/b2b-orders", json=other)
    assert reused.status_code == 409 and reused.json()["error"] == "id_reused"
    assert len(outbox(till)) == 1


@pytest.mark.parametrize(
    ("sku", "quantity", "error"),
    [
        ("NOPE", 1, "unknown_sku"),
        ("W", 1, "unknown_sku"),
        ("A", 0, "invalid_quantity"),
        ("A", 2_000_000, "validation_error"),  # past shared.bounds.Quantity
    ],
)
async def test_a_line_the_till_would_refuse_is_refused_the_same_way(
    till: Till, sku: str, quantity: int, error: str
) -> None:
    line = {"sku": sku, "quantity": quantity}
    at_the_till = await till.client.post("/v1/carts", json={"till_id": "T1", "lines": [line]})
    for_hq = await till.client.post(
        "/v1/b2b-orders",
        json={"till_id": "T1", "customer_id": "TRADE-42", "submitted_by": "c7", "lines": [line]},
    )
    assert (
        (for_hq.status_code, for_hq.json()["error"])
        == (
            at_the_till.status_code,
            at_the_till.json()["error"],
        )
        == (404 if error == "unknown_sku" else 422, error)
    )
    assert outbox(till) == []


async def test_a_b2b_cart_gives_nothing_back(till: Till) -> None:
    refused = await till.client.post(
        "/v1/b2b-orders",
        json={
            "till_id": "T1",
            "customer_id": "TRADE-42",
            "submitted_by": "c7",
            "lines": [{"sku": "A", "quantity": 2}, {"sku": "C", "quantity": -1}],
        },
    )
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_quantity"
    assert outbox(till) == []


async def test_the_payment_is_composed_once_hq_approved_the_cart_and_again_after_a_rejection(
    till: Till,
) -> None:
    order_id = (await till.submit())["order_id"]
    cart = submitted_cart(till, order_id)
    early = await till.pay(order_id, PLAN)
    assert early.status_code == 409 and early.json()["error"] == "b2b_order_not_ready"
    assert "cart_submitted" in early.json()["detail"]

    await till.feed(entry(cart, "cart_approved", 1, cart_decided_by="hq-anna"))
    approved = await till.order(order_id)
    assert (approved["status"], approved["heard_from_hub"], approved["cart_decided_by"]) == (
        "cart_approved",
        True,
        "hq-anna",
    )
    short = await till.pay(order_id, [{"kind": "on_account", "amount": "50.00"}])
    assert short.status_code == 422 and short.json()["error"] == "payment_mismatch"
    zero = await till.pay(order_id, [*PLAN, {"kind": "cash", "amount": "0"}])
    assert zero.status_code == 422 and zero.json()["error"] == "invalid_tender"
    sub_penny = await till.pay(order_id, [{"kind": "on_account", "amount": "63.485"}])
    assert sub_penny.status_code == 422 and sub_penny.json()["error"] == "invalid_value"

    composed = await till.pay(order_id, PLAN)
    assert composed.status_code == 200, composed.text
    assert (composed.json()["status"], composed.json()["tenders"]) == ("payment_composed", PLAN)
    again = await till.pay(order_id, PLAN)
    assert again.status_code == 200 and again.json() == composed.json()
    other = await till.pay(order_id, [{"kind": "on_account", "amount": TOTAL}])
    assert other.status_code == 409 and other.json()["error"] == "b2b_order_not_ready"
    rows = outbox(till)
    assert [(row["kind"], row["schema_version"]) for row in rows] == [
        ("b2b.cart_submitted", 1),
        ("b2b.payment_composed", 1),
    ]
    sent = as_hub_reads_it(rows[1])
    assert isinstance(sent, B2BPaymentComposedV1)
    assert [(tender.kind, str(tender.amount)) for tender in sent.tenders] == [
        (tender["kind"], tender["amount"]) for tender in PLAN
    ]
    assert (str(sent.order_id), sent.total) == (order_id, Decimal(TOTAL))

    # HQ rejects the payment: the order is back at cart_approved, for another composition.
    await till.feed(entry(cart, "cart_approved", 3, payment_rejections=1, notes="too much"))
    rejected = await till.order(order_id)
    assert (rejected["status"], rejected["tenders"], rejected["payment_rejections"]) == (
        "cart_approved",
        [],
        1,
    )
    all_on_account = await till.pay(order_id, [{"kind": "on_account", "amount": TOTAL}])
    assert all_on_account.status_code == 200, all_on_account.text
    assert [row["kind"] for row in outbox(till)][-1] == "b2b.payment_composed"
    assert len(outbox(till)) == 3


async def test_a_placed_order_is_handed_over_as_a_sale_paid_as_hq_approved(till: Till) -> None:
    order = await till.submit()
    order_id = order["order_id"]
    cart = submitted_cart(till, order_id)
    await till.feed(entry(cart, "cart_approved", 1))
    assert (await till.pay(order_id, PLAN)).status_code == 200
    early = await till.complete(order_id, cash_tendered="20.00")
    assert early.status_code == 409 and early.json()["error"] == "b2b_order_not_ready"
    await till.feed(
        entry(
            cart,
            "placed",
            4,
            tenders=PLAN,
            composed_by="cashier-7",
            payment_decided_by="hq-anna",
            order_number="SO-2010-0001",
        )
    )
    short = await till.complete(order_id, cash_tendered="13.48")
    assert short.status_code == 422 and short.json()["error"] == "insufficient_tender"

    sale_id = str(uuid.uuid4())
    handed = await till.complete(order_id, cash_tendered="20.00", sale_id=sale_id)
    assert handed.status_code == 201, handed.text
    sale = handed.json()
    assert (sale["sale_id"], sale["b2b_order_id"], sale["receipt_number"]) == (
        sale_id,
        order_id,
        "T1-0000001",
    )
    assert (sale["total"], sale["change"], sale["tax"]) == (TOTAL, "6.51", order["tax"])
    assert [(t["kind"], t["amount"], t["tendered"], t["change"]) for t in sale["tenders"]] == [
        ("on_account", "50.00", "50.00", "0.00"),
        ("cash", "13.49", "20.00", "6.51"),
    ]
    assert priced(sale["lines"]) == priced(order["lines"])
    assert (sale["customer_id"], sale["external_reference"]) == ("TRADE-42", "SO-2010-0001")
    assert (sale["order"]["status"], sale["order"]["fulfilled_sale_id"]) == ("fulfilled", sale_id)

    row = outbox(till)[-1]
    assert (row["kind"], row["schema_version"]) == ("sale.completed", 3)
    sent = as_hub_reads_it(row)
    assert isinstance(sent, SaleCompletedV3)
    assert (str(sent.b2b_order_id), sent.total) == (order_id, Decimal(TOTAL))
    assert [(tender.kind, tender.change) for tender in sent.tenders] == [
        ("on_account", Decimal("0.00")),
        ("cash", Decimal("6.51")),
    ]

    again = await till.complete(order_id)
    assert again.status_code == 200 and again.json()["sale_id"] == sale_id
    assert len(outbox(till)) == 3
    read_back = (await till.client.get(f"/v1/sales/{sale_id}")).json()
    assert (read_back["b2b_order_id"], read_back["receipt_number"]) == (order_id, "T1-0000001")
    report = (
        await till.client.get("/v1/reports/day", params={"business_day": "2010-12-01"})
    ).json()
    assert (report["sales"], money(report["revenue"])) == (1, Decimal(TOTAL))

    # Ordinary sales stay at the version a hub not yet upgraded reads.
    cart_id = str(uuid.uuid4())
    await till.client.post(
        "/v1/carts",
        json={"cart_id": cart_id, "till_id": "T1", "lines": [{"sku": "A", "quantity": 1}]},
    )
    ordinary = await till.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "5"}]}
    )
    assert (ordinary.json()["receipt_number"], ordinary.json()["b2b_order_id"]) == (
        "T1-0000002",
        None,
    )
    row = outbox(till)[-1]
    assert (row["kind"], row["schema_version"]) == ("sale.completed", 2)
    assert type(as_hub_reads_it(row)) is SaleCompletedV2


async def test_the_feed_never_turns_an_order_back(till: Till) -> None:
    order_id = (await till.submit())["order_id"]
    cart = submitted_cart(till, order_id)
    placed = {"tenders": [{"kind": "on_account", "amount": TOTAL}], "order_number": "SO-7"}
    # One page whose entries came in commit order, not version order; then a stale entry.
    await till.feed(entry(cart, "placed", 5, **placed), entry(cart, "cart_approved", 2))
    await till.feed(entry(cart, "payment_composed", 3, tenders=placed["tenders"]))
    assert (await till.order(order_id))["status"] == "placed"

    handed = await till.complete(order_id)
    assert handed.status_code == 201, handed.text
    sale_id = handed.json()["sale_id"]
    # The hub has not ingested the handover yet (placed), then names another node's sale,
    # then lapses the order: the goods have gone, the order stays handed over here.
    another_nodes_sale = str(uuid.uuid4())
    for version, status, fields in [
        (6, "placed", {}),
        (7, "fulfilled", {"fulfilled_sale_id": another_nodes_sale}),
        (8, "lapsed", {"notes": "not handed over in time"}),
    ]:
        await till.feed(entry(cart, status, version, **placed, **fields))
        held = await till.order(order_id)
        assert (held["status"], held["fulfilled_sale_id"]) == ("fulfilled", sale_id)
    assert held["notes"] == "not handed over in time"
    assert (await till.complete(order_id)).status_code == 200
    assert (await till.client.get("/v1/b2b-orders", params={"status": "fulfilled"})).json()[0][
        "order_id"
    ] == order_id


async def test_an_order_submitted_at_another_node_arrives_by_snapshot_and_is_handed_over_here(
    till: Till,
) -> None:
    elsewhere = str(uuid.uuid4())
    cart: dict[str, Any] = {
        "order_id": elsewhere,
        "till_id": "T9",
        "customer_id": "TRADE-7",
        "submitted_by": "cashier-2",
        "currency": "GBP",
        "total": "20.00",
        "lines": [
            {"line_no": 1, "sku": "C", "quantity": 2, "unit_price": "10.00", "line_total": "20.00"}
        ],
        "business_time": "2010-12-01T07:30:00+00:00",
    }
    all_on_account = [{"kind": "on_account", "amount": "20.00"}]
    _, snapshot_item = approval(cart, "placed", 4, tenders=all_on_account, order_number="SO-9")
    await till.feed(snapshot_item)
    (listed,) = (await till.client.get("/v1/b2b-orders", params={"status": "placed"})).json()
    assert (listed["order_id"], listed["till_id"], listed["heard_from_hub"]) == (
        elsewhere,
        "T9",
        True,
    )
    no_cash_due = await till.complete(elsewhere, cash_tendered="5.00")
    assert no_cash_due.status_code == 422 and no_cash_due.json()["error"] == "invalid_tender"
    handed = await till.complete(elsewhere)
    assert handed.status_code == 201, handed.text
    assert [(t["kind"], t["amount"], t["change"]) for t in handed.json()["tenders"]] == [
        ("on_account", "20.00", "0.00")
    ]
    assert [row["kind"] for row in outbox(till)] == ["sale.completed"]

    finished_elsewhere = {**cart, "order_id": str(uuid.uuid4())}
    await till.feed(
        entry(finished_elsewhere, "fulfilled", 6, tenders=all_on_account, order_number="SO-10")
    )
    gone = await till.complete(finished_elsewhere["order_id"])
    assert gone.status_code == 409 and gone.json()["error"] == "b2b_order_not_ready"
    assert "fulfilled" in gone.json()["detail"]
    missing = await till.client.get(f"/v1/b2b-orders/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["error"] == "b2b_order_not_found"
