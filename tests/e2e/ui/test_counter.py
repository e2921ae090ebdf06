"""The counter's keys driven by the keyboard against a real store (tests/ui_support.py): a
customer attached (F4), an item found by name with its price and stock and added (F3), a
line discount above the threshold approved by a manager's override (F7), a line voided (F8),
the sale parked and recalled (F5). What the cashier sees, then what the edge recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

import httpx
from textual.pilot import Pilot
from textual.widgets import DataTable

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.customer import CustomerDialog
from pos_ui.dialogs.discount import DiscountDialog
from pos_ui.dialogs.override import OverrideDialog
from pos_ui.dialogs.park import RecallDialog
from pos_ui.screens.lookup import LookupScreen
from pos_ui.screens.sale import SaleScreen
from pos_ui.widgets.status_bar import StatusBar
from tests.support import TillSession
from tests.ui_pilot import said, sign_in_and_open, type_in, until
from tests.ui_support import MILK, TEA, UiStore

SIZE = (120, 40)
CUSTOMER_ID = "C-0042"


async def put_customer(store: UiStore) -> None:
    """A customer record at the store (as a manager's edit at the edge would make it)."""
    body = {"fields": {"name": "Ada Lovelace", "phone": "020 7946 0000"}}
    async with httpx.AsyncClient(base_url=store.edge_url, trust_env=False) as edge:
        edge.auth = TillSession(store.till_id, store.manager.staff_code, store.manager.pin)
        answer = await edge.put(f"/v1/records/customer/{CUSTOMER_ID}", json=body)
        assert answer.status_code == 200, answer.text


async def test_a_cashier_attaches_a_customer_looks_up_discounts_voids_parks_and_recalls(
    ui_store: UiStore,
) -> None:
    await put_customer(ui_store)
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        sale = app.screen
        assert isinstance(sale, SaleScreen)
        sale_screen: SaleScreen = sale

        # F4: the customer, found by id, attached before the first item
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, CustomerDialog))
        await type_in(pilot, "C-9999")
        await until(pilot, lambda: "No customer C-9999" in said(app, "#message"))
        await pilot.press(*["backspace"] * 6)
        await type_in(pilot, CUSTOMER_ID)
        await until(pilot, lambda: "Ada Lovelace" in said(app, "#found"))
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is sale and sale_screen.cart_id is not None)
        assert "Ada Lovelace" in said(app, "#customer")

        # F3: found by part of its name, with price and stock; Enter adds it
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, LookupScreen))
        await type_in(pilot, "skimmed")
        await until(pilot, lambda: app.screen.query_one("#items", DataTable).row_count == 1)
        row = [str(cell) for cell in app.screen.query_one("#items", DataTable).get_row_at(0)]
        assert row[:3] == [MILK.sku, MILK.description, f"{MILK.unit_price:.2f}"]
        assert row[4] == "?"  # the hub has published no stock count for this store
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.screen is sale and len(sale_screen.lines) == 1)
        assert TEA.gtin is not None
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: "TOTAL DUE 3.65" in said(app, "#totals"))

        # F7: 50 % off the tea (the highlighted line) is above a cashier's 10 %: a manager
        await pilot.press("f7")
        await until(pilot, lambda: isinstance(app.screen, DiscountDialog))
        await pilot.press("5", "0", "tab")
        await type_in(pilot, "dented box")
        await until(pilot, lambda: isinstance(app.screen, OverrideDialog))
        await type_in(pilot, ui_store.manager.staff_code)
        await type_in(pilot, ui_store.manager.pin)
        await until(pilot, lambda: app.screen is sale and "TOTAL DUE 2.40" in said(app, "#totals"))
        table = sale.query_one("#lines", DataTable)
        assert str(table.get_row_at(1)[3]) == "-1.25"

        # F8: the tea voided, after a yes
        await pilot.press("f8")
        await until(pilot, lambda: app.screen.__class__.__name__ == "Confirm")
        await pilot.press("enter")
        await until(pilot, lambda: "TOTAL DUE 1.15" in said(app, "#totals"))
        assert table.row_count == 1
        cart_id = sale.cart_id

        # F5: parked, the till is free; F5 on the empty sale lists it, Enter recalls it
        await pilot.press("f5")
        await until(pilot, lambda: "parked" in said(app, "#message"))
        assert sale.cart_id is None and table.row_count == 0
        assert "TOTAL DUE 0.00" in said(app, "#totals")
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, RecallDialog))
        await until(pilot, lambda: app.screen.query_one("#parked", DataTable).row_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is sale and sale_screen.cart_id == cart_id)
        assert "TOTAL DUE 1.15" in said(app, "#totals")
        assert "C-0042" in said(app, "#customer")

    # what the edge holds: the customer's cart, open again here, the tea discounted and voided
    async with httpx.AsyncClient(base_url=ui_store.edge_url, trust_env=False) as edge:
        edge.auth = TillSession(ui_store.till_id, ui_store.manager.staff_code, ui_store.manager.pin)
        cart = (await edge.get(f"/v1/carts/{cart_id}")).json()
    assert (cart["status"], cart["customer_id"], cart["total"]) == ("open", CUSTOMER_ID, "1.15")
    tea = next(line for line in cart["lines"] if line["sku"] == TEA.sku)
    assert tea["voided"] is True
    assert Decimal(tea["manual_discount"]) == Decimal("1.25")
    assert tea["discount_reason"] == "dented box"


async def test_a_price_override_asks_for_a_manager_again_after_a_wrong_pin(
    ui_store: UiStore,
) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        sale = app.screen
        assert isinstance(sale, SaleScreen) and TEA.gtin is not None
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: "TOTAL DUE 2.50" in said(app, "#totals"))

        # F7, "Line price override" chosen by keyboard, 1.99 for a price match
        await pilot.press("f7")
        await until(pilot, lambda: isinstance(app.screen, DiscountDialog))
        await pilot.press("shift+tab", "enter", *["down"] * 4, "enter")
        await pilot.press("tab", *"1.99", "tab", "enter", "down", "enter", "tab")
        await type_in(pilot, "shop opposite")
        await until(pilot, lambda: isinstance(app.screen, OverrideDialog))

        # a wrong manager PIN: refused, said so, asked again; the right one: done
        await type_in(pilot, ui_store.manager.staff_code)
        await type_in(pilot, "0000")
        await until(pilot, lambda: "Wrong PIN" in said(app, "#message"))
        assert isinstance(app.screen, OverrideDialog)
        await type_in(pilot, ui_store.manager.staff_code)
        await type_in(pilot, ui_store.manager.pin)
        await until(pilot, lambda: "TOTAL DUE 1.99" in said(app, "#totals"))
        cart_id = sale.cart_id

    async with httpx.AsyncClient(base_url=ui_store.edge_url, trust_env=False) as edge:
        edge.auth = TillSession(ui_store.till_id, ui_store.manager.staff_code, ui_store.manager.pin)
        cart = (await edge.get(f"/v1/carts/{cart_id}")).json()
    (tea,) = cart["lines"]
    assert (tea["unit_price"], tea["price_source"], tea["price_reason"], tea["price_note"]) == (
        "1.99",
        "override",
        "price_match",
        "shop opposite",
    )


# Snapshot tests: each counter screen as the cashier sees it (synchronous: snap_compare).

Steps = Callable[[Pilot[None]], Awaitable[None]]


def snapshot_of(snap_compare: Callable[..., bool], store: UiStore, steps: Steps) -> bool:
    app = TillApp(TillClient(store.edge_url, store.till_id))

    async def run_before(pilot: Pilot[None]) -> None:
        await sign_in_and_open(pilot, app)
        # The status bar's outbox count moves with the sync agent's own cycles: no picture
        # holds it still (it has its own tests), so these pictures are without it.
        app.screen.query_one(StatusBar).display = False
        await steps(pilot)
        await pilot.pause(0.3)

    return snap_compare(app, run_before=run_before, terminal_size=SIZE)


async def scanned_tea(pilot: Pilot[None]) -> None:
    assert TEA.gtin is not None
    await type_in(pilot, TEA.gtin)
    await until(pilot, lambda: "TOTAL DUE 2.50" in said(pilot.app, "#totals"))


def test_snapshot_item_look_up(snap_compare: Callable[..., bool], ui_store: UiStore) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(pilot.app.screen, LookupScreen))
        await type_in(pilot, "l")
        await until(pilot, lambda: pilot.app.screen.query_one("#items", DataTable).row_count > 2)
        await pilot.press("down")

    assert snapshot_of(snap_compare, ui_store, steps)


def test_snapshot_customer(snap_compare: Callable[..., bool], ui_store: UiStore) -> None:
    asyncio.run(put_customer(ui_store))

    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(pilot.app.screen, CustomerDialog))
        await type_in(pilot, CUSTOMER_ID)
        await until(pilot, lambda: "Ada" in str(pilot.app.screen.query_one("#found").render()))

    assert snapshot_of(snap_compare, ui_store, steps)


def test_snapshot_recall(snap_compare: Callable[..., bool], ui_store: UiStore) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await scanned_tea(pilot)
        await pilot.press("f5")
        await until(pilot, lambda: "parked" in said(pilot.app, "#message"))
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(pilot.app.screen, RecallDialog))
        await until(pilot, lambda: pilot.app.screen.query_one("#parked", DataTable).row_count == 1)

    assert snapshot_of(snap_compare, ui_store, steps)


def test_snapshot_discount(snap_compare: Callable[..., bool], ui_store: UiStore) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        await scanned_tea(pilot)
        await pilot.press("f7")
        await until(pilot, lambda: isinstance(pilot.app.screen, DiscountDialog))
        await pilot.press("5", "0", "tab", *"dented box")

    assert snapshot_of(snap_compare, ui_store, steps)
