"""Property: whatever a till accepts, a PostgreSQL hub stores and reports exactly (issue 12).

Sales, returns and cash movements with values across the bounds of shared.bounds (the largest
quantities, prices with every decimal place, the longest texts of any printable character) go
through a real edge (its API, its SQLite file, its outbox and sync agent) to a real PostgreSQL
hub; the hub's ledger must hold each one to the minor unit and byte for byte, and its report
must agree with the till's X report. Every example is within the bounds and the domain's rules,
so the till must accept it too.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from shared.bounds import MAX_AMOUNT, MAX_PRICE, MAX_QUANTITY
from tests.support import Edge, Hub

# Every character a till takes in single-line text: no controls (Cc), no lone surrogates (Cs).
PRINTABLE = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"])


def texts(longest: int, shortest: int = 1) -> st.SearchStrategy[str]:
    """Text of `shortest` to `longest` characters, often exactly `longest`."""
    return st.one_of(
        st.text(PRINTABLE, min_size=longest, max_size=longest),
        st.text(PRINTABLE, min_size=shortest, max_size=longest),
    )


@st.composite
def priced_lines(draw: st.DrawFn) -> tuple[int, Decimal]:
    """A quantity and a unit price (6 places) whose line stays inside a sale's bound."""
    quantity = draw(st.one_of(st.just(MAX_QUANTITY), st.integers(1, MAX_QUANTITY)))
    highest = min(MAX_PRICE, (MAX_AMOUNT / 2 / quantity).quantize(Decimal("0.000001")))
    price = draw(
        st.one_of(
            st.just(highest),
            st.decimals(min_value=0, max_value=highest, places=6),
        )
    )
    return quantity, price


sales = st.fixed_dictionaries(
    {
        "sku": texts(64),
        "description": texts(500),
        "catalogue": priced_lines(),
        "override": priced_lines(),
        "customer_id": texts(64),
        "external_reference": texts(64),
        "reason": texts(200),
        "cash": st.one_of(
            st.just(MAX_AMOUNT),
            st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2),
        ),
    }
)


async def _rows(dsn: str, query: str, *arguments: object) -> list[dict[str, Any]]:
    connection = await asyncpg.connect(dsn)
    try:
        return [dict(row) for row in await connection.fetch(query, *arguments)]
    finally:
        await connection.close()


def minor(amount: str) -> int:
    return int(Decimal(amount) * 100)


@pytest.mark.timeout(900)
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a second of I/O
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sale=sales)
async def test_what_a_till_accepts_a_postgresql_hub_stores_exactly(
    sale: dict[str, Any], store: Edge, hub: Hub, pg_url: str
) -> None:
    dsn = pg_url.replace("postgresql+asyncpg", "postgresql")
    (quantity, price), (override_quantity, override) = sale["catalogue"], sale["override"]
    # Given a product HQ imported with the longest SKU and description and the finest price
    imported = await hub.client.post(
        "/v1/catalogue/import",
        json={
            "items": [
                {
                    "sku": sale["sku"],
                    "description": sale["description"],
                    "unit_price": str(price),
                    "currency": "GBP",
                }
            ]
        },
        headers=hub.admin,
    )
    assert imported.status_code == 200, imported.text
    # and lifted the store's till limits (shared.till_limits) to the bounds themselves
    assert store.runtime.identity is not None
    lifted = await hub.client.put(
        f"/v1/stores/{store.runtime.identity.store_id}/till-limits",
        json={
            "refund_approval_over": "1000000000",
            "no_receipt_refund_over": "1000000000",
            "line_quantity_max": 1_000_000,
            "line_amount_max": "1000000000",
            "sale_total_max": "1000000000",
            "no_receipt_above_catalogue_price": True,
        },
        headers=hub.admin,
    )
    assert lifted.status_code == 200, lifted.text
    await store.sync()
    # When a till sells it with a price override beside it, takes a return, and moves cash
    cart_id = str(uuid.uuid4())
    opened = await store.client.post(
        "/v1/carts",
        json={
            "cart_id": cart_id,
            "till_id": "T1",
            "customer_id": sale["customer_id"],
            "lines": [
                {"sku": sale["sku"], "quantity": quantity},
                {
                    "sku": "A",
                    "quantity": override_quantity,
                    "unit_price": str(override),
                    "price_reason": "manager_discretion",
                },
            ],
        },
    )
    assert opened.status_code == 201, (opened.text, quantity, price, override_quantity, override)
    total = opened.json()["total"]
    checkout = await store.client.post(
        f"/v1/carts/{cart_id}/checkout",
        json={
            "tenders": [{"amount": total}] if Decimal(total) else [],
            "external_reference": sale["external_reference"],
        },
    )
    assert checkout.status_code == 201, checkout.text
    documents: list[dict[str, Any]] = [checkout.json()]
    returned = await store.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "reason": sale["reason"],
            "customer_id": sale["customer_id"],
            "lines": [{"sku": sale["sku"], "quantity": quantity, "unit_price": str(price)}],
        },
    )
    assert returned.status_code == 201, returned.text
    documents.append(returned.json())
    moved = await store.client.post(
        "/v1/cash-movements",
        json={
            "till_id": "T1",
            "kind": "paid_in",
            "amount": str(sale["cash"]),
            "reason": sale["reason"],
        },
    )
    assert moved.status_code == 201, moved.text
    status = await store.sync()
    # Then the hub holds each exactly, and nothing is quarantined
    assert status["outbox"]["pending"] == 0
    assert await _rows(dsn, "SELECT event_id FROM sync_event WHERE status <> 'applied'") == []
    for document in documents:
        document_id = uuid.UUID(document.get("sale_id") or document["return_id"])
        (held,) = await _rows(
            dsn,
            "SELECT kind, customer_id, external_reference, total_minor "
            "FROM sale_document WHERE document_id = $1",
            document_id,
        )
        sign = 1 if held["kind"] == "sale" else -1
        assert held["total_minor"] == sign * minor(document["total"])
        assert held["customer_id"] == sale["customer_id"]
        if held["kind"] == "sale":
            assert held["external_reference"] == sale["external_reference"]
        lines = await _rows(
            dsn,
            "SELECT sku, description, quantity, unit_price, line_total_minor "
            "FROM sale_line WHERE document_id = $1 ORDER BY line_no",
            document_id,
        )
        assert [
            (line["sku"], line["description"], line["quantity"], line["unit_price"])
            for line in lines
        ] == [
            (
                line["sku"],
                line["description"],
                sign * line["quantity"],
                Decimal(line["unit_price"]),
            )
            for line in document["lines"]
        ]
        assert [line["line_total_minor"] for line in lines] == [
            sign * minor(line["line_total"]) for line in document["lines"]
        ]
        assert lines[0]["sku"].encode() == sale["sku"].encode()
        assert lines[0]["description"].encode() == sale["description"].encode()
    (movement,) = await _rows(
        dsn,
        "SELECT amount_minor, reason FROM cash_movement WHERE movement_id = $1",
        uuid.UUID(moved.json()["movement_id"]),
    )
    # The till keeps a reason without its surrounding white space; the hub keeps the same
    assert movement["amount_minor"] == minor(str(sale["cash"]))
    assert movement["reason"].encode() == moved.json()["reason"].encode()
    assert movement["reason"] == sale["reason"].strip()
    # And the hub's report of the day is the till's X report, to the penny
    day = (await store.client.get("/v1/status")).json()["clock"][:10]
    till = (await store.client.get("/v1/reports/day", params={"business_day": day})).json()
    (row,) = await hub.report(group_by="day")
    assert (row["invoices"], Decimal(row["revenue"]), Decimal(row["returns"])) == (
        till["sales"] + till["returns"],
        Decimal(till["revenue"]),
        Decimal(till["returns_total"]),
    )


# Anything at all a careless or hostile till client might send: any character (controls and
# lone surrogates included), any decimal text (exponents, NaN, huge), any integer.
ANY_TEXT = st.text(st.characters(codec=None), max_size=80)
ANY_DECIMAL = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(places=8, min_value=-(10**14), max_value=10**14).map(str),
    st.integers(-(2**80), 2**80).map(str),
    st.sampled_from(["1e-999999999", "1E+999999999", "1e13", " 1", "+1", "١"]),
)
anything = st.fixed_dictionaries(
    {
        "customer_id": ANY_TEXT,
        "external_reference": ANY_TEXT,
        "quantity": st.one_of(st.integers(-(2**70), 2**70), st.integers(-10, 10)),
        "unit_price": ANY_DECIMAL,
        "amount": ANY_DECIMAL,
        "reason": ANY_TEXT,
    }
)


@pytest.mark.timeout(900)
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sent=anything)
async def test_whatever_a_till_accepts_of_anything_a_postgresql_hub_stores(
    sent: dict[str, Any], store: Edge, pg_url: str
) -> None:
    dsn = pg_url.replace("postgresql+asyncpg", "postgresql")
    # When a client sends anything at all to a till
    cart_id = str(uuid.uuid4())
    opened = await store.client.post(
        "/v1/carts",
        json={
            "cart_id": cart_id,
            "till_id": "T1",
            "customer_id": sent["customer_id"],
            "lines": [
                {
                    "sku": "A",
                    "quantity": sent["quantity"],
                    "unit_price": sent["unit_price"],
                    "price_reason": "manager_discretion",
                }
            ],
        },
    )
    sold = None
    if opened.status_code == 201:
        total = opened.json()["total"]
        checkout = await store.client.post(
            f"/v1/carts/{cart_id}/checkout",
            json={
                "tenders": [{"amount": total}] if Decimal(total) > 0 else [],
                "external_reference": sent["external_reference"],
            },
        )
        assert checkout.status_code in (201, 422), checkout.text
        sold = checkout.json() if checkout.status_code == 201 else None
    moved = await store.client.post(
        "/v1/cash-movements",
        json={
            "till_id": "T1",
            "kind": "paid_in",
            "amount": sent["amount"],
            "reason": sent["reason"],
        },
    )
    # Then the till either refuses it in our error body, or the hub holds it exactly
    for response in (opened, moved):
        assert response.status_code in (201, 422), response.text
        if response.status_code == 422:
            assert set(response.json()) == {"error", "detail"}
    status = await store.sync()
    assert status["outbox"]["pending"] == 0
    assert await _rows(dsn, "SELECT event_id FROM sync_event WHERE status <> 'applied'") == []
    if sold is not None:
        (held,) = await _rows(
            dsn,
            "SELECT customer_id, external_reference, total_minor FROM sale_document "
            "WHERE document_id = $1",
            uuid.UUID(sold["sale_id"]),
        )
        assert (held["customer_id"], held["external_reference"], held["total_minor"]) == (
            sent["customer_id"],
            sent["external_reference"],
            minor(sold["total"]),
        )
        (line,) = await _rows(
            dsn,
            "SELECT quantity, unit_price FROM sale_line WHERE document_id = $1",
            uuid.UUID(sold["sale_id"]),
        )
        assert (line["quantity"], line["unit_price"]) == (
            sent["quantity"],
            Decimal(sent["unit_price"]),
        )
    if moved.status_code == 201:
        (movement,) = await _rows(
            dsn,
            "SELECT amount_minor, reason FROM cash_movement WHERE movement_id = $1",
            uuid.UUID(moved.json()["movement_id"]),
        )
        assert (movement["amount_minor"], movement["reason"]) == (
            minor(moved.json()["amount"]),
            moved.json()["reason"],
        )
        assert Decimal(moved.json()["amount"]) == Decimal(sent["amount"])
