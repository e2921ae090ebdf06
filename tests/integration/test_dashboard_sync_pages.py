"""The dashboard's Sync, Stock, Approvals and Exceptions pages, read through the app as a
signed-in browser would: a real SQLite edge over an in-process SQLite hub, the hub cut off
where the point is that the pages work without it."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.card_payments import CardPayment
from edge.domain.documents import B2BLine, B2BOrder
from shared.clock import ManualClock
from shared.money import Money
from tests.dashboard_support import browser, counted_shop, figures, sign_in
from tests.support import SUPERVISOR, Edge, Hub

_VALUE = re.compile(r'data-figure="([^"]+)"[^>]*?data-value="([^"]*)"')


def values(html: str) -> dict[str, str]:
    """Every `data-figure="name" ... data-value="..."` of a page (counts, states, seconds)."""
    return dict(_VALUE.findall(html))


def levels_of(html: str) -> set[str]:
    """The stock-level figures of a Stock page (one per SKU listed)."""
    return {name for name in values(html) if name.startswith("stock-level")}


@pytest.fixture
async def shop(sqlite_hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    """store-1 with items A, B, C; HQ counts A 50 and B 3."""
    async with counted_shop(sqlite_hub, tmp_path / "store-1.db") as edge:
        yield edge


def advance(edge: Edge, by: timedelta) -> None:
    clock = edge.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.set(clock.now() + by)


async def test_the_sync_page_says_offline_and_shows_a_sale_waiting(shop: Edge) -> None:
    shop.link.online = False
    await shop.sell([("A", 2)])
    advance(shop, timedelta(minutes=3))
    assert shop.runtime.agent is not None
    await shop.runtime.agent.run_cycle(force=True)  # fails: HQ is out of reach
    requests_before = shop.link.requests
    async with browser(shop) as client:
        await sign_in(client, SUPERVISOR)
        page = await client.get("/dashboard/sync")
        panel = await client.get("/dashboard/sync/panel")
    assert page.status_code == 200, page.text
    found = values(page.text)
    assert found["sync-state"] == "offline"
    assert "Offline" in page.text  # in words, not only a colour
    # The sale and the dashboard sign-in's audit event wait: the figure GET /v1/status gives.
    status = (await shop.client.get("/v1/status")).json()
    assert status["outbox"]["pending"] == 2 and status["sync"]["online"] is False
    assert found["outbox-pending"] == "2"
    assert found["outbox-oldest-age-s"] == "180"  # the sale, written 3 minutes ago
    assert "3 min" in page.text
    assert 'hx-trigger="every 10s"' in page.text and 'hx-get="/dashboard/sync/panel"' in page.text
    assert "<svg" in page.text  # the day's outbox depth
    # The panel alone: no layout around it, the same figures.
    assert panel.status_code == 200 and "<h1" not in panel.text
    assert values(panel.text)["outbox-pending"] == "2"
    assert figures(page.text)["offline-till-max-T1"] == 50000
    assert shop.link.requests == requests_before  # the pages asked nothing of the hub

    shop.link.online = True
    await shop.sync()  # the backlog drains
    async with browser(shop) as client:
        await sign_in(client, SUPERVISOR)
        await shop.sync()  # and the sign-in's own audit event
        page = await client.get("/dashboard/sync/panel")
    assert values(page.text)["sync-state"] == "online"
    assert values(page.text)["outbox-pending"] == "0"


async def test_the_stock_page_searches_filters_low_and_pages(shop: Edge) -> None:
    shop.link.online = False
    await shop.sell([("A", 2), ("B", 1)])
    async with browser(shop) as client:
        await sign_in(client, SUPERVISOR)
        everything = await client.get("/dashboard/stock")
        low = await client.get("/dashboard/stock", params={"low": "1"})
        search = await client.get("/dashboard/stock", params={"q": "item a"})
        past_the_end = await client.get("/dashboard/stock", params={"page": "9"})
    assert everything.status_code == 200, everything.text
    levels = values(everything.text)
    assert (levels["stock-level-A"], levels["stock-level-B"], levels["stock-level-C"]) == (
        "48",
        "2",
        "",
    )
    assert "No count from HQ" in everything.text
    assert levels_of(low.text) == {"stock-level-B"}
    assert "Low" in low.text
    assert levels_of(search.text) == {"stock-level-A"}
    assert 'for="stock-q"' in everything.text  # the search field is labelled
    assert "No item matches." in past_the_end.text


async def test_the_approvals_page_lists_a_refund_waiting_on_hq(shop: Edge) -> None:
    shop.link.online = False
    response = await shop.client.post(
        "/v1/refund-requests",
        json={
            "request_id": str(uuid.uuid4()),
            "till_id": "T1",
            "requested_by": "9001",
            "reason": "damaged",
            "lines": [{"sku": "C", "quantity": 30}],
        },
    )
    assert response.status_code == 201, response.text
    now = shop.runtime.clock.now()
    order = B2BOrder(
        order_id=uuid.uuid4(),
        till_id="T1",
        customer_id="TRADE-9",
        submitted_by="9001",
        reference="PO-77",
        total=Money.of(Decimal("1020.00"), "GBP"),
        lines=(
            B2BLine(
                1, "A", "item A", 400, Decimal("2.55"), Money.of(Decimal("1020.00"), "GBP"), None
            ),
        ),  # fmt: skip
        business_time=now,
    )
    await shop.runtime.write(lambda uow: uow.b2b_orders.add(order))
    assert shop.runtime.agent is not None
    await shop.runtime.agent.run_cycle(force=True)  # the agent finds HQ out of reach
    async with browser(shop) as client:
        await sign_in(client, SUPERVISOR)
        page = await client.get("/dashboard/approvals")
    assert page.status_code == 200, page.text
    assert "Refund requests waiting on HQ: 1" in page.text
    assert figures(page.text)["refund-amount"] == 30000
    assert "B2B orders waiting on HQ: 1" in page.text and "PO-77" in page.text
    assert figures(page.text)["b2b-total"] == 102000
    assert "HQ is out of reach now" in page.text


async def test_the_exceptions_page_shows_a_declined_offline_card_and_what_to_do(
    shop: Edge,
) -> None:
    now = shop.runtime.clock.now()
    sale = await shop.sell([("A", 1)])

    def declined(uow: EdgeUnitOfWork) -> None:
        uow.card_payments.add(
            CardPayment(
                tender_id=uuid.uuid4(),
                operation="charge",
                till_id="T1",
                amount=Money.of(Decimal("42.00"), "GBP"),
                status="settled",
                outcome="declined",
                taken_at=now,
                document_id=uuid.UUID(sale["sale_id"]),
                tender_no=1,
                last4="4242",
                brand="visa",
            )
        )
        uow.stored_values.heard(
            "gift_card", "6280000000001234", Money.of(Decimal("-7.50"), "GBP"), now, False
        )

    await shop.runtime.write(declined)
    shop.link.online = False
    async with browser(shop) as client:
        await sign_in(client, SUPERVISOR)
        page = await client.get("/dashboard/exceptions")
    assert page.status_code == 200, page.text
    found = figures(page.text)
    assert found["declined-card"] == 4200 and found["overdraft"] == -750
    assert sale["receipt_number"] in page.text and "ending 4242" in page.text
    assert "Gift card ****1234" in page.text and "6280000000001234" not in page.text
    assert "Contact the customer" in page.text
    assert "2 items need the store's attention" in page.text


@pytest.mark.parametrize("path", ["/dashboard/sync", "/dashboard/sync/panel",
                                  "/dashboard/stock", "/dashboard/approvals",
                                  "/dashboard/exceptions"])  # fmt: skip
async def test_the_pages_need_a_signed_in_manager(shop: Edge, path: str) -> None:
    async with browser(shop) as client:
        response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dashboard/sign-in")
