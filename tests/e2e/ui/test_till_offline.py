"""The till when things break, as the cashier sees it, against real processes: the store's
link to HQ and to the card network cut in the middle of a sale (the till keeps selling, says
it is offline, stores the card within the offline limits with its deadline, refuses a card
above them, and sends everything once the link is back); the edge killed in the middle of a
card payment (the till keeps the sale on screen, and Enter after the restart finishes it with
the card charged once)."""

from __future__ import annotations

from decimal import Decimal

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.tender import TenderDialog
from pos_ui.screens.sale import SaleScreen
from tests.ui_pilot import SIZE, edge_get, rows, said, sign_in_and_open, type_in, until
from tests.ui_support import KETTLE, TEA, UiStore


def bar(app: TillApp) -> str:
    return said(app, "#status")


async def test_a_sale_goes_on_offline_with_the_card_stored_and_sent_when_back(
    ui_store: UiStore,
) -> None:
    assert TEA.gtin and KETTLE.gtin
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await until(pilot, lambda: "online" in bar(app) and "unsynced 0" in bar(app))
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: rows(app) == 1)

        # mid-sale the store loses HQ and the card network: the bar says so, scans go on
        await ui_store.cut_hub()
        await ui_store.cut_cards()
        await until(pilot, lambda: "OFFLINE" in bar(app))
        await type_in(pilot, KETTLE.gtin)
        await until(pilot, lambda: "TOTAL DUE 27.49" in said(app, "#totals"))

        # the card is stored offline (27.49, within 100 a card and 500 a till): the bar shows
        # one card to send with 24 h to go, and that the next may be up to 100.00
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen) and "receipt" in said(app))
        await until(pilot, lambda: "1 to send, 24h00m" in bar(app))
        assert "offline cards 100.00 left" in bar(app)
        assert "unsynced 0" not in bar(app)

        # five kettles (124.95) is above the offline limit of one card: refused in words,
        # the sale stays, and cash pays it
        await type_in(pilot, f"5*{KETTLE.gtin}")
        await until(pilot, lambda: "TOTAL DUE 124.95" in said(app, "#totals"))
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))
        await pilot.press("f2")
        await until(pilot, lambda: "over the offline limit" in said(app))
        assert "To pay 124.95" in said(app, "#due")
        await type_in(pilot, "130")
        await until(
            pilot, lambda: isinstance(app.screen, SaleScreen) and "Change 5.05" in said(app)
        )

        # back online: the stored card is forwarded and the outbox empties, on the bar
        await ui_store.restore_hub()
        await ui_store.restore_cards()
        await until(
            pilot,
            lambda: "online" in bar(app) and "unsynced 0" in bar(app) and "to send" not in bar(app),
            timeout_s=90,
        )

    payments = await edge_get(ui_store.edge_url, ui_store.till_id, "/v1/card-payments")
    assert [(p["status"], p["outcome"], p["amount"]) for p in payments] == [
        ("settled", "captured", "27.49")
    ]
    captures = await ui_store.card_captures()
    assert [item["amount"] for item in captures] == ["27.49"]


async def test_the_edge_killed_mid_card_payment_charges_the_card_once(ui_store: UiStore) -> None:
    assert KETTLE.gtin
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id, timeout_s=5.0))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await type_in(pilot, KETTLE.gtin)
        await until(pilot, lambda: "TOTAL DUE 24.99" in said(app, "#totals"))
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, TenderDialog))

        # the acquirer charges the card, and the edge dies before it hears so
        await ui_store.kill_edge_when_the_acquirer_answers()
        await pilot.press("f2")
        await until(pilot, lambda: "not answering" in said(app))
        assert isinstance(app.screen, TenderDialog) and "card 24.99" in said(app, "#taken")

        # the edge is back: Enter sends the same tenders, the sale is made
        await ui_store.restart_edge()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen) and "receipt" in said(app))
        assert rows(app) == 0

    # one capture at the acquirer, one card payment at the edge, one sale
    captures = await ui_store.card_captures()
    assert [item["amount"] for item in captures] == ["24.99"]
    payments = await edge_get(
        ui_store.edge_url, ui_store.till_id, "/v1/card-payments", {"status": "captured"}
    )
    assert [(p["status"], p["amount"]) for p in payments] == [("captured", "24.99")]
    x = await edge_get(
        ui_store.edge_url, ui_store.till_id, "/v1/shifts/current", {"till_id": ui_store.till_id}
    )
    report = await edge_get(
        ui_store.edge_url, ui_store.till_id, f"/v1/shifts/{x['shift_id']}/x-report"
    )
    assert report["totals"]["sales_count"] == 1
    assert Decimal(report["totals"]["sales"]) == Decimal("24.99")
