"""The cashier's terminal driven by the keyboard (Textual's pilot) against real hub and edge
processes: sign in, open the shift with a float, scan with a quantity prefix, pay cash with
change; a wrong PIN and an unknown code are refused clearly; the edge going away mid-sale
keeps the cart and a retried scan is not doubled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.screens.sale import SaleScreen
from pos_ui.screens.sign_in import OpenShiftScreen, SignInScreen
from tests.e2e.test_processes import stack, start_store  # noqa: F401 (the stack fixture)
from tests.support import TillSession
from vectis.replay.stack import EdgeHandle, Stack

SIZE = (120, 36)


async def until(pilot: Pilot[None], done: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Let the app work (its HTTP calls are real) until `done()`."""
    for _ in range(int(timeout_s / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError("the till did not get there in time")


def scan_ready(app: TillApp) -> bool:
    """The sale screen is up and its scan field has the keyboard."""
    return isinstance(app.screen, SaleScreen) and app.focused is app.screen.query_one(
        "#scan", Input
    )


async def type_in(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)
    await pilot.press("enter")


def text_of(app: TillApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def sign_in_and_open(pilot: Pilot[None], app: TillApp) -> None:
    await until(pilot, lambda: isinstance(app.screen, SignInScreen))
    await type_in(pilot, "1001")
    await type_in(pilot, "1234")
    await until(pilot, lambda: isinstance(app.screen, OpenShiftScreen))
    await type_in(pilot, "100")
    await until(pilot, lambda: scan_ready(app))


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
        await until(pilot, lambda: "Wrong" in text_of(app, "#message"))
        await type_in(pilot, "1234")
        await until(pilot, lambda: isinstance(app.screen, OpenShiftScreen))
        await type_in(pilot, "100")
        await until(pilot, lambda: scan_ready(app))

        await type_in(pilot, "SKU1")
        await type_in(pilot, "3*SKU2")
        await type_in(pilot, "NOSUCH")
        await until(pilot, lambda: "Unknown" in text_of(app, "#message"))
        table = app.screen.query_one("#lines", DataTable)
        assert table.row_count == 2
        assert "TOTAL DUE 5.00" in text_of(app, "#totals")
        app.save_screenshot(str(tmp_path / "lines.svg"))

        await pilot.press("enter")  # an empty scan field: pay
        await until(pilot, lambda: app.screen.__class__.__name__ == "TenderDialog")
        await type_in(pilot, "10")
        await until(pilot, lambda: "Change 5.00" in text_of(app, "#message"))
        assert "TOTAL DUE 0.00" in text_of(app, "#totals")
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
        await until(pilot, lambda: "TOTAL DUE 1.25" in text_of(app, "#totals"))
        edge.process.kill()
        await type_in(pilot, "SKU3")
        await until(pilot, lambda: "not answering" in text_of(app, "#message"))
        assert app.screen.query_one("#lines", DataTable).row_count == 1
        await edge.restart()
        await pilot.press("enter")  # the scan field still holds SKU3: sent again, same id
        await until(pilot, lambda: "TOTAL DUE 2.50" in text_of(app, "#totals"))
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "TenderDialog")
        await pilot.press("enter")  # exact cash
        await until(pilot, lambda: "Change 0.00" in text_of(app, "#message"))
    await asyncio.sleep(0)
