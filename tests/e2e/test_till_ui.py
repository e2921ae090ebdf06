"""The cashier's terminal driven by the keyboard (Textual's pilot) against real hub and edge
processes: sign in, open the shift with a float, scan with a quantity prefix, pay cash with
change; a wrong PIN and an unknown code are refused clearly; the edge going away mid-sale
keeps the cart and a retried scan is not doubled."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import httpx
from textual.widgets import DataTable

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.screens.sign_in import OpenShiftScreen, SignInScreen
from tests.e2e.test_processes import stack, start_store  # noqa: F401 (the stack fixture)
from tests.support import TillSession
from tests.ui_pilot import SIZE, said, scan_ready, sign_in_and_open, type_in, until
from vectis.replay.stack import EdgeHandle, Stack


async def sales_of(edge: EdgeHandle) -> list[dict[str, object]]:
    async with httpx.AsyncClient(base_url=edge.url, trust_env=False) as client:
        client.auth = TillSession("T1", "9001", "9999")
        shift = (await client.get("/v1/shifts/current", params={"till_id": "T1"})).json()
        x_report = await client.get(f"/v1/shifts/{shift['shift_id']}/x-report")
        return [x_report.json()]


async def test_a_cashier_signs_in_opens_the_shift_scans_and_pays_cash_by_keyboard(
    stack: Stack,  # noqa: F811
    tmp_path: Path,
) -> None:
    edge, _ = await start_store(stack)
    app = TillApp(TillClient(edge.url, "T1"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        await type_in(pilot, "1001")
        await type_in(pilot, "0000")
        await until(pilot, lambda: "Wrong" in said(app, "#message"))
        await type_in(pilot, "1234")
        await until(pilot, lambda: isinstance(app.screen, OpenShiftScreen))
        await type_in(pilot, "100")
        await until(pilot, lambda: scan_ready(app))

        await type_in(pilot, "SKU1")
        await type_in(pilot, "3*SKU2")
        await type_in(pilot, "NOSUCH")
        await until(pilot, lambda: "Unknown" in said(app, "#message"))
        table = app.screen.query_one("#lines", DataTable)
        assert table.row_count == 2
        assert "TOTAL DUE 5.00" in said(app, "#totals")
        app.save_screenshot(str(tmp_path / "lines.svg"))

        await pilot.press("enter")  # an empty scan field: pay
        await until(pilot, lambda: app.screen.__class__.__name__ == "TenderDialog")
        await type_in(pilot, "10")
        await until(pilot, lambda: "Change 5.00" in said(app, "#message"))
        assert "TOTAL DUE 0.00" in said(app, "#totals")
        app.save_screenshot(str(tmp_path / "sale.svg"))

    (x_report,) = await sales_of(edge)
    totals = x_report["totals"] if "totals" in x_report else x_report
    assert Decimal(str(totals["net_sales"])) == Decimal("5.00")  # type: ignore[index]


async def test_the_edge_going_away_mid_sale_keeps_the_cart_and_doubles_no_line(
    stack: Stack,  # noqa: F811
) -> None:
    edge, _ = await start_store(stack)
    app = TillApp(TillClient(edge.url, "T1", timeout_s=3.0))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await type_in(pilot, "SKU1")
        await until(pilot, lambda: "TOTAL DUE 1.25" in said(app, "#totals"))
        edge.process.kill()
        await type_in(pilot, "SKU3")
        await until(pilot, lambda: "not answering" in said(app, "#message"))
        assert app.screen.query_one("#lines", DataTable).row_count == 1
        await edge.restart()
        await pilot.press("enter")  # the scan field still holds SKU3: sent again, same id
        await until(pilot, lambda: "TOTAL DUE 2.50" in said(app, "#totals"))
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "TenderDialog")
        await pilot.press("enter")  # exact cash
        await until(pilot, lambda: "Change 0.00" in said(app, "#message"))
    await asyncio.sleep(0)
