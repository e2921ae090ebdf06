"""The scan field as a cashier meets it, against a real edge and till T1's scale: an item sold
by weight is weighed on the till's scale when its code is scanned, a scale that will not
settle or holds nothing keeps the code for Enter to weigh again, Escape clears the field, and
the double-scan question follows the till's window (0: never asks); F9 voids the sale only
once a reason is given."""

from __future__ import annotations

from decimal import Decimal

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.ask import AskText
from pos_ui.dialogs.confirm import Confirm
from pos_ui.dialogs.override import OverrideDialog
from pos_ui.screens.sale import SaleScreen
from tests.ui_pilot import SIZE, edge_get, rows, said, sign_in_and_open, type_in, until
from tests.ui_support import APPLES, TEA, UiStore


def scan_field(app: TillApp) -> str:
    screen = app.screen
    assert isinstance(screen, SaleScreen)
    return str(screen.query_one("#scan").value)  # type: ignore[attr-defined]


async def test_a_per_kg_item_is_weighed_and_a_scale_not_ready_keeps_the_code(
    ui_store: UiStore,
) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)

        # nothing on the platter: said so, the code stays in the field, nothing rung up
        await ui_store.set_scale_weight(Decimal("0.000"))
        await type_in(pilot, APPLES.sku)
        await until(pilot, lambda: "Nothing on the scale" in said(app))
        assert f"Enter weighs {APPLES.sku} again" in said(app)
        assert scan_field(app) == APPLES.sku and rows(app) == 0

        # apples on a scale that will not settle: said so, still kept
        await ui_store.set_scale_weight(Decimal("1.250"))
        await ui_store.set_scale_unstable(1000)
        await pilot.press("enter")
        await until(pilot, lambda: "not steady" in said(app))
        assert scan_field(app) == APPLES.sku and rows(app) == 0

        # settled: Enter weighs again and rings up 1.25 kg at 2.20, once
        await ui_store.set_scale_unstable(0)
        await pilot.press("enter")
        await until(pilot, lambda: rows(app) == 1)
        assert "1.250 kg weighed" in said(app)
        assert "TOTAL DUE 2.75" in said(app, "#totals")
        assert scan_field(app) == ""

        # Escape clears a code typed, and nothing is sent
        await pilot.press(*TEA.sku)
        await pilot.press("escape")
        assert scan_field(app) == "" and rows(app) == 1


async def void_the_sale(pilot: Pilot[None], app: TillApp, reason: str) -> None:
    """F9 and `reason`; a manager approves if the till asks."""
    await pilot.press("f9")
    await until(pilot, lambda: isinstance(app.screen, AskText))
    await type_in(pilot, reason)
    await until(pilot, lambda: isinstance(app.screen, SaleScreen | OverrideDialog))
    if isinstance(app.screen, OverrideDialog):
        await type_in(pilot, "9001")
        await type_in(pilot, "9999")
    await until(pilot, lambda: isinstance(app.screen, SaleScreen) and rows(app) == 0)


async def test_f9_voids_the_sale_only_with_a_reason_and_escape_keeps_it(ui_store: UiStore) -> None:
    assert TEA.gtin
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await type_in(pilot, f"2*{TEA.gtin}")
        await until(pilot, lambda: rows(app) == 1)
        sale = app.screen
        assert isinstance(sale, SaleScreen)
        cart_id = sale.cart_id

        # F9 asks why; Escape keeps the sale as it was
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, AskText))
        assert "5.00" in str(app.screen.query_one(Static).render())
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is sale and "stays" in said(app))
        assert rows(app) == 1 and sale.cart_id == cart_id

        # with a reason it is voided, and the till starts afresh
        await void_the_sale(pilot, app, "customer left")
        assert "Sale voided: customer left" in said(app)
        assert "TOTAL DUE 0.00" in said(app, "#totals")

    cart = await edge_get(ui_store.edge_url, ui_store.till_id, f"/v1/carts/{cart_id}")
    assert cart["status"] == "voided"


async def test_the_double_scan_window_asks_or_not_as_the_till_is_set(ui_store: UiStore) -> None:
    assert TEA.gtin
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id), double_scan_s=60)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: rows(app) == 1)
        # the same code again within the window: asked; No adds nothing
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
        assert rows(app) == 1
        await void_the_sale(pilot, app, "test over")

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id), double_scan_s=0)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: rows(app) == 1)
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: rows(app) == 2)
        assert "TOTAL DUE 5.00" in said(app, "#totals")

        # Up and Down in the scan field move the highlight over the lines
        table = app.screen.query_one("#lines", DataTable)
        assert table.cursor_row == 1
        await pilot.press("up")
        assert table.cursor_row == 0 and app.focused is app.screen.query_one("#scan")
        await pilot.press("down", "down")
        assert table.cursor_row == 1

        # a scan while the lines have the keyboard still lands in the scan field
        await pilot.press("shift+tab")
        assert app.focused is table
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: rows(app) == 3)
