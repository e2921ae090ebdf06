"""The dashboard's Today and Shifts pages read as a signed-in manager's browser would, over
the worked day of test_dashboard_day (two tills, mixed tenders, a return, a discount, a void,
a no-sale): each figure on the page equals the edge's own API (`GET /v1/reports/day`,
`GET /v1/shifts/{id}/x-report`, `GET /v1/z-reports`), the CSV exports add up to the page, a
bad day or range is a page that says why, and a Z reprint is audited and says how it went."""

from __future__ import annotations

import csv
import io
import json
import re

from tests.dashboard_support import browser, csrf_of, figures, sign_in
from tests.integration.test_dashboard_day import DAY, minor, ok, shop, work_the_day
from tests.integration.test_till_sessions import audit_rows
from tests.support import MANAGER, SUPERVISOR, Edge

__all__ = ["shop"]  # the fixture, shared

AMOUNT = re.compile(r"^-?[0-9]+\.[0-9]{2}$")


async def test_today_shows_the_days_report_and_its_csv_adds_up_to_the_page(shop: Edge) -> None:
    await work_the_day(shop, close=True)
    report = await ok(
        await shop.client.get("/v1/reports/day", params={"business_day": DAY.isoformat()}), 200
    )
    async with browser(shop) as client:
        await sign_in(client, MANAGER)
        page = await client.get("/dashboard/today", params={"day": DAY.isoformat()})
        assert page.status_code == 200, page.text
        shown = figures(page.text)
        assert shown["net-sales"] == minor(report["revenue"])
        assert shown["transactions"] == report["sales"] == 5
        assert shown["returns-count"] == report["returns"] == 1
        assert shown["units"] == report["units"]
        assert shown["tenders-total"] == shown["net-sales"]
        assert shown["tender-cash"] + shown["tender-gift_card"] == shown["net-sales"]
        assert shown["voids-count"] == 1 and shown["no-sales"] == 1
        assert "<svg" in page.text and page.text.count("<h1") == 1

        exported = await client.get("/dashboard/today.csv", params={"day": DAY.isoformat()})
        assert exported.status_code == 200
        assert exported.headers["content-disposition"].startswith("attachment;")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert len(rows) == 6 and [row["type"] for row in rows].count("return") == 1
        assert all(AMOUNT.match(row["total"]) and AMOUNT.match(row["tax"]) for row in rows)
        assert sum(minor(row["total"]) for row in rows) == shown["net-sales"]
        assert sum(minor(row["discounts"]) for row in rows) == shown["discounts"]
        assert sum(minor(row["tender_cash"]) for row in rows) == shown["tender-cash"]


async def test_a_bad_day_is_a_page_saying_so_and_a_quiet_day_shows_zeros(shop: Edge) -> None:
    async with browser(shop) as client:
        await sign_in(client, SUPERVISOR)
        for bad in ("yesterday", "2010-13-01", "2010-12-1"):
            page = await client.get("/dashboard/today", params={"day": bad})
            assert page.status_code == 422
            assert "YYYY-MM-DD" in page.text
        quiet = await client.get("/dashboard/today", params={"day": "2010-11-20"})
        assert quiet.status_code == 200
        shown = figures(quiet.text)
        assert (shown["net-sales"], shown["transactions"], shown["tenders-total"]) == (0, 0, 0)
        assert "No sales on this day." in quiet.text
        default = await client.get("/dashboard/today")  # today in the store's zone
        assert default.status_code == 200 and "2010-12-01" in default.text


async def test_open_shifts_show_their_live_x(shop: Edge) -> None:
    await work_the_day(shop, close=False)
    async with browser(shop) as client:
        await sign_in(client, MANAGER)
        page = await client.get("/dashboard/shifts")
        assert page.status_code == 200, page.text
        shown = figures(page.text)
    for till in ("T1", "T2"):
        current = await ok(await shop.client.get(f"/v1/shifts/current?till_id={till}"), 200)
        x = await ok(await shop.client.get(f"/v1/shifts/{current['shift_id']}/x-report"), 200)
        assert shown[f"x-{till}-net-sales"] == minor(x["totals"]["net_sales"])
        assert shown[f"x-{till}-transactions"] == x["totals"]["sales_count"]
        assert shown[f"x-{till}-expected-cash"] == minor(x["expected_cash"])


async def test_z_history_printable_z_reprint_and_export(shop: Edge) -> None:
    zs = await work_the_day(shop, close=True)
    async with browser(shop) as client:
        await sign_in(client, MANAGER)
        page = await client.get("/dashboard/shifts", params={"day": DAY.isoformat()})
        shown = figures(page.text)
        for z in zs:
            key = f"z-{z['till_id']}-{z['z_number']}"
            assert shown[f"{key}-variance"] == minor(z["variance"])
            assert shown[f"{key}-counted-cash"] == minor(z["counted_cash"])
            assert f"/dashboard/shifts/{z['shift_id']}/z" in page.text
        assert shown["z-total-net-sales"] == sum(minor(z["totals"]["net_sales"]) for z in zs)

        z = zs[1]
        printable = await client.get(f"/dashboard/shifts/{z['shift_id']}/z")
        assert printable.status_code == 200 and "@media print" in printable.text
        sheet = figures(printable.text)
        assert sheet["z-net-sales"] == minor(z["totals"]["net_sales"])
        assert sheet["z-expected-cash"] == minor(z["expected_cash"])
        assert sheet["z-grand-total"] == minor(z["grand_total"])
        assert sheet["z-tender-gift_card"] == minor(z["totals"]["tenders"]["gift_card"])
        unknown = await client.get("/dashboard/shifts/0000-not-a-shift/z")
        assert unknown.status_code == 404 and "No such shift" in unknown.text

        refused = await client.post(f"/dashboard/shifts/{z['shift_id']}/z/print", data={})
        assert refused.status_code == 403
        printed = await client.post(
            f"/dashboard/shifts/{z['shift_id']}/z/print",
            data={"csrf_token": csrf_of(printable.text)},
        )
        assert printed.status_code == 200
        assert "Not printed at till T1" in printed.text  # the test edge has no printer
        reprints = [json.loads(row["payload"]) for row in audit_rows(shop)]
        reprints = [p for p in reprints if p["kind"] == "reprint"]
        assert len(reprints) == 1
        assert reprints[0]["subject"] == z["shift_id"] and reprints[0]["staff_code"] == MANAGER
        assert reprints[0]["details"]["z_number"] == str(z["z_number"])

        exported = await client.get(
            "/dashboard/shifts/z.csv", params={"from": "2010-11-01", "to": DAY.isoformat()}
        )
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-disposition"].startswith("attachment;")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert sorted((row["till"], row["variance"]) for row in rows) == sorted(
            (z["till_id"], z["variance"]) for z in zs
        )
        too_long = await client.get(
            "/dashboard/shifts/z.csv", params={"from": "2010-01-01", "to": DAY.isoformat()}
        )
        assert too_long.status_code == 422 and "93 days" in too_long.text
