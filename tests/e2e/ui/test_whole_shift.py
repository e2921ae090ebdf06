"""A cashier's whole shift at the till, by keyboard alone, against a real hub, edge, card
acquirer and scale: sign in, open on a float, sell by GTIN, by the scale and with a quantity
prefix, a discount a manager approves, park and recall, a split tender, a return by the
receipt's barcode, the X, and the close with its Z, which reaches HQ and agrees with HQ's
ledger."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from textual.widgets import DataTable

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.discount import DiscountDialog
from pos_ui.dialogs.override import OverrideDialog
from pos_ui.dialogs.park import RecallDialog
from pos_ui.dialogs.tender import TenderDialog
from pos_ui.screens.returns import ReturnsScreen
from pos_ui.screens.sale import SaleScreen
from pos_ui.screens.shift import CloseShiftScreen, ShiftMenu, XReportScreen
from pos_ui.screens.sign_in import SignInScreen
from tests.ui_pilot import SIZE, edge_get, rows, said, sign_in_and_open, type_in, until
from tests.ui_support import APPLES, KETTLE, MILK, SCALE_START_KG, TEA, UiStore


async def test_a_whole_shift_by_keyboard_from_sign_in_to_the_z_at_hq(ui_store: UiStore) -> None:
    assert TEA.gtin and MILK.gtin and KETTLE.gtin
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        # sign in; the till has no open shift: it asks for the float, a total is enough
        await sign_in_and_open(pilot, app, float_="100")
        screen = app.screen
        assert isinstance(screen, SaleScreen)
        sale: SaleScreen = screen

        # three milks by a quantity prefix on the GTIN, apples weighed on the till's scale
        # (0.735 kg on the platter), a kettle and a tea by GTIN
        await type_in(pilot, f"3*{MILK.gtin}")
        await until(pilot, lambda: rows(app) == 1)
        await type_in(pilot, APPLES.sku)
        await until(pilot, lambda: rows(app) == 2)
        assert "0.735 kg weighed" in said(app)
        table = sale.query_one("#lines", DataTable)
        assert str(table.get_row_at(1)[0]) == f"{SCALE_START_KG} kg"
        await type_in(pilot, KETTLE.gtin)
        await until(pilot, lambda: rows(app) == 3)
        await type_in(pilot, TEA.gtin)
        # 3 x 1.15 + 0.735 kg x 2.20 (1.617: 1.62) + 24.99 + 2.50
        await until(pilot, lambda: "TOTAL DUE 32.56" in said(app, "#totals"))

        # half off the tea (the highlighted line): above a cashier's limit, the manager's
        # code and PIN approve it at the till
        await pilot.press("f7")
        await until(pilot, lambda: isinstance(app.screen, DiscountDialog))
        await pilot.press("5", "0", "tab")
        await type_in(pilot, "dented box")
        await until(pilot, lambda: isinstance(app.screen, OverrideDialog))
        await type_in(pilot, ui_store.manager.staff_code)
        await type_in(pilot, ui_store.manager.pin)
        await until(pilot, lambda: app.screen is sale and "TOTAL DUE 31.31" in said(app, "#totals"))

        # parked while the customer fetches their wallet, then recalled
        cart_id = sale.cart_id
        await pilot.press("f5")
        await until(pilot, lambda: "parked" in said(app) and rows(app) == 0)
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, RecallDialog))
        await until(pilot, lambda: rows(app, "#parked") == 1)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is sale and sale.cart_id == cart_id)
        assert "TOTAL DUE 31.31" in said(app, "#totals") and rows(app) == 4

        # split tender: 20.00 cash typed, the rest (11.31) by card
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))
        await type_in(pilot, "20")
        await until(pilot, lambda: "To pay 11.31" in said(app, "#due"))
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is sale and "receipt" in said(app))
        receipt = said(app).rsplit("receipt ", 1)[1].strip()
        assert "Change 0.00" in said(app)

        # the kettle comes back: the receipt's barcode, the third line, refunded to the
        # original tenders in proportion (24.99 of 31.31: card 9.03, cash 15.96)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await type_in(pilot, f"R:{receipt}")
        await until(pilot, lambda: rows(app) == 4)
        await pilot.press("down", "down", "enter", "f12")
        await until(pilot, lambda: "Refunded 24.99" in said(app, "#tenders"))
        assert "Card refund 9.03" in said(app, "#tenders")
        assert "Cash refund 15.96" in said(app, "#tenders")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is sale)

        # the X: 100 float + 20 cash - 15.96 refunded = 104.04 expected in the drawer
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, ShiftMenu))
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, XReportScreen))
        await until(pilot, lambda: "Expected cash" in said(app, "#text"))
        assert "104.04" in said(app, "#text")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ShiftMenu))

        # close: the drawer counted by denomination (two 50s, two 2s, four 1p), the Z on
        # screen, then the till signs out
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CloseShiftScreen))
        await pilot.press("enter")  # no total: count each note and coin
        await type_in(pilot, "2")  # 50
        for _ in range(3):  # 20, 10, 5
            await pilot.press("enter")
        await type_in(pilot, "2")  # 2
        await pilot.press("enter")  # 1
        for _ in range(5):  # 50p, 20p, 10p, 5p, 2p
            await pilot.press("enter")
        await type_in(pilot, "4")  # 1p: and the last Enter closes
        await until(pilot, lambda: "Z report 1" in said(app, "#z_head"))
        assert "Counted 104.04" in said(app, "#z_head")
        assert "variance +0.00 (exact)" in said(app, "#z_head")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))

    # the edge kept one sale, one return and the Z with the count by denomination
    (z,) = await edge_get(
        ui_store.edge_url, ui_store.till_id, "/v1/z-reports", {"till_id": ui_store.till_id}
    )
    assert (z["totals"]["sales_count"], z["totals"]["returns_count"]) == (1, 1)
    assert (z["totals"]["sales"], z["totals"]["returns"]) == ("31.31", "-24.99")
    assert z["counted"] == {"50": 2, "2": 2, "0.01": 4}
    assert Decimal(z["variance"]) == 0

    # and HQ holds that Z, confirmed against its own ledger of the synced sale and return
    for _ in range(600):
        held = await ui_store.hq.z_reports(None, None)
        if held and held[0]["ledger"]["status"] != "pending":
            break
        await asyncio.sleep(0.1)
    (at_hq,) = held
    assert at_hq["ledger"]["status"] == "confirmed", at_hq
    assert at_hq["ledger"]["documents"] == 2
