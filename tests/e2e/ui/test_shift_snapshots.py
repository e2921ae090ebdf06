"""Snapshots of the shift's screens against a real store (tests/ui_support.py): the shift
menu, the X report, the blind count, the Z on screen, cash paid out, the no-sale. The edge's
clock stands still, so the screens are the same on every run (the status bar, whose outbox
count does not stand still, is hidden: see `hide_status_bar`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.cash import CashDialog, NoSaleDialog
from pos_ui.screens.shift import CloseShiftScreen, ShiftMenu, XReportScreen
from pos_ui.widgets.status_bar import StatusBar
from tests.e2e.ui.test_shift_ui import open_and_sell
from tests.ui_pilot import said, type_in, until
from tests.ui_support import UiStore

SIZE = (120, 40)
Steps = Callable[[Pilot[Any]], Awaitable[None]]


def hide_status_bar(pilot: Pilot[Any]) -> None:
    """Hide the sale screen's status bar (before any dialog opens over it, so the dialog's
    background is drawn without it): its outbox count moves with the sync agent's own cycles
    (0 or 1 at the moment of the picture), which no snapshot can hold still. The status bar
    has its own tests; these pictures are of the shift's dialogs."""
    pilot.app.screen.query_one(StatusBar).display = False


def snapshot(snap_compare: Any, ui_store: UiStore, steps: Steps) -> bool:
    """The till after a sale of a tea for cash, then `steps`, with the outbox drained."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TillApp)
        await open_and_sell(pilot, app)
        hide_status_bar(pilot)
        await pilot.pause()
        await steps(pilot)

    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    result: bool = snap_compare(app, run_before=run_before, terminal_size=SIZE)
    return result


async def menu(pilot: Pilot[Any]) -> None:
    await pilot.press("f10")
    await until(pilot, lambda: isinstance(pilot.app.screen, ShiftMenu))


def test_the_shift_menu(snap_compare: Any, ui_store: UiStore) -> None:
    assert snapshot(snap_compare, ui_store, menu)


def test_the_x_report(snap_compare: Any, ui_store: UiStore) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await menu(pilot)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(pilot.app.screen, XReportScreen))
        await until(pilot, lambda: "Expected cash" in said(pilot.app, "#text"))

    assert snapshot(snap_compare, ui_store, steps)


def test_the_blind_count_by_denomination(snap_compare: Any, ui_store: UiStore) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await menu(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(pilot.app.screen, CloseShiftScreen))
        await pilot.press("enter")  # no total: count each
        for count in ("", "5"):  # no 50s, five 20s
            await type_in(pilot, count)
        await pilot.press(*"1")  # and one 10, not yet entered

    assert snapshot(snap_compare, ui_store, steps)


def test_the_z_report_on_screen(snap_compare: Any, ui_store: UiStore) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await menu(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(pilot.app.screen, CloseShiftScreen))
        await pilot.press("enter")
        for count in ("", "5", "", "", "", "2"):  # five 20s and two 1s: 102.00
            await type_in(pilot, count)
        await pilot.press("f10")
        await until(pilot, lambda: "Z report 1" in said(pilot.app, "#z_head"))
        await until(pilot, lambda: "Z REPORT 1" in said(pilot.app, "#z_text"))

    assert snapshot(snap_compare, ui_store, steps)


def test_cash_paid_out(snap_compare: Any, ui_store: UiStore) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await menu(pilot)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(pilot.app.screen, CashDialog))
        await type_in(pilot, "2.40")
        await pilot.press(*"milk")

    assert snapshot(snap_compare, ui_store, steps)


def test_the_no_sale(snap_compare: Any, ui_store: UiStore) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await menu(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoSaleDialog))

    assert snapshot(snap_compare, ui_store, steps)
