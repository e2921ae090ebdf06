"""The returns desk (F6) driven by the keyboard against a real store (hub, edge, acquirer):
a return by the receipt's barcode refunds the original tenders in proportion and shows each;
a return without a receipt needs a manager's override (a wrong PIN asks again); a refund
above the store's limit is asked of HQ and its status shown."""

from __future__ import annotations

import functools

import httpx
from textual.pilot import Pilot
from textual.widgets import DataTable

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.override import OverrideDialog
from pos_ui.screens.returns import ReturnsScreen
from tests.support import TillSession
from tests.ui_pilot import SIZE, said, sign_in_and_open, type_in, until
from tests.ui_support import KETTLE, MILK, TEA, UiStore


def row_count_is(app: TillApp, rows: int) -> bool:
    return app.screen.query_one("#lines", DataTable).row_count == rows


async def sell(pilot: Pilot[None], app: TillApp, codes: list[str], cash: str, card: bool) -> str:
    """Ring `codes` up and pay `cash` in cash (and the rest by card): the receipt number."""
    # the first key only once the scan field has the focus (the sale screen is mounted)
    await until(pilot, lambda: app.focused is not None and app.focused.id == "scan")
    await pilot.pause()
    for rows, code in enumerate(codes, start=1):
        await type_in(pilot, code)  # the next code once this one is on screen
        try:
            await until(pilot, functools.partial(row_count_is, app, rows))
        except AssertionError:
            raise AssertionError(f"{code}: {said(app, '#message')}") from None
    await pilot.press("f12")
    await until(pilot, lambda: app.screen.__class__.__name__ == "TenderDialog")
    await type_in(pilot, cash)
    if card:
        await pilot.press("f2")
    await until(pilot, lambda: "receipt" in said(app, "#message"))
    return said(app, "#message").rsplit("receipt ", 1)[1].strip()


async def edge_get(store: UiStore, path: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=store.edge_url, trust_env=False, timeout=30) as edge:
        edge.auth = TillSession(store.till_id, store.manager.staff_code, store.manager.pin)
        answer = await edge.get(path)
        assert answer.status_code == 200, answer.text
        body: dict[str, object] = answer.json()
        return body


async def test_a_return_by_receipt_barcode_refunds_each_original_tender(
    ui_store: UiStore,
) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        # given a sale of 2 tea and a kettle (29.99): 10.00 cash, the rest (19.99) by card
        receipt = await sell(pilot, app, [f"2*{TEA.gtin}", KETTLE.gtin or ""], "10", card=True)

        # when the customer brings the kettle back and the cashier scans the receipt
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await type_in(pilot, f"R:{receipt}")
        await until(pilot, lambda: app.screen.query_one("#lines", DataTable).row_count == 2)
        assert "card 19.99" in said(app, "#refund_to")
        await pilot.press("down", "enter")  # line 2, the kettle, all of it
        await pilot.press("f12")
        await until(pilot, lambda: "Refunded" in said(app, "#tenders"))

        # then each original tender is paid back in proportion: 24.99 x 19.99 / 29.99
        shown = said(app, "#tenders")
        assert "Refunded 24.99" in shown
        assert "Card refund 16.66" in shown and "****4242" in shown
        assert "Cash refund 8.33" in shown
        screen = app.screen
        assert isinstance(screen, ReturnsScreen) and screen.done is not None
        return_id = screen.done.return_id

        # and F12 again refunds nothing more
        await pilot.press("f12")
        await until(pilot, lambda: "Refunded already" in said(app, "#message"))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReturnsScreen))

    # and the edge recorded that one return against the receipt
    recorded = await edge_get(ui_store, f"/v1/returns/{return_id}")
    assert recorded["total"] == "24.99"
    refunds = recorded["refunds"]
    assert isinstance(refunds, list)
    assert sorted((r["kind"], r["amount"]) for r in refunds) == [
        ("card", "16.66"),
        ("cash", "8.33"),
    ]


async def test_a_return_without_a_receipt_needs_a_managers_override(ui_store: UiStore) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        # when the cashier takes back a tea and two milks without a receipt
        await pilot.press("f2")
        await type_in(pilot, TEA.sku)
        await type_in(pilot, f"2*{MILK.sku}")
        await until(pilot, lambda: app.screen.query_one("#lines", DataTable).row_count == 2)
        await pilot.press("f12")

        # then the manager-override dialog opens; Escape backs out, nothing refunded
        await until(pilot, lambda: isinstance(app.screen, OverrideDialog))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        assert "Not approved" in said(app, "#message")

        # a wrong manager PIN is refused in words and the dialog asks again
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, OverrideDialog))
        await type_in(pilot, ui_store.manager.staff_code)
        await type_in(pilot, "0000")
        await until(
            pilot,
            lambda: isinstance(app.screen, OverrideDialog) and "Wrong PIN" in said(app, "#message"),
        )
        await type_in(pilot, ui_store.manager.staff_code)
        await type_in(pilot, ui_store.manager.pin)
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await until(pilot, lambda: "Refunded" in said(app, "#tenders"))
        assert "Cash refund 4.80" in said(app, "#tenders")
        screen = app.screen
        assert isinstance(screen, ReturnsScreen) and screen.done is not None
        return_id = screen.done.return_id

    recorded = await edge_get(ui_store, f"/v1/returns/{return_id}")
    assert recorded["total"] == "4.80"
    assert recorded["original_sale_id"] is None


async def test_a_refund_above_the_limit_is_asked_of_hq_and_its_status_shown(
    ui_store: UiStore,
) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        # given a sale of 11 kettles (274.89, above the default limit of 250.00) for cash
        receipt = await sell(pilot, app, [f"11*{KETTLE.sku}"], "300", card=False)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await type_in(pilot, receipt)  # the number as typed
        await until(pilot, lambda: app.screen.query_one("#lines", DataTable).row_count == 1)
        await pilot.press("space", "f12")

        # then the till says why and asks whether to ask HQ
        await until(pilot, lambda: app.screen.__class__.__name__ == "Confirm")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await until(pilot, lambda: "waiting for HQ" in said(app, "#tenders"))
        assert "274.89" in said(app, "#tenders")
        # and shows when HQ has the request (the edge's next sync)
        await until(pilot, lambda: "(at HQ)" in said(app, "#tenders"), timeout_s=30)
        screen = app.screen
        assert isinstance(screen, ReturnsScreen) and screen.request is not None
        request_id = screen.request.request_id

        # F12 again does not refund it while HQ has not decided
        await pilot.press("f12")
        await until(pilot, lambda: "not approved" in said(app, "#message"))

    held = await edge_get(ui_store, f"/v1/refund-requests/{request_id}")
    assert (held["status"], held["amount"], held["requested_by"]) == (
        "pending",
        "274.89",
        ui_store.cashier.staff_code,
    )


async def test_a_return_without_a_receipt_as_store_credit_names_the_customer(
    ui_store: UiStore,
) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await pilot.press("f2")
        await type_in(pilot, TEA.sku)
        await until(pilot, lambda: app.screen.query_one("#lines", DataTable).row_count == 1)
        # when the cashier chooses store credit (F3): the customer field takes the focus
        await pilot.press("f3")
        await until(pilot, lambda: "store credit" in said(app, "#refund_to"))
        await type_in(pilot, "C-100")
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, OverrideDialog))
        await type_in(pilot, ui_store.manager.staff_code)
        await type_in(pilot, ui_store.manager.pin)
        await until(pilot, lambda: "Refunded" in said(app, "#tenders"), timeout_s=20)
        assert "Store credit refund 2.50  Customer C-100" in said(app, "#tenders")
