"""The till's first screens against a real store (tests/ui_support.py): a sale rung up by
GTIN with a quantity prefix and a weight label, paid by card and cash by the keyboard; and
snapshots of the sign-in, opening float, sale, tender, help and weighing screens (looked at:
docs/screens/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from textual.pilot import Pilot
from textual.widgets import Input

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.screens.sale import SaleScreen
from pos_ui.screens.sign_in import OpenShiftScreen, SignInScreen
from pos_ui.widgets.status_bar import StatusBar
from tests.support import TillSession
from tests.ui_pilot import SIZE, edge_get, said, type_in, until
from tests.ui_support import APPLES, KETTLE, TEA, UiStore, weight_label


async def open_till(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, TillApp)
    await until(pilot, lambda: isinstance(app.screen, SignInScreen))
    await type_in(pilot, "1001")
    await type_in(pilot, "1234")
    await until(pilot, lambda: isinstance(app.screen, OpenShiftScreen))
    await type_in(pilot, "100")
    await until(
        pilot,
        lambda: (
            isinstance(app.screen, SaleScreen)
            and app.focused is app.screen.query_one("#scan", Input)
        ),
    )


async def ring_up(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, TillApp)
    await open_till(pilot)
    await type_in(pilot, f"2*{TEA.gtin}")
    await type_in(pilot, weight_label(APPLES, Decimal("0.500")))
    await type_in(pilot, f"{KETTLE.gtin}")
    await until(pilot, lambda: "TOTAL DUE 31.09" in said(app, "#totals"))


async def test_a_sale_by_gtin_and_weight_label_is_paid_by_card_and_cash(ui_store: UiStore) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await ring_up(pilot)  # 2 x 2.50 + 0.500 kg x 2.20 + 24.99 = 31.09
        await pilot.press("f12")
        await until(pilot, lambda: type(app.screen).__name__ == "TenderDialog")
        await pilot.press(*"20")
        await pilot.press("f2")  # 20.00 by card
        await until(pilot, lambda: "To pay 11.09" in said(app, "#due"))
        await type_in(pilot, "20")  # 20.00 cash: 8.91 change
        await until(pilot, lambda: "Change 8.91" in said(app))

    async with httpx.AsyncClient(base_url=ui_store.edge_url, trust_env=False) as edge:
        edge.auth = TillSession("T1", "1001", "1234")
        (sale,) = (await edge.get("/v1/sales", params={"business_day": "2025-03-03"})).json()
    kinds: list[tuple[str, Any, Any]] = [
        (t["kind"], Decimal(t["amount"]), Decimal(t["change"])) for t in sale["tenders"]
    ]
    assert kinds == [("card", Decimal("20.00"), 0), ("cash", Decimal("11.09"), Decimal("8.91"))]
    assert sale["tenders"][0]["card"]["status"] == "captured"


def hide_status_bars(app: Any) -> None:
    """The status bar's outbox count moves with the sync agent's own cycles: no picture holds
    it still (it has its own tests: tests/unit/test_till_status_bar.py), so it is hidden."""
    for screen in app.screen_stack:
        for bar in screen.query(StatusBar):
            bar.display = False


def test_snapshot_of_the_sign_in_screen(ui_store: UiStore, snap_compare: Any) -> None:
    async def wait(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
        hide_status_bars(pilot.app)
        await pilot.press(*"1001", "enter", *"12")

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    assert snap_compare(app, run_before=wait, terminal_size=SIZE)


def test_snapshot_of_a_sale_on_screen(ui_store: UiStore, snap_compare: Any) -> None:
    async def rung_up(pilot: Pilot[None]) -> None:
        await ring_up(pilot)
        hide_status_bars(pilot.app)

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    assert snap_compare(app, run_before=rung_up, terminal_size=SIZE)


def test_snapshot_of_the_tender_dialog(ui_store: UiStore, snap_compare: Any) -> None:
    async def to_tender(pilot: Pilot[None]) -> None:
        await ring_up(pilot)
        hide_status_bars(pilot.app)
        await pilot.press("f12")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "TenderDialog")
        await pilot.press(*"20", "f2")
        await until(pilot, lambda: "To pay 11.09" in said(pilot.app, "#due"))

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    assert snap_compare(app, run_before=to_tender, terminal_size=SIZE)


def test_snapshot_of_the_opening_float(ui_store: UiStore, snap_compare: Any) -> None:
    async def signed_in(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
        await type_in(pilot, "1001")
        await type_in(pilot, "1234")
        await until(pilot, lambda: isinstance(pilot.app.screen, OpenShiftScreen))
        await until(pilot, lambda: bool(pilot.app.screen.query("#total")))
        hide_status_bars(pilot.app)
        await pilot.press("enter", *"3", "enter", *"2", "enter", "enter", *"2")

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    assert snap_compare(app, run_before=signed_in, terminal_size=SIZE)


def test_snapshot_of_the_help_screen(ui_store: UiStore, snap_compare: Any) -> None:
    async def helped(pilot: Pilot[None]) -> None:
        await open_till(pilot)
        hide_status_bars(pilot.app)
        await pilot.press("f1")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "HelpScreen")

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    assert snap_compare(app, run_before=helped, terminal_size=(120, 40))


def test_snapshot_of_a_scale_not_steady(ui_store: UiStore, snap_compare: Any) -> None:
    async def unsteady(pilot: Pilot[None]) -> None:
        await ui_store.set_scale_unstable(1000)
        await open_till(pilot)
        hide_status_bars(pilot.app)
        await type_in(pilot, APPLES.sku)
        await until(pilot, lambda: "not steady" in said(pilot.app))

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    assert snap_compare(app, run_before=unsteady, terminal_size=SIZE)


async def test_the_float_counted_by_denomination_opens_the_shift(ui_store: UiStore) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        await type_in(pilot, "1001")
        await type_in(pilot, "1234")
        await until(pilot, lambda: bool(app.screen.query("#total")))
        # a total that is not money is said so, and nothing opens
        await type_in(pilot, "1.2.3")
        await until(pilot, lambda: "not an amount" in said(app))
        await pilot.press(*["backspace"] * 5)
        # no total: three 20s and four 50p coins, F10 when done
        await pilot.press("enter", "enter", *"3", "enter")
        await pilot.press(*["enter"] * 4, *"4", "f10")
        await until(pilot, lambda: isinstance(app.screen, SaleScreen))
    shift = await edge_get(
        ui_store.edge_url, ui_store.till_id, "/v1/shifts/current", {"till_id": ui_store.till_id}
    )
    assert shift["totals"]["float_cash"] == "62.00"


def test_snapshot_of_the_receipt_after_a_sale(ui_store: UiStore, snap_compare: Any) -> None:
    async def paid(pilot: Pilot[None]) -> None:
        await ring_up(pilot)
        hide_status_bars(pilot.app)
        await pilot.press("f12")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "TenderDialog")
        await type_in(pilot, "40")
        await until(pilot, lambda: "Receipt printed" in said(pilot.app, "#receipt_state"))

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    assert snap_compare(app, run_before=paid, terminal_size=SIZE)


def test_snapshot_of_a_double_scan_question(ui_store: UiStore, snap_compare: Any) -> None:
    async def twice(pilot: Pilot[None]) -> None:
        await open_till(pilot)
        hide_status_bars(pilot.app)
        await type_in(pilot, f"{KETTLE.gtin}")
        await until(pilot, lambda: "TOTAL DUE 24.99" in said(pilot.app, "#totals"))
        await type_in(pilot, f"{KETTLE.gtin}")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "Confirm")

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id), double_scan_s=3600)
    assert snap_compare(app, run_before=twice, terminal_size=SIZE)


def test_snapshot_of_voiding_the_sale(ui_store: UiStore, snap_compare: Any) -> None:
    async def void(pilot: Pilot[None]) -> None:
        await ring_up(pilot)
        hide_status_bars(pilot.app)
        await pilot.press("f9")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "AskText")
        await pilot.press(*"customer left")

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    assert snap_compare(app, run_before=void, terminal_size=SIZE)
