"""The dashboard's Sync, Stock, Approvals and Exceptions read models over a real edge file
(edge.service.dashboard_sync, dashboard_stock), and the outbox-depth sampler of the sync agent."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.card_payments import CardPayment
from edge.domain.documents import RefundRequest
from edge.domain.reports import DayCheck
from edge.service import dashboard_stock, dashboard_sync
from shared.clock import ManualClock
from shared.money import Money
from tests.dashboard_support import counted_shop
from tests.support import DEMO_START, Edge, Hub

DAY = date(2010, 12, 1)


@pytest.fixture
async def shop(sqlite_hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    """store-1 on a SQLite hub: items A, B, C; HQ counts A 50 and B 3 (C never counted)."""
    async with counted_shop(sqlite_hub, tmp_path / "store-1.db") as edge:
        yield edge


def link_of(edge: Edge) -> dashboard_sync.LinkState:
    assert edge.runtime.agent is not None
    status = edge.runtime.agent.status
    return dashboard_sync.LinkState(
        online=status.online,
        last_success_at=status.last_success_at,
        last_error=status.last_error,
        last_error_at=status.last_error_at,
        consecutive_failures=status.consecutive_failures,
        next_attempt_in_s=status.next_attempt_in_s,
        skew_ms=status.skew_ms,
        credential_rejected=status.credential_rejected,
    )


async def sync_view(edge: Edge) -> dashboard_sync.SyncView:
    identity = edge.runtime.identity
    assert identity is not None
    link = link_of(edge)
    return await edge.runtime.read(
        lambda uow: dashboard_sync.sync_view(uow, identity, link, day=DAY)
    )


def advance(edge: Edge, by: timedelta) -> None:
    clock = edge.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.set(clock.now() + by)


async def run_agent(edge: Edge) -> None:
    assert edge.runtime.agent is not None
    await edge.runtime.agent.run_cycle(force=True)


async def test_a_sale_made_offline_shows_as_pending_and_offline_then_drains(shop: Edge) -> None:
    shop.link.online = False
    await shop.sell([("A", 1)])
    advance(shop, timedelta(minutes=5))
    await run_agent(shop)

    view = await sync_view(shop)
    assert view.state == "offline"
    assert view.link.last_error is not None
    assert view.pending == 1
    assert view.oldest_age_s == 300  # written at 08:00, the node's clock now 08:05
    assert view.samples[-1].pending == 1 and not view.samples[-1].online

    shop.link.online = True
    advance(shop, timedelta(minutes=1))
    await run_agent(shop)
    view = await sync_view(shop)
    assert view.state == "online"
    assert view.pending == 0 and view.oldest_age_s is None
    assert view.link.skew_ms is not None  # measured at the push's handshake
    assert [(s.pending, s.online) for s in view.samples[-2:]] == [(1, False), (0, True)]


async def test_the_sampler_keeps_one_sample_a_minute_and_eight_days(shop: Edge) -> None:
    async def samples() -> int:
        return len(
            await shop.runtime.read(
                lambda uow: uow.dashboard_sync.samples_between(
                    DEMO_START - timedelta(days=30), DEMO_START + timedelta(days=30)
                )
            )
        )

    before = await samples()
    assert before >= 1  # the set-up's syncs were sampled
    await run_agent(shop)
    await run_agent(shop)
    assert await samples() == before  # the same minute: no new sample
    advance(shop, timedelta(seconds=61))
    await run_agent(shop)
    assert await samples() == before + 1
    advance(shop, timedelta(days=9))
    await run_agent(shop)
    assert await samples() == 1  # the older ones are gone; only the new one stays


async def test_offline_card_exposure_per_till_against_the_caps(shop: Edge) -> None:
    now = shop.runtime.clock.now()

    def take_offline(uow: EdgeUnitOfWork) -> None:
        for amount, hours in ((Decimal("80.00"), 1), (Decimal("60.00"), 20)):
            uow.card_payments.add(
                CardPayment(
                    tender_id=uuid.uuid4(),
                    operation="charge",
                    till_id="T2",
                    amount=Money.of(amount, "GBP"),
                    status="stored",
                    taken_at=now,
                    deadline=now + timedelta(hours=hours),
                )
            )

    await shop.runtime.write(take_offline)
    view = await sync_view(shop)
    by_till = {exposure.till_id: exposure for exposure in view.exposures}
    assert set(by_till) == {"T1", "T2"}  # T1 opened a shift; T2 took the cards
    t2 = by_till["T2"]
    assert (t2.outstanding_minor, t2.till_max_minor, t2.stored) == (14000, 50000, 2)
    assert t2.headroom_minor == 10000  # the per-card cap (100.00) is the lesser
    assert t2.oldest_deadline == now + timedelta(hours=1) and t2.urgent
    assert by_till["T1"].outstanding_minor == 0 and not by_till["T1"].urgent
    # The same figures as the till's own GET /v1/tills/T1/tenders.
    answer = (await shop.client.get("/v1/tills/T1/tenders")).json()
    assert Decimal(answer["outstanding"]) == Decimal(by_till["T1"].outstanding_minor) / 100
    assert Decimal(answer["headroom"]) == Decimal(by_till["T1"].headroom_minor) / 100


async def test_stock_is_hqs_count_less_what_sold_here_since(shop: Edge) -> None:
    identity = shop.runtime.identity
    assert identity is not None
    shop.link.online = False
    await shop.sell([("A", 2), ("B", 1)])

    async def view(query: str = "", low_only: bool = False) -> dashboard_stock.StockView:
        return await shop.runtime.read(
            lambda uow: dashboard_stock.stock_view(uow, identity, query=query, low_only=low_only)
        )

    returned = await shop.client.post(
        "/v1/returns",
        json={"till_id": "T1", "reason": "faulty", "lines": [{"sku": "A", "quantity": 1}]},
    )
    assert returned.status_code == 201, returned.text
    await shop.sell([("A", 1)])

    rows = {row.sku: row for row in (await view()).rows}
    # 2 + 1 sold, 1 returned: net 2, none of it at HQ yet
    assert (rows["A"].hq_on_hand, rows["A"].sold_since, rows["A"].level) == (50, 2, 48)
    assert (rows["B"].hq_on_hand, rows["B"].sold_since, rows["B"].level) == (3, 1, 2)
    assert rows["C"].hq_on_hand is None and rows["C"].level is None
    low = await view(low_only=True)
    assert [row.sku for row in low.rows] == ["B"] and low.threshold == 5
    assert [row.sku for row in (await view(query="item b")).rows] == ["B"]

    shop.link.online = True
    await shop.sync()  # the sale reaches HQ; HQ's count comes back down
    rows = {row.sku: row for row in (await view()).rows}
    assert (rows["A"].hq_on_hand, rows["A"].sold_since, rows["A"].level) == (48, 0, 48)
    assert (await shop.client.get("/v1/catalogue/A")).json()["on_hand"] == 48


async def test_stock_pages_hold_at_most_a_hundred_rows(shop: Edge) -> None:
    identity = shop.runtime.identity
    assert identity is not None
    first = await shop.runtime.read(
        lambda uow: dashboard_stock.stock_view(uow, identity, page_size=2)
    )
    second = await shop.runtime.read(
        lambda uow: dashboard_stock.stock_view(uow, identity, page_size=2, page=2)
    )
    capped = await shop.runtime.read(
        lambda uow: dashboard_stock.stock_view(uow, identity, page_size=1000)
    )
    assert [row.sku for row in first.rows] == ["A", "B"] and first.pages == 2
    assert [row.sku for row in second.rows] == ["C"] and second.total == 3
    assert capped.page_size == 100


async def test_exceptions_list_what_the_store_must_act_on(shop: Edge) -> None:
    now = shop.runtime.clock.now()
    sale = await shop.sell([("A", 1)])

    def trouble(uow: EdgeUnitOfWork) -> None:
        uow.card_payments.add(
            CardPayment(
                tender_id=uuid.uuid4(),
                operation="charge",
                till_id="T1",
                amount=Money.of(Decimal("42.00"), "GBP"),
                status="settled",
                outcome="declined",
                decline_code="insufficient_funds",
                taken_at=now,
                document_id=uuid.UUID(sale["sale_id"]),
                tender_no=1,
                settled_at=now + timedelta(hours=1),
            )
        )
        uow.stored_values.heard(
            "gift_card", "6280000000001234", Money.of(Decimal("-7.50"), "GBP"), now, False
        )
        uow.stored_values.heard(
            "gift_card", "6280000000009999", Money.of(Decimal("5.00"), "GBP"), now, False
        )
        uow.outbox.mark_quarantined([(1, "unknown SKU Z")])
        uow.integrity.record([DayCheck(DAY, 3, 1000, "abc", "mismatch", 2, 900, "abd", now)])

    await shop.runtime.write(trouble)
    view = await shop.runtime.read(dashboard_sync.exceptions_view)
    [card] = view.declined_cards
    assert (card.amount_minor, card.outcome, card.receipt_number) == (
        4200,
        "declined",
        sale["receipt_number"],
    )
    assert [(o.account, o.balance_minor) for o in view.overdrafts] == [("6280000000001234", -750)]
    assert [(q.seq, q.reason) for q in view.quarantined] == [(1, "unknown SKU Z")]
    assert [m.business_day for m in view.mismatches] == [DAY]
    assert view.count == 4


async def test_approvals_split_waiting_from_decided(shop: Edge) -> None:
    now = shop.runtime.clock.now()

    def request(amount: str) -> RefundRequest:
        return RefundRequest(
            request_id=uuid.uuid4(),
            till_id="T1",
            requested_by="1001",
            reason="damaged",
            amount=Money.of(Decimal(amount), "GBP"),
            original_sale_id=None,
            original_receipt_number=None,
            customer_id=None,
            lines=(),
            business_time=now,
        )

    waiting, decided = request("120.00"), request("300.00")

    def ask(uow: EdgeUnitOfWork) -> None:
        uow.refunds.add(waiting)
        uow.refunds.add(decided)
        held = uow.refunds.get(decided.request_id)
        assert held is not None
        uow.refunds.apply_decision(
            replace(held, status="approved", version=1, decided_by="hq-anna", decided_at=now)
        )

    await shop.runtime.write(ask)
    view = await shop.runtime.read(dashboard_stock.approvals_view)
    assert [r.request.request_id for r in view.refunds_waiting] == [waiting.request_id]
    [recent] = view.refunds_recent
    assert (recent.status, recent.decided_by) == ("approved", "hq-anna")
