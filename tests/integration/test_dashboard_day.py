"""The dashboard's business day on a real SQLite file, worked through the till API: two tills,
cash with change, a gift card spent alongside cash, a discount, a voided line, a no-sale and a
return. The day's figures equal the edge's own `GET /v1/reports/day` and the sum of the day's
Z reports (`GET /v1/z-reports`) to the penny; each sale goes to the cashier signed in at its
till; an empty day reads as zeros."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from edge.service.dashboard_day import ReadCache, day_documents, day_figures
from shared.clock import ManualClock
from tests.integration.test_tax_and_promotions import put_rate, taxed_catalogue
from tests.support import CASHIER, DEMO_START, MANAGER, Edge, Hub, close_edge, make_edge, money

DAY = date(2010, 12, 1)
GIFT = "gift_0001_10"
CARD_NUMBER = "6006491234567890"


@dataclass
class WorkedDay:
    edge: Edge
    z_reports: list[dict[str, Any]]


async def ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def sell(
    edge: Edge,
    till_id: str,
    lines: list[dict[str, Any]],
    tenders: list[dict[str, Any]],
    *,
    discount: str | None = None,
    void_first: bool = False,
) -> dict[str, Any]:
    cart_id = str(uuid.uuid4())
    cart = await ok(
        await edge.client.post(
            "/v1/carts", json={"cart_id": cart_id, "till_id": till_id, "lines": lines}
        )
    )
    if void_first:
        line_id = next(ln["line_id"] for ln in cart["lines"] if ln["sku"] == lines[0]["sku"])
        await ok(await edge.client.delete(f"/v1/carts/{cart_id}/lines/{line_id}"), 200)
    if discount is not None:
        body = {"kind": "percent", "value": discount, "reason": "loyal customer"}
        await ok(await edge.client.post(f"/v1/carts/{cart_id}/discount", json=body), 200)
    sold: dict[str, Any] = await ok(
        await edge.client.post(f"/v1/carts/{cart_id}/checkout", json={"tenders": tenders})
    )
    return sold


def later(edge: Edge, hours: int) -> None:
    clock = edge.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.set(DEMO_START + timedelta(hours=hours))


async def work_the_day(edge: Edge, *, close: bool) -> list[dict[str, Any]]:
    """T1 (the manager, from 08:00) and T2 (the cashier, from 09:00); closes both shifts when
    `close`, returning their Z reports."""
    first = await sell(
        edge, "T1", [{"sku": "A", "quantity": 3}, {"sku": "B", "quantity": 2}],
        [{"kind": "cash", "amount": "20.00"}],
    )  # fmt: skip
    await sell(
        edge, "T1", [{"sku": GIFT, "quantity": 1, "gift_card_number": CARD_NUMBER}],
        [{"kind": "cash", "amount": "10.00"}],
    )  # fmt: skip
    await edge.sync()  # the hub learns of the card before it is spent
    later(edge, 1)
    await sell(
        edge, "T1", [{"sku": "C", "quantity": 1}, {"sku": "A", "quantity": 1}],
        [{"kind": "gift_card", "amount": "5.00", "account": CARD_NUMBER},
         {"kind": "cash", "amount": "10.00"}],
        discount="10",
    )  # fmt: skip
    await sell(
        edge, "T1", [{"sku": "B", "quantity": 4}, {"sku": "C", "quantity": 1}],
        [{"kind": "cash", "amount": "10.00"}], void_first=True,
    )  # fmt: skip
    await ok(await edge.client.post("/v1/tills/T1/no-sale", json={}), 200)
    await ok(
        await edge.client.post(
            "/v1/returns",
            json={
                "till_id": "T1",
                "reason": "wrong size",
                "original_receipt_number": first["receipt_number"],
                "lines": [{"sku": "A", "quantity": 1, "original_line_no": 1}],
            },
        )
    )
    shift_t1 = (await ok(await edge.client.get("/v1/shifts/current?till_id=T1"), 200))["shift_id"]

    await edge.sign_in("T2", CASHIER)
    shift_t2 = (await ok(await edge.client.get("/v1/shifts/current?till_id=T2"), 200))["shift_id"]
    later(edge, 2)
    await sell(edge, "T2", [{"sku": "C", "quantity": 2}], [{"kind": "cash", "amount": "50.00"}])
    if not close:
        return []
    zs = [await ok(await edge.client.post(
        f"/v1/shifts/{shift_t2}/close", json={"counted_total": "130.00"}))]  # fmt: skip
    await edge.sign_in("T1", MANAGER, shift=False)
    zs.append(await ok(await edge.client.post(
        f"/v1/shifts/{shift_t1}/close", json={"counted_total": "140.00"})))  # fmt: skip
    return zs


@pytest.fixture
async def shop(sqlite_hub: Hub, tmp_path: Path) -> AsyncIterator[Edge]:
    await put_rate(sqlite_hub, "STD", "20")
    await sqlite_hub.create_store("store-1")
    await taxed_catalogue(sqlite_hub)
    await sqlite_hub.import_items({GIFT: "10.00"}, kind="gift_card")
    edge = await make_edge(tmp_path / "store-1.db", sqlite_hub, await sqlite_hub.token("store-1"))
    try:
        yield edge
    finally:
        await close_edge(edge)


def minor(text: object) -> int:
    return int(money(text) * 100)


async def figures(edge: Edge, day: date = DAY) -> Any:
    identity = edge.runtime.identity
    assert identity is not None
    return await edge.runtime.read(lambda uow: day_figures(day, uow, identity=identity))


async def test_the_days_figures_equal_the_days_report_and_the_sum_of_its_z_reports(
    shop: Edge,
) -> None:
    zs = await work_the_day(shop, close=True)
    day = await figures(shop)
    report = await ok(
        await shop.client.get("/v1/reports/day", params={"business_day": "2010-12-01"}), 200
    )

    assert (day.transactions, day.returns_count) == (report["sales"], report["returns"]) == (5, 1)
    assert day.net_sales_minor == minor(report["revenue"])
    assert -day.returns_minor == minor(report["returns_total"]) == 255
    assert day.units == report["units"]

    totals = [z["totals"] for z in zs]
    assert day.net_sales_minor == sum(minor(t["net_sales"]) for t in totals)
    assert day.discounts_minor == sum(minor(t["discounts"]) for t in totals) > 0
    assert day.voids_count == sum(t["voids_count"] for t in totals) == 1
    assert day.no_sales == sum(t["no_sales_count"] for t in totals) == 1
    z_tax: dict[Decimal, list[int]] = {}
    for t in totals:
        for rate in t["tax"]:
            got = z_tax.setdefault(money(rate["rate"]), [0, 0])
            got[0] += minor(rate["net"])
            got[1] += minor(rate["tax"])
    assert {r.rate: [r.net.minor, r.tax.minor] for r in day.tax} == z_tax
    z_tenders: dict[str, int] = {}
    for t in totals:
        for kind, amount in t["tenders"].items():
            z_tenders[kind] = z_tenders.get(kind, 0) + minor(amount)
        z_tenders["cash"] -= minor(t["change_given"])
    assert dict(day.tenders) == z_tenders
    assert set(z_tenders) == {"cash", "gift_card"}
    assert sum(amount for _, amount in day.tenders) == day.net_sales_minor


async def test_sales_go_to_the_cashier_signed_in_at_the_till_and_to_their_hour(
    shop: Edge,
) -> None:
    await work_the_day(shop, close=False)
    day = await figures(shop)
    by_code = {cashier.staff_code: cashier for cashier in day.cashiers}
    assert set(by_code) == {MANAGER, CASHIER}
    assert by_code[CASHIER].transactions == 1 and by_code[CASHIER].net_sales_minor == 2000
    assert by_code[MANAGER].transactions == 4
    assert (by_code[MANAGER].voids_count, by_code[MANAGER].no_sales) == (1, 1)
    assert by_code[MANAGER].voids_minor < 0
    assert sum(c.net_sales_minor for c in day.cashiers) == day.net_sales_minor
    hours = {hour.hour: hour for hour in day.hours if hour.transactions}
    assert {h: hours[h].transactions for h in hours} == {8: 2, 9: 2, 10: 1}
    assert sum(hour.net_sales_minor for hour in day.hours) == day.net_sales_minor
    assert day.top_items[0].sku == "C" and day.top_items[0].units == 4
    assert day.average_basket_minor == round(Decimal(day.net_sales_minor) / 5)

    identity = shop.runtime.identity
    assert identity is not None
    rows = await shop.runtime.read(lambda uow: day_documents(DAY, uow, identity=identity))
    assert [row.kind for row in rows].count("return") == 1
    assert sum(row.total_minor for row in rows) == day.net_sales_minor
    assert sum(sum(row.tenders.values()) for row in rows) == day.net_sales_minor
    assert {row.cashier_code for row in rows if row.till_id == "T2"} == {CASHIER}


async def test_a_day_without_trade_reads_as_zeros(shop: Edge) -> None:
    day = await figures(shop, DAY + timedelta(days=3))
    assert (day.transactions, day.net_sales_minor, day.units, day.voids_count) == (0, 0, 0, 0)
    assert day.average_basket_minor is None
    assert day.tenders == () and day.tax == () and day.top_items == () and day.cashiers == ()
    assert len(day.hours) == 24


async def test_a_kept_read_serves_while_nothing_is_written_and_a_sale_makes_it_fresh(
    shop: Edge,
) -> None:
    await work_the_day(shop, close=False)
    identity = shop.runtime.identity
    assert identity is not None
    cache = ReadCache()

    async def read() -> Any:
        return await shop.runtime.read(
            lambda uow: cache.read(
                ("figures", DAY), uow, lambda: day_figures(DAY, uow, identity=identity)
            )
        )

    first = await read()
    assert await read() is first and (cache.hits, cache.misses) == (1, 1)
    # A sale (any write of a use case) moves the node's position: the next read is fresh.
    await sell(shop, "T2", [{"sku": "A", "quantity": 1}], [{"kind": "cash", "amount": "20.00"}])
    after = await read()
    assert after is not first and cache.misses == 2
    assert after.totals.sales_count == first.totals.sales_count + 1
    assert after == await figures(shop)  # what a read without the cache gives
