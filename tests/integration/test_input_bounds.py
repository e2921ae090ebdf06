"""Values out of bounds are a 422 with our error body where they enter, on both hub databases,
and nothing is recorded: the probe's NULs, exponents and huge numbers (issue 12, defects 3, 5,
6 and 11)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlite_utils

from tests.support import Edge, Hub, make_hub

HUGE = 2**70


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def hub_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated PostgreSQL database of its own, then an embedded SQLite file."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
async def any_hub(hub_url: str) -> AsyncIterator[Hub]:
    """A hub on PostgreSQL, then one on SQLite."""
    made = await make_hub(hub_url)
    try:
        yield made
    finally:
        await made.client.aclose()
        await made.runtime.stop()


def refused(response: httpx.Response) -> str:
    """The detail of a 422 in our error body; fails on anything else."""
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "detail"}, body
    assert body["error"] == "validation_error", body
    return str(body["detail"])


def outbox_kinds(edge: Edge) -> list[str]:
    database = sqlite_utils.Database(sqlite3.connect(f"file:{edge.path}?mode=ro", uri=True))
    return [row["kind"] for row in database.query("SELECT kind FROM outbox ORDER BY seq")]


async def open_cart(edge: Edge, **fields: object) -> str:
    cart_id = str(uuid.uuid4())
    response = await edge.client.post(
        "/v1/carts",
        json={"cart_id": cart_id, "till_id": "T1", "lines": [{"sku": "A", "quantity": 1}]} | fields,
    )
    assert response.status_code == 201, response.text
    return cart_id


async def test_a_till_refuses_text_a_postgresql_hub_cannot_store(store: Edge, hub: Hub) -> None:
    # Given a till whose hub is on PostgreSQL, and what it has already sold
    await store.sell([("A", 1)])
    before = outbox_kinds(store)
    # When a till sends a NUL in a customer id, an external reference, a return's or a cash
    # movement's reason, or a customer's field
    refused(
        await store.client.post(
            "/v1/carts", json={"till_id": "T1", "customer_id": "C\x001", "lines": []}
        )
    )
    cart_id = await open_cart(store)
    refused(
        await store.client.post(
            f"/v1/carts/{cart_id}/checkout",
            json={"tenders": [{"amount": "10.00"}], "external_reference": "PO\x00-1"},
        )
    )
    refused(
        await store.client.post(
            "/v1/cash-movements",
            json={"till_id": "T1", "kind": "paid_out", "amount": "1.00", "reason": "tip\x00"},
        )
    )
    refused(
        await store.client.post(
            "/v1/returns",
            json={
                "till_id": "T1",
                "reason": "faulty\x00",
                "lines": [{"sku": "A", "quantity": 1, "unit_price": "2.55"}],
            },
        )
    )
    refused(
        await store.client.put(
            "/v1/records/customer/C-1", json={"fields": {"name": "Ann\x00Smith"}}
        )
    )
    # Then each is a 422 in our error body, nothing reaches the outbox, and the till still sells
    assert outbox_kinds(store) == before
    sold = await store.client.post(
        f"/v1/carts/{cart_id}/checkout", json={"tenders": [{"amount": "10.00"}]}
    )
    assert sold.status_code == 201, sold.text
    assert (await store.sync())["outbox"]["pending"] == 0
    assert [row["invoices"] for row in await hub.report()] == [2]


async def test_a_till_refuses_a_price_override_in_exponent_notation(store: Edge) -> None:
    cart_id = await open_cart(store)
    for price in ["1e-999999999", "1E+999999999", "NaN", "Infinity", "0.0000001"]:
        detail = refused(
            await store.client.post(
                f"/v1/carts/{cart_id}/lines",
                json={"lines": [{"sku": "A", "quantity": 1, "unit_price": price}]},
            )
        )
        assert "decimal string" in detail
    cart = (await store.client.get(f"/v1/carts/{cart_id}")).json()
    assert [Decimal(line["unit_price"]) for line in cart["lines"]] == [Decimal("2.55")]


async def test_a_till_refuses_a_line_or_a_cart_beyond_the_most_a_sale_may_hold(
    store: Edge,
) -> None:
    cart_id = await open_cart(store)
    too_much = await store.client.post(
        f"/v1/carts/{cart_id}/lines",
        json={"lines": [{"sku": "A", "quantity": 1_000_000, "unit_price": "10000000"}]},
    )
    assert too_much.status_code == 422 and too_much.json()["error"] == "invalid_price"
    # Below that bound the store's own caps (shared.till_limits) apply: tests/integration/
    # test_till_limits.py holds them at and past their bounds.
    refused(
        await store.client.post(
            f"/v1/carts/{cart_id}/lines",
            json={"lines": [{"sku": "A", "quantity": 1_000_001}]},
        )
    )


async def test_catalogue_prices_past_the_bounds_are_refused_on_both_databases(
    any_hub: Hub,
) -> None:
    for price in ["1E+999999999", "1e13", "10000000000000", "10000000.01", "0.0000001"]:
        detail = refused(
            await any_hub.client.post(
                "/v1/catalogue/import",
                json={"items": [{"sku": "A", "unit_price": price, "currency": "GBP"}]},
                headers=any_hub.admin,
            )
        )
        assert "price" in detail
    # The bound itself is stored and published exactly
    await any_hub.import_items({"A": "10000000", "B": "0.000001"})
    await any_hub.create_store("store-1")
    feed = await any_hub.client.get("/v1/stores", headers=any_hub.admin)
    assert feed.status_code == 200


async def test_huge_numbers_in_hub_queries_and_bodies_are_refused_on_both_databases(
    any_hub: Hub,
) -> None:
    await any_hub.create_store("store-1")
    for path in ["/v1/exceptions", "/v1/conflicts"]:
        refused(await any_hub.client.get(path, params={"after_id": HUGE}, headers=any_hub.admin))
        largest = await any_hub.client.get(
            path, params={"after_id": 2**63 - 1}, headers=any_hub.admin
        )
        assert largest.status_code == 200 and largest.json() == []
    for over in ["1" * 23, "1E+999999999", "1e3", "1000000000.001"]:
        refused(
            await any_hub.client.put(
                "/v1/stores/store-1/refund-policy",
                json={"approval_over": over},
                headers=any_hub.admin,
            )
        )
    policy = await any_hub.client.put(
        "/v1/stores/store-1/refund-policy",
        json={"approval_over": "1000000000"},
        headers=any_hub.admin,
    )
    assert policy.status_code == 200 and policy.json()["approval_over"] == "1000000000"
    for older in [1e30, 2**70, -1]:
        refused(
            await any_hub.client.post(
                "/v1/feed/compact", json={"older_than_s": older}, headers=any_hub.admin
            )
        )
    compacted = await any_hub.client.post(
        "/v1/feed/compact", json={"older_than_s": 100 * 365 * 24 * 3600}, headers=any_hub.admin
    )
    assert compacted.status_code == 200, compacted.text


async def test_huge_numbers_in_till_queries_are_refused(store: Edge) -> None:
    refused(
        await store.client.get("/v1/sales", params={"business_day": "2010-12-01", "offset": 2**63})
    )
    largest = await store.client.get(
        "/v1/sales", params={"business_day": "2010-12-01", "offset": 2**63 - 1}
    )
    assert largest.status_code == 200 and largest.json() == []
    refused(await store.client.get("/v1/conflicts", params={"after_id": HUGE}))
    assert (await store.client.get("/v1/conflicts", params={"after_id": 2**63 - 1})).json() == []


async def test_store_and_api_key_names_with_a_nul_are_refused_on_both_databases(
    any_hub: Hub,
) -> None:
    refused(
        await any_hub.client.post(
            "/v1/stores",
            json={
                "store_id": "store-9",
                "name": "North\x00",
                "timezone": "Europe/London",
                "currency": "GBP",
            },
            headers=any_hub.admin,
        )
    )
    refused(
        await any_hub.client.post(
            "/v1/api-keys", json={"name": "erp\x00", "scope": "erp"}, headers=any_hub.admin
        )
    )
    refused(
        await any_hub.client.post(
            "/v1/stores",
            json={
                "store_id": "store-9",
                "name": "North",
                "timezone": "Europe/\x00London",
                "currency": "GBP",
            },
            headers=any_hub.admin,
        )
    )
    stores = await any_hub.client.get("/v1/stores", headers=any_hub.admin)
    assert stores.json() == []
    keys = await any_hub.client.get("/v1/api-keys", headers=any_hub.admin)
    assert keys.json() == []
    # Names of every printable character, up to their length, are kept as they are
    made = await any_hub.client.post(
        "/v1/api-keys", json={"name": "Café ☕ " + "é" * 57, "scope": "erp"}, headers=any_hub.admin
    )
    assert made.status_code == 201 and made.json()["name"] == "Café ☕ " + "é" * 57


async def test_cursors_past_what_the_hub_issues_are_refused_on_both_databases(
    any_hub: Hub,
) -> None:
    for cursor in ["9223372036854775808-1", "99999999999999999999-1", "1-1\n"]:
        response = await any_hub.client.get(
            "/v1/erp/stock/movements", params={"cursor": cursor}, headers=any_hub.admin
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_cursor"
    await any_hub.create_store("store-1")
    token = await any_hub.token("store-1")
    enrolled = await any_hub.client.post(
        "/v1/sync/enrol", json={"protocol_version": 1, "token": token, "node_name": "till-pc"}
    )
    assert enrolled.status_code == 200, enrolled.text
    node = {"Authorization": f"Bearer {enrolled.json()['credential']}"}
    for after in ['["product", "A\\u0000"]', '["price", "A", "default\\u0001"]']:
        snapshot = await any_hub.client.get(
            "/v1/sync/snapshot", params={"after": after}, headers=node
        )
        assert snapshot.status_code == 422, snapshot.text
        assert snapshot.json()["error"] == "invalid_cursor"
