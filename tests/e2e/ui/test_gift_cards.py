"""Gift cards at the till, against a real hub and edge: a gift card sold asks for the number
of the card it loads (Escape sells nothing); paying with it shows its balance and takes no
more than the balance, the rest in cash."""

from __future__ import annotations

import asyncio

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.ask import AskText
from pos_ui.dialogs.tender import TenderDialog
from pos_ui.screens.sale import SaleScreen
from tests.ui_pilot import SIZE, edge_get, rows, said, sign_in_and_open, type_in, until
from tests.ui_support import GIFT_CARD, KETTLE, TEA, UiStore

CARD = "6000000000000001"


async def test_a_gift_card_is_sold_onto_its_number_then_pays_up_to_its_balance(
    ui_store: UiStore,
) -> None:
    assert TEA.gtin and KETTLE.gtin
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)

        # the gift card item asks for the card's number; Escape sells nothing
        await type_in(pilot, GIFT_CARD.sku)
        await until(pilot, lambda: isinstance(app.screen, AskText))
        await pilot.press("escape")
        await until(
            pilot, lambda: isinstance(app.screen, SaleScreen) and "No gift card" in said(app)
        )
        assert rows(app) == 0

        # with the number it is one line, loading that card; paid in cash
        await type_in(pilot, GIFT_CARD.sku)
        await until(pilot, lambda: isinstance(app.screen, AskText))
        await type_in(pilot, CARD)
        await until(pilot, lambda: isinstance(app.screen, SaleScreen) and rows(app) == 1)
        assert f"onto card {CARD}" in said(app)
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen) and "receipt" in said(app))

    # HQ holds the card's 10.00 once the sale has synced (asked at the edge from another lane;
    # until then the hub knows no such card: a 404)
    for _ in range(300):
        balance = await edge_get(ui_store.edge_url, "T9", f"/v1/gift-cards/{CARD}", missing_ok=True)
        if balance and balance["balance"] == "10.00" and balance["source"] == "hub":
            break
        await asyncio.sleep(0.2)
    assert balance and balance["balance"] == "10.00"

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await type_in(pilot, TEA.gtin)
        await type_in(pilot, KETTLE.gtin)
        await until(pilot, lambda: "TOTAL DUE 27.49" in said(app, "#totals"))
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))

        # F3: the card's balance is shown, and it pays 10.00 of the 27.49
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, AskText))
        await type_in(pilot, CARD)
        await until(pilot, lambda: "balance 10.00" in said(app))
        assert "pays 10.00" in said(app)
        assert "To pay 17.49" in said(app, "#due")

        # the rest in cash
        await type_in(pilot, "20")
        await until(
            pilot, lambda: isinstance(app.screen, SaleScreen) and "Change 2.51" in said(app)
        )

    # and a card with nothing left pays nothing: said so, the dialog keeps what is due
    for _ in range(300):
        balance = await edge_get(ui_store.edge_url, "T9", f"/v1/gift-cards/{CARD}")
        if balance["balance"] == "0.00" and balance["source"] == "hub":
            break
        await asyncio.sleep(0.2)
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: "TOTAL DUE 2.50" in said(app, "#totals"))
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, AskText))
        await type_in(pilot, CARD)
        await until(pilot, lambda: "nothing to spend" in said(app))
        assert "To pay 2.50" in said(app, "#due")
