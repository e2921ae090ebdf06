"""The receipt at the till, against a real edge whose till T1 prints to a file: once a sale
is paid its receipt is shown in place of the lines and printed; F11 prints a copy, marked
as one; the next scan brings the lines back."""

from __future__ import annotations

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.screens.sale import SaleScreen
from pos_ui.widgets.receipt_panel import ReceiptPanel
from tests.ui_pilot import SIZE, said, sign_in_and_open, type_in, until
from tests.ui_support import MILK, TEA, UiStore


async def test_a_paid_sale_shows_and_prints_its_receipt_and_f11_prints_a_copy(
    ui_store: UiStore,
) -> None:
    assert TEA.gtin and MILK.gtin
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        sale = app.screen
        assert isinstance(sale, SaleScreen)
        panel = sale.query_one(ReceiptPanel)
        await type_in(pilot, f"2*{TEA.gtin}")
        await until(pilot, lambda: "TOTAL DUE 5.00" in said(app, "#totals"))
        assert not panel.display
        await pilot.press("f12")
        await type_in(pilot, "10")

        # paid: the receipt in place of the lines, said printed, and on the printer
        await until(pilot, lambda: app.screen is sale and panel.display)
        receipt = said(app).rsplit("receipt ", 1)[1].strip()
        text = said(app, "#receipt_text")
        assert receipt in text and "Tea bags x80" in text and "5.00" in text
        assert "Receipt printed" in said(app, "#receipt_state")
        assert receipt.encode() in ui_store.printed()

        # F11: a copy, counted and marked, on screen and on the printer
        await pilot.press("f11")
        await until(pilot, lambda: "Copy 1 printed" in said(app))
        assert "COPY 1" in said(app, "#receipt_text")
        assert b"COPY 1" in ui_store.printed()

        # the next scan starts the next sale: the lines are back
        await type_in(pilot, MILK.gtin)
        await until(pilot, lambda: "TOTAL DUE 1.15" in said(app, "#totals"))
        assert not panel.display
        assert sale.query_one("#lines").display
