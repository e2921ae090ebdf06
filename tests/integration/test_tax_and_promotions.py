"""Tax rates and promotions: set at HQ only, versioned, reaching every till through the feed
and new tills through the snapshot; each sale line records the versions it was priced with."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from migrations.runner import alembic_config
from shared.clock import ManualClock
from sync import messages
from tests.support import Edge, Hub, close_edge, make_edge

DAY = "2010-12-01"


async def put_rate(hub: Hub, code: str, rate: str) -> dict[str, Any]:
    response = await hub.client.put(f"/v1/tax-rates/{code}", json={"rate": rate}, headers=hub.admin)
    assert response.status_code == 200, response.text
    tax_rate: dict[str, Any] = response.json()
    return tax_rate


async def put_promotion(hub: Hub, promotion_id: str, **body: Any) -> dict[str, Any]:
    body = {
        "name": "Christmas lights",
        "skus": ["A"],
        "percent_off": "10",
        "starts_at": f"{DAY}T00:00:00+00:00",
        "ends_at": "2010-12-02T00:00:00+00:00",
        **body,
    }
    response = await hub.client.put(f"/v1/promotions/{promotion_id}", json=body, headers=hub.admin)
    assert response.status_code == 200, response.text
    promotion: dict[str, Any] = response.json()
    return promotion


async def taxed_catalogue(hub: Hub) -> None:
    """A standard-rated 'A' and 'B', a zero-rated 'C' (no tax code)."""
    response = await hub.client.post(
        "/v1/catalogue/import",
        json={
            "items": [
                {"sku": sku, "unit_price": price, "currency": "GBP", "tax_code": code}
                for sku, price, code in [
                    ("A", "2.55", "STD"),
                    ("B", "0.85", "STD"),
                    ("C", "10.00", None),
                ]
            ]
        },
        headers=hub.admin,
    )
    assert response.status_code == 200, response.text


def line(sale: dict[str, Any], sku: str) -> dict[str, Any]:
    return next(item for item in sale["lines"] if item["sku"] == sku)


async def test_a_till_prices_lines_with_the_hubs_tax_and_promotion_and_records_their_versions(
    hub: Hub, store: Edge
) -> None:
    assert (await put_rate(hub, "STD", "20"))["version"] == 1
    await taxed_catalogue(hub)
    await put_promotion(hub, "XMAS")
    await store.sync()

    looked_up = (await store.client.get("/v1/catalogue/A")).json()
    assert (looked_up["tax_rate"], looked_up["promotion_id"], looked_up["percent_off"]) == (
        "20",
        "XMAS",
        "10",
    )
    sale = await store.sell([("A", 3), ("B", 2), ("C", 1)])
    a = line(sale, "A")
    # 3 x 2.55 = 7.65, 10 % off = 0.765 -> 0.77 (HALF_UP), 6.88 paid; VAT in it 6.88 / 6 = 1.1467.
    assert a["line_total"] == "6.88"
    assert a["terms"] == {
        "discount": "0.77",
        "promotion_id": "XMAS",
        "promotion_version": 1,
        "tax": "1.15",
        "tax_code": "STD",
        "tax_rate": "20",
        "tax_version": 1,
    }
    assert line(sale, "B")["terms"]["discount"] == "0.00"  # not on promotion, still taxed
    assert line(sale, "B")["terms"]["tax"] == "0.28"  # 1.70 / 6 = 0.2833
    assert line(sale, "C")["terms"] is None  # no tax code, no promotion
    assert (sale["total"], sale["tax"], sale["discount"]) == ("18.58", "1.43", "0.77")

    # HQ raises the rate: the next sale records version 2, the first keeps version 1.
    assert (await put_rate(hub, "STD", "17.5"))["version"] == 2
    assert (await put_rate(hub, "STD", "17.5"))["changed"] is False  # a repeat publishes nothing
    await store.sync()
    later = await store.sell([("B", 2)])
    assert (line(later, "B")["terms"]["tax_version"], line(later, "B")["terms"]["tax"]) == (
        2,
        "0.25",  # 1.70 x 17.5 / 117.5 = 0.2532
    )
    again = (await store.client.get(f"/v1/sales/{sale['sale_id']}")).json()
    assert line(again, "A")["terms"]["tax_version"] == 1

    await store.sync()
    (row,) = await hub.report()
    assert (row["revenue"], row["tax"], row["discounts"]) == ("20.28", "1.68", "0.77")


async def test_a_promotion_applies_only_while_in_force_and_never_to_an_override(
    hub: Hub, store: Edge
) -> None:
    await put_promotion(hub, "XMAS", percent_off="10")
    await put_promotion(hub, "BETTER", percent_off="25", name="Doorbuster")
    await store.sync()
    cart_id = str(uuid.uuid4())
    response = await store.client.post(
        "/v1/carts",
        json={
            "cart_id": cart_id,
            "till_id": "T1",
            "lines": [
                {"sku": "A", "quantity": 4},
                {"sku": "A", "quantity": 1, "unit_price": "2.00", "price_reason": "damaged"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    best, overridden = response.json()["lines"]
    assert (best["terms"]["promotion_id"], best["line_total"]) == ("BETTER", "7.65")  # best one
    assert overridden["terms"] is None and overridden["line_total"] == "2.00"

    # HQ ends a promotion early: the till stops applying it once the feed says so.
    ended = await put_promotion(hub, "BETTER", percent_off="25", name="Doorbuster", active=False)
    assert ended["version"] == 2
    await store.sync()
    sale = await store.sell([("A", 4)])
    assert line(sale, "A")["terms"]["promotion_id"] == "XMAS"

    clock = store.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.set(clock.now().replace(day=2))  # the other one ended at midnight
    assert (await store.sell([("A", 4)]))["discount"] == "0.00"


async def test_a_return_refunds_exactly_what_a_discounted_line_took(hub: Hub, store: Edge) -> None:
    await put_rate(hub, "STD", "20")
    await taxed_catalogue(hub)
    await put_promotion(hub, "TENTH", percent_off="10")
    await store.sync()
    sale = await store.sell([("A", 3)])
    sold = line(sale, "A")
    refunds = []
    for _ in range(3):  # one unit at a time: rounding must not pay out a penny too much
        response = await store.client.post(
            "/v1/returns",
            json={
                "till_id": "T1",
                "original_sale_id": sale["sale_id"],
                "reason": "changed mind",
                "lines": [{"sku": "A", "quantity": 1, "original_line_no": sold["line_no"]}],
            },
        )
        assert response.status_code == 201, response.text
        refunds.append(response.json())
    # 6.88 paid for three: 2.29 + 2.30 + 2.29, never 3 x 2.29 or 3 x 2.30 (or 3 x 2.55).
    assert [r["total"] for r in refunds] == ["2.29", "2.30", "2.29"]
    assert sum(Decimal(r["total"]) for r in refunds) == Decimal(sold["line_total"])
    assert sum(Decimal(r["tax"]) for r in refunds) == Decimal(sold["terms"]["tax"])
    over = await store.client.post(
        "/v1/returns",
        json={
            "till_id": "T1",
            "original_sale_id": sale["sale_id"],
            "reason": "once more",
            "lines": [{"sku": "A", "quantity": 1, "original_line_no": sold["line_no"]}],
        },
    )
    assert over.status_code == 422 and over.json()["error"] == "return_exceeds_sale", over.text
    await store.sync()
    (row,) = await hub.report()
    assert (row["revenue"], row["tax"], row["discounts"]) == ("0.00", "0.00", "0.00")


async def test_a_new_till_gets_tax_rates_and_promotions_in_its_snapshot(
    hub: Hub, store: Edge, tmp_path: Path
) -> None:
    await put_rate(hub, "STD", "20")
    await taxed_catalogue(hub)
    await put_promotion(hub, "XMAS")
    fresh = await make_edge(tmp_path / "second.db", hub, await hub.token("store-1"))
    try:
        looked_up = (await fresh.client.get("/v1/catalogue/A")).json()
        assert (looked_up["tax_code"], looked_up["tax_rate"], looked_up["promotion_id"]) == (
            "STD",
            "20",
            "XMAS",
        )
    finally:
        await close_edge(fresh)


async def test_hq_gets_a_clear_error_for_a_rate_or_promotion_that_cannot_be(hub: Hub) -> None:
    for path, body, why in [
        ("/v1/tax-rates/STD", {"rate": "120"}, "between 0 and 100"),
        ("/v1/tax-rates/STD", {"rate": 20.5}, "decimal strings"),
        ("/v1/tax-rates/bad%20code", {"rate": "20"}, ""),
        (
            "/v1/promotions/P1",
            {"name": "x", "skus": ["A"], "percent_off": "0", "starts_at": f"{DAY}T00:00:00Z"},
            "above 0",
        ),
        (
            "/v1/promotions/P1",
            {
                "name": "x",
                "skus": ["A"],
                "percent_off": "5",
                "starts_at": f"{DAY}T00:00:00Z",
                "ends_at": f"{DAY}T00:00:00Z",
            },
            "end after it starts",
        ),
        (
            "/v1/promotions/P1",
            {"name": "x", "skus": ["A"], "percent_off": "5", "starts_at": f"{DAY}T00:00:00"},
            "timezone",
        ),
    ]:
        response = await hub.client.put(path, json=body, headers=hub.admin)
        assert response.status_code == 422, (path, body, response.text)
        assert why in response.text, response.text
    assert (await hub.client.get("/v1/tax-rates", headers=hub.admin)).json() == []
    unrated = await hub.client.post(
        "/v1/catalogue/import",
        json={"items": [{"sku": "Z", "unit_price": "1.00", "currency": "GBP", "tax_code": "VAT"}]},
        headers=hub.admin,
    )
    assert unrated.status_code == 422 and "have no rate" in unrated.text
    assert (await hub.client.get("/v1/promotions", headers=hub.admin)).json() == []
    unauthenticated = await hub.client.put("/v1/tax-rates/STD", json={"rate": "20"})
    assert unauthenticated.status_code == 401


async def test_a_price_update_that_does_not_mention_tax_codes_keeps_them(hub: Hub) -> None:
    await put_rate(hub, "STD", "20")
    await taxed_catalogue(hub)
    await hub.import_items({"A": "2.99"})  # an older integration: prices only, no tax_code
    assert (await _product_tax_codes(hub))["A"] == "STD"
    cleared = await hub.client.post(
        "/v1/catalogue/import",
        json={"items": [{"sku": "A", "unit_price": "2.99", "currency": "GBP", "tax_code": None}]},
        headers=hub.admin,
    )
    assert cleared.status_code == 200 and cleared.json()["products_changed"] == 1
    assert (await _product_tax_codes(hub))["A"] is None  # an explicit null clears it


async def _product_tax_codes(hub: Hub) -> dict[str, str | None]:
    async with hub.runtime.database.read() as connection:
        rows = await connection.execute(text("SELECT sku, tax_code FROM product"))
        return {row.sku: row.tax_code for row in rows}


async def test_a_hub_not_yet_upgraded_quarantines_only_the_sales_it_would_misread(
    hub: Hub, store: Edge, monkeypatch: pytest.MonkeyPatch
) -> None:
    await put_rate(hub, "STD", "20")
    await taxed_catalogue(hub)
    await store.sync()
    monkeypatch.setitem(messages.SCHEMA_VERSIONS, "sale.completed", 1)  # an older hub
    taxed = await store.sell([("A", 1)])  # version 2: its line carries tax
    plain = await store.sell([("C", 1)])  # version 1: nothing a version-1 reader would miss
    status = await store.sync()
    assert status["outbox"]["quarantined"] == 1
    (held,) = (await hub.client.get("/v1/quarantine", headers=hub.admin)).json()
    assert held["schema_version"] == 2 and "newer than supported" in held["reason"]
    assert (await hub.report())[0]["invoices"] == 1  # the plain sale is in; the taxed one waits

    monkeypatch.setitem(messages.SCHEMA_VERSIONS, "sale.completed", 2)  # the hub is upgraded
    retried = await hub.client.post(f"/v1/quarantine/{held['event_id']}/retry", headers=hub.admin)
    assert retried.json()["status"] == "applied"
    (row,) = await hub.report()
    assert (row["invoices"], row["tax"]) == (2, taxed["tax"])
    assert plain["tax"] == "0.00"


async def test_an_edge_upgraded_after_the_hub_downloads_what_its_old_software_skipped(
    hub: Hub, store: Edge, tmp_path: Path
) -> None:
    await put_rate(hub, "STD", "20")
    await taxed_catalogue(hub)
    await put_promotion(hub, "XMAS")
    await store.sync()
    path = store.path
    await close_edge(store)
    # The node as the software before tax and promotions left it: its cursor past entries it
    # skipped, its products at their current versions without their tax codes.
    await asyncio.to_thread(command.downgrade, alembic_config("edge", f"sqlite:///{path}"), "0007")
    upgraded = await make_edge(path, hub, None)  # starting it migrates the file to head
    try:
        await upgraded.sync()
        item = (await upgraded.client.get("/v1/catalogue/A")).json()
        assert (item["tax_code"], item["tax_rate"], item["promotion_id"]) == ("STD", "20", "XMAS")
        assert (await upgraded.sync())["outbox"]["pending"] == 0
    finally:
        await close_edge(upgraded)


async def test_the_embedded_sqlite_hub_takes_rates_and_promotions_too(sqlite_hub: Hub) -> None:
    for rate in ("20", "5", "9.5", "0", "100"):
        assert (await put_rate(sqlite_hub, "STD", rate))["rate"] == rate
    promotion = await put_promotion(sqlite_hub, "P", percent_off="25")
    assert promotion["percent_off"] == "25"
    refused = await sqlite_hub.client.put(
        "/v1/tax-rates/STD", json={"rate": "101"}, headers=sqlite_hub.admin
    )
    assert refused.status_code == 422


async def test_two_first_puts_of_a_new_rate_at_once_get_two_versions(hub: Hub) -> None:
    answers = await asyncio.gather(
        *(
            hub.client.put("/v1/tax-rates/NEW", json={"rate": rate}, headers=hub.admin)
            for rate in ("20", "5")
        )
    )
    assert sorted(answer.json()["version"] for answer in answers) == [1, 2]
    (rate,) = (await hub.client.get("/v1/tax-rates", headers=hub.admin)).json()
    last = max(answers, key=lambda answer: answer.json()["version"]).json()
    assert (rate["rate"], rate["version"]) == (last["rate"], 2)  # the hub holds the newest


async def test_every_unit_returned_alone_is_recorded_even_where_rounding_bites(
    hub: Hub, store: Edge
) -> None:
    await put_rate(hub, "RED", "5")
    imported = await hub.client.post(
        "/v1/catalogue/import",
        json={"items": [{"sku": "P", "unit_price": "0.01", "currency": "GBP", "tax_code": "RED"}]},
        headers=hub.admin,
    )
    assert imported.status_code == 200, imported.text
    await put_promotion(hub, "TENTH", skus=["P"], percent_off="10")
    await store.sync()
    sale = await store.sell([("P", 13)])  # 0.13, 0.01 off: 0.12 paid, 0.01 of it tax
    sold = line(sale, "P")
    refunds = []
    for _ in range(13):
        response = await store.client.post(
            "/v1/returns",
            json={
                "till_id": "T1",
                "original_sale_id": sale["sale_id"],
                "reason": "one at a time",
                "lines": [{"sku": "P", "quantity": 1, "original_line_no": sold["line_no"]}],
            },
        )
        assert response.status_code == 201, response.text
        refunds.append(response.json())
    assert sum(Decimal(r["total"]) for r in refunds) == Decimal(sold["line_total"])
    assert sum(Decimal(r["tax"]) for r in refunds) == Decimal(sold["terms"]["tax"])
    await store.sync()
    assert (await hub.client.get("/v1/quarantine", headers=hub.admin)).json() == []
    (row,) = await hub.report()
    assert (row["revenue"], row["tax"]) == ("0.00", "0.00")
