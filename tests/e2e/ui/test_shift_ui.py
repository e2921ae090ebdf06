"""F10, the shift, driven by the keyboard against a real store (tests/ui_support.py): cash paid
in, a paid-out and a no-sale each approved by a manager's override, the X report, and the
close with the drawer's total alone into a Z on screen; the edge keeps what the screen said.
And snapshots of the shift menu, the X report, the count and the Z."""

from __future__ import annotations

from typing import Any

import httpx
from textual.pilot import Pilot

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.cash import CashDialog, NoSaleDialog
from pos_ui.dialogs.override import OverrideDialog
from pos_ui.screens.sale import SaleScreen
from pos_ui.screens.shift import CloseShiftScreen, ShiftMenu, XReportScreen
from pos_ui.screens.sign_in import OpenShiftScreen, SignInScreen
from pos_ui.widgets.cash_count import CashCountForm
from tests.support import TillSession
from tests.ui_pilot import said, type_in, until
from tests.ui_support import TEA, UiStore

SIZE = (120, 40)


async def open_and_sell(pilot: Pilot[Any], app: TillApp) -> None:
    """Sign in as the cashier, open on a float of 100, sell a tea for a 10.00 note."""
    await until(pilot, lambda: isinstance(app.screen, SignInScreen))
    await type_in(pilot, "1001")
    await type_in(pilot, "1234")
    await until(pilot, lambda: isinstance(app.screen, OpenShiftScreen))
    await type_in(pilot, "100")
    await until(pilot, lambda: isinstance(app.screen, SaleScreen))
    assert TEA.gtin is not None
    await type_in(pilot, TEA.gtin)
    await until(pilot, lambda: "TOTAL DUE 2.50" in said(app, "#totals"))
    await pilot.press("f12")
    await type_in(pilot, "10")
    await until(pilot, lambda: "Change 7.50" in said(app, "#message"))


async def override(pilot: Pilot[Any], app: TillApp) -> None:
    await until(pilot, lambda: isinstance(app.screen, OverrideDialog))
    await type_in(pilot, "9001")
    await type_in(pilot, "9999")


async def test_a_cashier_pays_in_pays_out_opens_the_drawer_reads_the_x_and_closes_with_a_total(
    ui_store: UiStore,
) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await open_and_sell(pilot, app)

        # paid in: anyone may
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, ShiftMenu))
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, CashDialog))
        await type_in(pilot, "5")
        await type_in(pilot, "float top-up")
        await until(pilot, lambda: "Paid in 5.00: float top-up" in said(app, "#message"))

        # paid out: a cashier's is refused, the override dialog opens, the manager approves
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, CashDialog))
        await type_in(pilot, "2.40")
        await type_in(pilot, "milk for the staff room")
        await override(pilot, app)
        await until(pilot, lambda: isinstance(app.screen, ShiftMenu))
        assert "Paid out 2.40" in said(app, "#message")

        # no-sale: Escape at the override leaves the drawer shut; approved, it opens
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NoSaleDialog))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, OverrideDialog))
        await pilot.press("escape")
        await until(pilot, lambda: "stays shut" in said(app, "#message"))
        await pilot.press("enter")
        await override(pilot, app)
        await until(pilot, lambda: isinstance(app.screen, ShiftMenu))
        assert "Drawer opened" in said(app, "#message")

        # X: 100 float + 10 cash - 7.50 change + 5 in - 2.40 out = 105.10
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, XReportScreen))
        await until(pilot, lambda: "Expected cash" in said(app, "#text"))
        x_text = said(app, "#text")
        assert "105.10" in x_text
        assert "No-sales        1" in x_text
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ShiftMenu))

        # close with the total alone, 105.00: the Z shows 10p short, and the till signs out
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CloseShiftScreen))
        await type_in(pilot, "105.00")
        await until(pilot, lambda: "Z report 1" in said(app, "#z_head"))
        head = said(app, "#z_head")
        assert "Counted 105.00" in head
        assert "expected 105.10" in head
        assert "variance -0.10 (short)" in head
        await until(pilot, lambda: "105.10" in said(app, "#z_text"))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        assert not any(isinstance(screen, SaleScreen) for screen in app.screen_stack)

    # the edge recorded the Z as the screen showed it, and the movements
    cashier = ui_store.cashier
    async with httpx.AsyncClient(base_url=ui_store.edge_url, trust_env=False, timeout=30) as edge:
        edge.auth = TillSession(ui_store.till_id, cashier.staff_code, cashier.pin)
        reports = (await edge.get("/v1/z-reports", params={"till_id": ui_store.till_id})).json()
        assert len(reports) == 1, reports
        z = reports[0]
        assert (z["z_number"], z["counted_cash"], z["variance"]) == (1, "105.00", "-0.10")
        assert z["counted"] == {}  # a total alone: no denominations were counted, none invented
        assert (z["totals"]["paid_in"], z["totals"]["paid_out"]) == ("5.00", "2.40")
        assert z["totals"]["no_sales_count"] == 1
        assert (await edge.get("/v1/shifts/current")).json()["error"] == "no_open_shift"


async def test_a_close_the_edge_did_not_answer_keeps_the_count_and_enter_sends_it_again(
    ui_store: UiStore,
) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await open_and_sell(pilot, app)
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, ShiftMenu))
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CloseShiftScreen))
        # counted by denomination: five 20s, two 1s and one 50p = 102.50, exact
        await pilot.press("enter")
        for count in ("", "5", "", "", "", "2", "1"):
            await type_in(pilot, count)
        await ui_store.kill_edge()
        await pilot.press("f10")
        await until(pilot, lambda: "not answering" in said(app, "#message"))
        assert isinstance(app.screen, CloseShiftScreen)
        assert app.screen.query_one(CashCountForm).counts() == {"20": 5, "1": 2, "0.50": 1}

        await ui_store.restart_edge()
        await pilot.press("f10")
        await until(pilot, lambda: "Z report 1" in said(app, "#z_head"))
        assert "variance +0.00 (exact)" in said(app, "#z_head")

    cashier = ui_store.cashier
    async with httpx.AsyncClient(base_url=ui_store.edge_url, trust_env=False, timeout=30) as edge:
        edge.auth = TillSession(ui_store.till_id, cashier.staff_code, cashier.pin)
        reports = (await edge.get("/v1/z-reports", params={"till_id": ui_store.till_id})).json()
        assert [(z["z_number"], z["counted"]) for z in reports] == [
            (1, {"0.50": 1, "1": 2, "20": 5})
        ]
