"""The till on a real SQLite file: sales, returns, retries, errors, the outbox beside every fact."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlite_utils

from tests.support import Edge, Hub, close_edge, make_edge, money


def outbox_rows(edge: Edge) -> list[dict[str, object]]:
    """Read the edge's file directly, as an auditor would, not through our code."""
    database = sqlite_utils.Database(sqlite3.connect(f"file:{edge.path}?mode=ro", uri=True))
    return list(
        database.query(
            "SELECT seq, kind, event_id FROM outbox WHERE kind != 'audit.recorded' ORDER BY seq"
        )
    )


async def test_a_sale_is_rung_up_scanned_tendered_and_written_with_its_outbox_event(
    store: Edge,
) -> None:
    cart_id = str(uuid.uuid4())
    opened = await store.client.post("/v1/carts", json={"cart_id": cart_id, "till_id": "T1"})
    assert opened.status_code == 201
    scanned = await store.client.post(
        f"/v1/carts/{cart_id}/lines", json={"lines": [{"sku": "A", "quantity": 6}]}
    )
    assert money(scanned.json()["total"]) == Decimal("15.30")
    scanned = await store.client.post(
        f"/v1/carts/{cart_id}/lines",
        json={
            "lines": [
                {"sku": "B", "quantity": 3, "unit_price": "0.79", "price_reason": "price_match"}
            ]
        },
    )
    assert money(scanned.json()["total"]) == Decimal("17.67")
    sale = (
        await store.client.post(
            f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"kind": "cash", "amount": "20"}]}
        )
    ).json()
    assert money(sale["total"]) == Decimal("17.67") and money(sale["change"]) == Decimal("2.33")
    assert sale["business_day"] == "2010-12-01"
    business_time = datetime.fromisoformat(sale["business_time"])
    assert business_time.utcoffset() == timedelta(0)  # Europe/London in winter is UTC+0
    assert [line["price_version"] for line in sale["lines"]] == [1, 1]
    assert [row["kind"] for row in outbox_rows(store)] == ["sale.completed"]


async def test_retried_requests_never_double_a_cart_a_line_a_sale_or_a_return(store: Edge) -> None:
    cart_id, line_id, return_id = (str(uuid.uuid4()) for _ in range(3))
    for expected in (201, 200):
        response = await store.client.post("/v1/carts", json={"cart_id": cart_id, "till_id": "T1"})
        assert response.status_code == expected
    for _ in range(2):
        response = await store.client.post(
            f"/v1/carts/{cart_id}/lines",
            json={"lines": [{"line_id": line_id, "sku": "C", "quantity": 1}]},
        )
        assert response.json()["line_count"] == 1
    first = await store.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "10"}]}
    )
    again = await store.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "10"}]}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["sale_id"] == again.json()["sale_id"]
    body = {
        "return_id": return_id,
        "till_id": "T1",
        "reason": "faulty",
        "lines": [{"sku": "C", "quantity": 1}],
    }
    assert (await store.client.post("/v1/returns", json=body)).status_code == 201
    assert (await store.client.post("/v1/returns", json=body)).status_code == 200
    assert [row["kind"] for row in outbox_rows(store)] == ["sale.completed", "return.recorded"]


async def test_outbox_seq_is_gap_free_even_when_a_checkout_fails(store: Edge) -> None:
    await store.sell([("A", 1)])
    cart_id = str(uuid.uuid4())
    await store.client.post(
        "/v1/carts",
        json={"cart_id": cart_id, "till_id": "T1", "lines": [{"sku": "C", "quantity": 2}]},
    )
    short = await store.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "5"}]}
    )
    assert short.status_code == 422 and short.json()["error"] == "insufficient_tender"
    await store.sell([("B", 2)])
    database = sqlite_utils.Database(sqlite3.connect(f"file:{store.path}?mode=ro", uri=True))
    seqs = [row["seq"] for row in database.query("SELECT seq FROM outbox ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))  # the sign-in's audit event first
    assert [row["kind"] for row in outbox_rows(store)] == ["sale.completed"] * 2


async def test_a_return_against_a_receipt_refunds_at_the_price_paid_and_only_once(
    store: Edge,
) -> None:
    sale = await store.sell([("A", 4)])
    body = {
        "till_id": "T1",
        "reason": "wrong size",
        "original_receipt_number": sale["receipt_number"],
        "lines": [{"sku": "A", "quantity": 3, "original_line_no": 1}],
    }
    refund = await store.client.post("/v1/returns", json=body)
    assert refund.status_code == 201 and money(refund.json()["total"]) == Decimal("7.65")
    too_many = await store.client.post("/v1/returns", json=body)
    assert too_many.status_code == 422 and too_many.json()["error"] == "return_exceeds_sale"


async def test_the_day_report_works_from_local_records(store: Edge) -> None:
    await store.sell([("A", 2), ("C", 1)])
    await store.client.post(
        "/v1/returns",
        json={"till_id": "T1", "reason": "faulty", "lines": [{"sku": "C", "quantity": 1}]},
    )
    report = (
        await store.client.get("/v1/reports/day", params={"business_day": "2010-12-01"})
    ).json()
    assert (report["sales"], report["returns"], report["lines"], report["units"]) == (1, 1, 3, 2)
    assert money(report["revenue"]) == Decimal("5.10") and money(
        report["returns_total"]
    ) == Decimal("10.00")


async def test_bad_requests_get_clear_errors(store: Edge) -> None:
    unknown = await store.client.post(
        "/v1/carts", json={"till_id": "T1", "lines": [{"sku": "NOPE", "quantity": 1}]}
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_sku"
    floats = await store.client.post(
        "/v1/carts",
        json={"till_id": "T1", "lines": [{"sku": "A", "quantity": 1, "unit_price": 2.5}]},
    )
    assert floats.status_code == 422 and "decimal strings" in floats.json()["detail"]
    missing = await store.client.post(f"/v1/carts/{uuid.uuid4()}/checkout", json={})
    assert missing.status_code == 404 and missing.json()["error"] == "cart_not_found"
    backwards = await store.client.put("/v1/clock", json={"now": "2010-11-30T12:00:00+00:00"})
    assert backwards.status_code == 422
    assert outbox_rows(store) == []


async def test_a_voided_cart_sells_nothing(store: Edge) -> None:
    cart_id = str(uuid.uuid4())
    await store.client.post(
        "/v1/carts",
        json={"cart_id": cart_id, "till_id": "T1", "lines": [{"sku": "A", "quantity": 1}]},
    )
    assert (await store.client.post(f"/v1/carts/{cart_id}/void")).json()["status"] == "voided"
    closed = await store.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "5"}]}
    )
    assert closed.status_code == 409 and closed.json()["error"] == "cart_closed"
    assert outbox_rows(store) == []


async def open_with(store: Edge, sku: str, quantity: int = 1) -> str:
    cart_id = str(uuid.uuid4())
    opened = await store.client.post(
        "/v1/carts",
        json={"cart_id": cart_id, "till_id": "T1", "lines": [{"sku": sku, "quantity": quantity}]},
    )
    assert opened.status_code == 201, opened.text
    return cart_id


async def test_tenders_must_be_positive_and_exact_to_the_penny(store: Edge) -> None:
    cart_id = await open_with(store, "A")
    negative = await store.client.post(
        f"/v1/carts/{cart_id}/checkout",
        json={"tenders": [{"amount": "10.00"}, {"amount": "-5.00"}]},
    )
    assert negative.status_code == 422 and negative.json()["error"] == "invalid_tender"
    sub_penny = await store.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "2.555"}]}
    )
    assert sub_penny.status_code == 422 and sub_penny.json()["error"] == "invalid_value"
    assert outbox_rows(store) == []


async def test_an_item_without_a_price_sells_only_with_a_price_entered(
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
    look_up = (await store.client.get("/v1/catalogue/W")).json()
    assert look_up["unit_price"] is None
    refused = await store.client.post(
        "/v1/carts", json={"till_id": "T1", "lines": [{"sku": "W", "quantity": 1}]}
    )
    assert refused.status_code == 404 and "has no price" in refused.json()["detail"]
    priced = await store.client.post(
        "/v1/carts",
        json={"till_id": "T1", "lines": [{"sku": "W", "quantity": 2, "unit_price": "4.50"}]},
    )
    assert priced.status_code == 201 and money(priced.json()["total"]) == Decimal("9.00")


async def test_an_id_sent_again_for_different_goods_is_refused_not_taken_as_a_retry(
    store: Edge,
) -> None:
    return_id = str(uuid.uuid4())
    body = {
        "return_id": return_id,
        "till_id": "T1",
        "reason": "faulty",
        "lines": [{"sku": "A", "quantity": 1}],
    }
    first = await store.client.post("/v1/returns", json=body)
    assert first.status_code == 201
    other = {**body, "lines": [{"sku": "C", "quantity": 5}]}
    refused = await store.client.post("/v1/returns", json=other)
    assert refused.status_code == 409 and refused.json()["error"] == "id_reused"
    read_back = await store.client.get(f"/v1/returns/{return_id}")
    assert read_back.status_code == 200 and read_back.json()["lines"][0]["sku"] == "A"
    cart_id, line_id = str(uuid.uuid4()), str(uuid.uuid4())
    await store.client.post("/v1/carts", json={"cart_id": cart_id, "till_id": "T1"})
    scan = {"lines": [{"line_id": line_id, "sku": "A", "quantity": 1}]}
    assert (await store.client.post(f"/v1/carts/{cart_id}/lines", json=scan)).status_code == 201
    assert (await store.client.post(f"/v1/carts/{cart_id}/lines", json=scan)).status_code == 200
    changed = {"lines": [{"line_id": line_id, "sku": "A", "quantity": 9}]}
    assert (await store.client.post(f"/v1/carts/{cart_id}/lines", json=changed)).status_code == 409
    twice = {"lines": [{"line_id": str(uuid.uuid4()), "sku": "A", "quantity": 1}] * 2}
    assert (await store.client.post(f"/v1/carts/{cart_id}/lines", json=twice)).status_code == 409


async def test_catalogue_search_takes_wildcards_literally(hub: Hub, store: Edge) -> None:
    await hub.import_items({"50%OFF": "1.00", "500FF": "1.00"})
    await store.sync()
    found = (await store.client.get("/v1/catalogue", params={"q": "%"})).json()
    assert [item["sku"] for item in found] == ["50%OFF"]


async def test_business_time_and_day_are_the_stores_local_ones(hub: Hub, tmp_path: Path) -> None:
    response = await hub.client.post(
        "/v1/stores",
        json={
            "store_id": "store-la",
            "name": "Los Angeles",
            "timezone": "America/Los_Angeles",
            "currency": "USD",
        },
        headers=hub.admin,
    )
    assert response.status_code == 201, response.text
    imported = await hub.client.post(
        "/v1/catalogue/import",
        json={"items": [{"sku": "A", "unit_price": "2.55", "currency": "USD"}]},
        headers=hub.admin,
    )
    assert imported.status_code == 200, imported.text
    edge = await make_edge(tmp_path / "la.db", hub, await hub.token("store-la"))
    try:
        # 03:00 UTC on 2 December is 19:00 on 1 December in Los Angeles (UTC-8 in winter).
        await edge.client.put("/v1/clock", json={"now": "2010-12-02T03:00:00+00:00"})
        sale = await edge.sell([("A", 1)])
        assert sale["business_day"] == "2010-12-01"
        local = datetime.fromisoformat(str(sale["business_time"]))
        assert local.utcoffset() == timedelta(hours=-8) and local.hour == 19
        assert sale["currency"] == "USD"
    finally:
        await close_edge(edge)
