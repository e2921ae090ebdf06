"""Card settlement: the hub's card money of a UTC day reconciled store by store against the
real acquirer process's settlement report, on a real PostgreSQL hub; a mismatch raises an
integrity alert for HQ, and the hub runs it for yesterday by itself."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from edge.payments.http_terminal import HttpPaymentTerminal
from edge.payments.port import idempotency_key
from shared.clock import ManualClock
from shared.money import Money
from tests.acquirer_support import AcquirerProcess, running_acquirer
from tests.integration.test_hub_sync import enrol, push
from tests.integration.test_sales_report_tenders import (
    refund,
    return_v5,
    sale_v5,
    tender,
    versioned,
)
from tests.support import Hub, event, make_hub

JSON = dict[str, Any]
DAY, NEXT_DAY = "2026-11-30", "2026-12-01"
VISA = "4242424242424242"


@pytest.fixture
async def acquirer(tmp_path: Path) -> AsyncIterator[AcquirerProcess]:
    """The acquirer on a driven clock, at 09:00 UTC of DAY."""
    async with running_acquirer(
        tmp_path / "acquirer", manual_clock=datetime.fromisoformat(f"{DAY}T09:00:00+00:00")
    ) as process:
        yield process


async def hub_with(pg_url: str, acquirer: AcquirerProcess, **settings: Any) -> Hub:
    hub = await make_hub(
        pg_url, acquirer_url=acquirer.url, acquirer_api_key=SecretStr(acquirer.api_key), **settings
    )
    await hub.import_items({"A": "12.00", "B": "10.00", "C": "5.00"})
    return hub


async def close(hub: Hub) -> None:
    await hub.client.aclose()
    await hub.runtime.stop()


class Till:
    """A store's till as far as settlement cares: it charges cards at the acquirer with the
    tender-derived key and reference, and uploads its documents to the hub."""

    def __init__(self, hub: Hub, node: dict[str, str], terminal: HttpPaymentTerminal) -> None:
        self.hub, self.node, self.terminal = hub, node, terminal
        self.seq = 0
        self.receipts = 0

    async def upload(self, kind: str, payload: JSON, version: int = 5) -> None:
        self.seq += 1
        body = versioned(event(self.node, self.seq, payload, kind), version)
        answer = await push(self.hub, self.node, [body])
        assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text

    def receipt(self) -> str:
        self.receipts += 1
        return f"T1-{self.receipts:07d}"

    async def charge(self, card_tender: JSON, reference_id: str, *, key: str | None = None) -> str:
        result = await self.terminal.charge(
            Money.of(card_tender["amount"], "GBP"),
            VISA,
            idempotency_key=key or idempotency_key(uuid.UUID(card_tender["tender_id"])),
            reference=f"{self.node['store_id']}/T1/{reference_id}",
        )
        assert result.success and result.transaction_id, result
        card_tender["card"]["transaction_id"] = result.transaction_id
        return result.transaction_id

    async def card_sale(self, sku: str, price: str, day: str, *, cash: str = "0") -> JSON:
        """A sale of one `sku` paid by card online (less `cash`), captured at the acquirer."""
        card_part = str(Money.of(price, "GBP").amount - Money.of(cash, "GBP").amount)
        tenders = [tender(1, "card", card_part)]
        if cash != "0":
            tenders.append(tender(2, "cash", cash))
        sale = sale_v5(self.receipt(), [(sku, 1, price)], tenders, day)
        await self.charge(tenders[0], sale["sale_id"])
        await self.upload("sale.completed", sale)
        return sale

    async def card_refund(self, sale: JSON, day: str) -> None:
        """Take the sale's line back, refunded to its card at the acquirer."""
        paid = sale["tenders"][0]
        refunded = refund(tender(1, "card", sale["lines"][0]["line_total"]), original=1)
        document = return_v5(f"R{self.receipt()}", sale, [refunded], day)
        result = await self.terminal.refund(
            paid["card"]["transaction_id"],
            Money.of(refunded["amount"], "GBP"),
            idempotency_key=idempotency_key(uuid.UUID(refunded["tender_id"]), "refund"),
        )
        assert result.success, result
        await self.upload("return.recorded", document)

    async def offline_card_sale_forwarded(self, sku: str, price: str, day: str) -> None:
        """A card taken offline (stored), forwarded later that day: captured then, and the
        hub told by `card.settled`."""
        stored = tender(1, "card", price)
        deadline = f"{day}T23:59:00+00:00"
        stored["card"] = {"status": "stored", "last4": "4242", "deadline": deadline}
        sale = sale_v5(self.receipt(), [(sku, 1, price)], [stored], day)
        await self.upload("sale.completed", sale)
        settled_at = f"{day}T18:00:00+00:00"
        transaction_id = await self.charge(stored, sale["sale_id"])
        await self.upload(
            "card.settled",
            {
                "tender_id": stored["tender_id"],
                "document_id": sale["sale_id"],
                "document_kind": "sale",
                "tender_no": 1,
                "till_id": "T1",
                "outcome": "captured",
                "amount": price,
                "currency": "GBP",
                "transaction_id": transaction_id,
                "taken_at": f"{day}T10:00:00+00:00",
                "deadline": deadline,
                "settled_at": settled_at,
            },
            version=1,
        )


async def till(hub: Hub, acquirer: AcquirerProcess, store_id: str) -> Till:
    node = await enrol(hub, store_id)
    return Till(hub, node, HttpPaymentTerminal(acquirer.url, acquirer.api_key, timeout_s=5.0))


async def reconcile(hub: Hub, day: str) -> list[JSON]:
    response = await hub.client.post(f"/v1/settlements/{day}/reconcile", headers=hub.admin)
    assert response.status_code == 200, response.text
    settlements: list[JSON] = response.json()["settlements"]
    return settlements


def figures(row: JSON) -> tuple[Any, ...]:
    return (
        row["store_id"],
        row["status"],
        row["hub"]["captured"],
        row["hub"]["refunded"],
        row["acquirer"]["captured"],
        row["acquirer"]["refunded"],
        row["difference"],
    )


async def test_hq_sees_each_store_days_card_money_matched_or_alerted(
    pg_url: str, acquirer: AcquirerProcess
) -> None:
    hub = await hub_with(pg_url, acquirer, run_workflow_worker=False)
    try:
        # Given store-1: a card sale refunded in full, a split card and cash sale, and a card
        # taken offline then forwarded, all on DAY; and a card sale on the next day.
        first = await till(hub, acquirer, "store-1")
        sold = await first.card_sale("A", "12.00", DAY)
        await first.card_sale("B", "10.00", DAY, cash="2.00")
        await first.offline_card_sale_forwarded("C", "5.00", DAY)
        await first.card_refund(sold, DAY)
        # store-2: one card sale the acquirer captured twice (a second key: a double charge).
        second = await till(hub, acquirer, "store-2")
        doubled = await second.card_sale("A", "12.00", DAY)
        await second.charge(dict(doubled["tenders"][0]), doubled["sale_id"], key="charge:again")
        await acquirer.drive_clock(datetime.fromisoformat(f"{NEXT_DAY}T09:00:00+00:00"))
        await first.card_sale("C", "5.00", NEXT_DAY)

        # When HQ reconciles DAY
        verdicts = await reconcile(hub, DAY)

        # Then store-1 matches to the penny and store-2 is 12.00 over, with an alert
        assert [figures(row) for row in verdicts] == [
            ("store-1", "matched", "25.00", "12.00", "25.00", "12.00", "0.00"),
            ("store-2", "mismatch", "12.00", "0.00", "24.00", "0.00", "12.00"),
        ]
        assert (verdicts[0]["hub"]["count"], verdicts[0]["acquirer"]["count"]) == (4, 4)
        alerts = (await hub.client.get("/v1/integrity/alerts", headers=hub.admin)).json()
        (alert,) = alerts
        assert (alert["store_id"], alert["node_id"], alert["business_day"]) == (
            "store-2",
            "acquirer",
            DAY,
        )
        assert (alert["edge"]["total_minor"], alert["hub"]["total_minor"]) == (2400, 1200)
        assert "hub captured 1200 refunded 0, acquirer captured 2400" in alert["details"]

        # Reconciling again changes nothing and raises no second alert
        assert [figures(row) for row in await reconcile(hub, DAY)] == [
            figures(row) for row in verdicts
        ]
        again = (await hub.client.get("/v1/integrity/alerts", headers=hub.admin)).json()
        assert len(again) == 1

        # The next day holds only its own card money
        assert [figures(row) for row in await reconcile(hub, NEXT_DAY)] == [
            ("store-1", "matched", "5.00", "0.00", "5.00", "0.00", "0.00")
        ]
        kept = await hub.client.get(
            "/v1/settlements", params={"status": "mismatch"}, headers=hub.admin
        )
        assert [(row["store_id"], row["day"]) for row in kept.json()["settlements"]] == [
            ("store-2", DAY)
        ]
        window = await hub.client.get(
            "/v1/settlements",
            params={"from": DAY, "to": NEXT_DAY, "store_id": "store-1"},
            headers=hub.admin,
        )
        assert [(row["day"], row["status"]) for row in window.json()["settlements"]] == [
            (DAY, "matched"),
            (NEXT_DAY, "matched"),
        ]

        # A day not yet begun is refused, whatever its year
        for ahead in ("2099-01-01", "9999-12-31"):
            refused = await hub.client.post(f"/v1/settlements/{ahead}/reconcile", headers=hub.admin)
            assert (refused.status_code, refused.json()["error"]) == (422, "invalid_request")

        # With the acquirer down, HQ is told and nothing kept changes
        acquirer.stop()
        refused = await hub.client.post(f"/v1/settlements/{DAY}/reconcile", headers=hub.admin)
        assert (refused.status_code, refused.json()["error"]) == (503, "acquirer_unavailable")
        after = await hub.client.get("/v1/settlements", headers=hub.admin)
        assert len(after.json()["settlements"]) == 3
    finally:
        await close(hub)


async def test_the_hub_reconciles_yesterday_by_itself_once_the_day_has_closed(
    pg_url: str, acquirer: AcquirerProcess
) -> None:
    # Given a card captured at the acquirer on DAY for a sale the hub never received
    terminal = HttpPaymentTerminal(acquirer.url, acquirer.api_key, timeout_s=5.0)
    lost = await terminal.charge(
        Money.of("7.50", "GBP"), VISA, idempotency_key="charge:lost", reference="store-1/T1/x"
    )
    assert lost.success
    clock = ManualClock(datetime.fromisoformat(f"{NEXT_DAY}T00:30:00+00:00"))
    hub = await hub_with(pg_url, acquirer, clock=clock)
    try:
        # The hub runs the daily reconciliation (it was started with the hub)
        scheduler = hub.runtime.settlement
        assert scheduler is not None
        await scheduler.stop()  # this test drives it by hand
        # Not before an hour past midnight UTC (the acquirer closes the day first)
        assert await scheduler.run_once() is None
        clock.set(datetime.fromisoformat(f"{NEXT_DAY}T01:30:00+00:00"))
        assert await scheduler.run_once() == datetime.fromisoformat(DAY).date()
        assert await scheduler.run_once() is None  # once a day
        kept = (await hub.client.get("/v1/settlements", headers=hub.admin)).json()
        assert [figures(row) for row in kept["settlements"]] == [
            ("store-1", "mismatch", "0.00", "0.00", "7.50", "0.00", "7.50")
        ]
        clock.set(clock.now() + timedelta(days=1))
        assert await scheduler.run_once() == datetime.fromisoformat(NEXT_DAY).date()
    finally:
        await close(hub)
