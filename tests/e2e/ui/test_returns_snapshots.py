"""Snapshots of the returns desk and the manager-override dialog against a real store: a
return by receipt barcode refunded to a card and cash, and the override a return without a
receipt asks for (its PIN masked)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.override import OverrideDialog
from pos_ui.screens.returns import ReturnsScreen
from tests.e2e.test_till_refund_approvals import ask_hq_for_eleven_kettles, decide
from tests.e2e.test_till_returns import sell
from tests.ui_pilot import SIZE, said, sign_in_and_open, type_in, until
from tests.ui_support import KETTLE, TEA, UiStore


def test_snapshot_of_a_return_refunded_to_card_and_cash(
    ui_store: UiStore, snap_compare: Any
) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))

    async def refund(pilot: Pilot[None]) -> None:
        await sign_in_and_open(pilot, app)
        receipt = await sell(pilot, app, [f"2*{TEA.gtin}", KETTLE.gtin or ""], "10", card=True)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await type_in(pilot, f"R:{receipt}")
        await until(pilot, lambda: "card 19.99" in said(app, "#refund_to"))
        await pilot.press("down", "enter", "f12")
        await until(pilot, lambda: "Refunded" in said(app, "#tenders"))
        await pilot.pause()

    assert snap_compare(app, run_before=refund, terminal_size=SIZE)


def test_snapshot_of_the_manager_override_dialog(ui_store: UiStore, snap_compare: Any) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))

    async def ask(pilot: Pilot[None]) -> None:
        await sign_in_and_open(pilot, app)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ReturnsScreen))
        await pilot.press("f2")
        await type_in(pilot, TEA.sku)
        await until(pilot, lambda: "to take back" in said(app, "#message"))
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, OverrideDialog))
        await type_in(pilot, ui_store.manager.staff_code)
        await pilot.press(*"99")  # half a PIN typed: shown masked
        await pilot.pause()

    assert snap_compare(app, run_before=ask, terminal_size=SIZE)


def test_snapshot_of_a_refund_hq_approved(ui_store_temporal: UiStore, snap_compare: Any) -> None:
    store = ui_store_temporal
    app = TillApp(TillClient(store.edge_url, store.till_id))

    async def approved(pilot: Pilot[None]) -> None:
        _, request_id = await ask_hq_for_eleven_kettles(pilot, app)
        await decide(store, request_id, approved=True, notes="faulty batch")
        await until(pilot, lambda: "APPROVED by HQ" in said(app, "#tenders"), timeout_s=30)
        await pilot.pause()

    assert snap_compare(app, run_before=approved, terminal_size=SIZE)
