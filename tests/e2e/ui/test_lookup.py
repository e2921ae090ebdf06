"""Look-up, customers and quantity at the till, by the keyboard against a real store
(tests/ui_support.py): an item found by its GTIN (F3), a customer found by part of their
name or phone as the cashier types and picked from the list (F4), and a line's quantity
changed, a weighed line's weight too (F2). What the cashier sees, then what the edge holds;
and snapshots of the customer list and of the quantity dialog (looked at as PNG)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import httpx
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from pos_ui.app import TillApp
from pos_ui.client import TillClient
from pos_ui.dialogs.customer import CustomerDialog
from pos_ui.dialogs.quantity import QuantityDialog
from pos_ui.screens.lookup import LookupScreen
from pos_ui.screens.sale import SaleScreen
from tests.e2e.ui.test_counter import SIZE, snapshot_of
from tests.support import TillSession
from tests.ui_pilot import said, sign_in_and_open, type_in, until
from tests.ui_support import APPLES, CHOCOLATE, TEA, UiStore, weight_label

CUSTOMERS = {
    "C-0042": {"name": "Ada Lovelace", "phone": "020 7946 0000", "email": "ada@example.test"},
    "C-0043": {"name": "Charles Babbage", "phone": "0161 496 0001", "email": None},
    "C-0044": {"name": "Ada Byron", "phone": None, "email": "byron@example.test"},
}


async def put_customers(store: UiStore) -> None:
    """The customers at the store (as a manager's edit at the edge would make them)."""
    async with httpx.AsyncClient(base_url=store.edge_url, trust_env=False) as edge:
        edge.auth = TillSession(store.till_id, store.manager.staff_code, store.manager.pin)
        for key, fields in CUSTOMERS.items():
            answer = await edge.put(f"/v1/records/customer/{key}", json={"fields": fields})
            assert answer.status_code == 200, answer.text


async def cart_at_edge(store: UiStore, cart_id: object) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=store.edge_url, trust_env=False) as edge:
        edge.auth = TillSession(store.till_id, store.manager.staff_code, store.manager.pin)
        answer = await edge.get(f"/v1/carts/{cart_id}")
    assert answer.status_code == 200, answer.text
    cart: dict[str, object] = answer.json()
    return cart


def rows(pilot: Pilot[None], selector: str) -> list[list[str]]:
    table = pilot.app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def test_an_item_is_found_by_its_gtin_and_rung_up(ui_store: UiStore) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        sale = app.screen
        assert isinstance(sale, SaleScreen) and CHOCOLATE.gtin and TEA.gtin

        # a GTIN with a wrong check digit: said so, nothing listed
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, LookupScreen))
        wrong = TEA.gtin[:-1] + str((int(TEA.gtin[-1]) + 1) % 10)
        await type_in(pilot, wrong)
        await until(pilot, lambda: f"No item has the GTIN {wrong}" in said(app, "#message"))
        assert rows(pilot, "#items") == []

        # the chocolate's GTIN-8: listed with its price; Down, Enter rings it up
        query = app.screen.query_one("#query", Input)
        query.value = ""
        await type_in(pilot, CHOCOLATE.gtin)
        await until(pilot, lambda: len(rows(pilot, "#items")) == 1)
        assert rows(pilot, "#items")[0][:3] == [
            CHOCOLATE.sku,
            CHOCOLATE.description,
            f"{CHOCOLATE.unit_price:.2f}",
        ]
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.screen is sale and "TOTAL DUE 0.85" in said(app, "#totals"))

        # the tea's GTIN-13 typed as its GTIN-14 (a leading zero) finds the tea
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, LookupScreen))
        await type_in(pilot, "0" + TEA.gtin)
        await until(pilot, lambda: len(rows(pilot, "#items")) == 1)
        assert rows(pilot, "#items")[0][0] == TEA.sku


async def test_a_customer_is_found_by_name_or_phone_as_the_cashier_types_and_picked(
    ui_store: UiStore,
) -> None:
    await put_customers(ui_store)
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        sale = app.screen
        assert isinstance(sale, SaleScreen)
        sale_screen: SaleScreen = sale

        # "ada": both Adas listed as it is typed (no Enter), by name
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, CustomerDialog))
        await pilot.press(*"ada")
        await until(pilot, lambda: len(rows(pilot, "#matches")) == 2)
        assert [row[0] for row in rows(pilot, "#matches")] == ["Ada Byron", "Ada Lovelace"]
        assert "2 customers" in said(app, "#message")

        # more letters narrow it; nobody matching says so
        await pilot.press(*"x")
        await until(pilot, lambda: "Nobody matches 'adax'" in said(app, "#message"))
        assert rows(pilot, "#matches") == []

        # the phone as digits without its spaces: Charles; Escape attaches nobody
        app.screen.query_one("#customer_id", Input).value = ""
        await pilot.press(*"01614960001")
        await until(pilot, lambda: [r[0] for r in rows(pilot, "#matches")] == ["Charles Babbage"])
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is sale)
        assert sale_screen.cart_id is None

        # F4 again, "love", Down to the list, Enter: Ada Lovelace on the sale
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, CustomerDialog))
        await pilot.press(*"love")
        await until(pilot, lambda: len(rows(pilot, "#matches")) == 1)
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.screen is sale and sale_screen.cart_id is not None)
        assert "Ada Lovelace" in said(app, "#customer")
        cart_id = sale_screen.cart_id

    cart = await cart_at_edge(ui_store, cart_id)
    assert cart["customer_id"] == "C-0042"


async def test_a_lines_quantity_and_a_weighed_lines_weight_are_changed(ui_store: UiStore) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        sale = app.screen
        assert isinstance(sale, SaleScreen) and TEA.gtin
        table = sale.query_one("#lines", DataTable)
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: "TOTAL DUE 2.50" in said(app, "#totals"))
        await type_in(pilot, weight_label(APPLES, Decimal("0.500")))
        await until(pilot, lambda: "TOTAL DUE 3.60" in said(app, "#totals"))

        # F2 on the apples (the highlighted line): four places refused, the text kept
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, QuantityDialog))
        assert "Apples" in said(app, "#target") and "0.500 kg" in said(app, "#target")
        await type_in(pilot, "0.7355")
        await until(pilot, lambda: "at most 3 places" in said(app, "#message"))
        assert app.screen.query_one("#quantity", Input).value == "0.7355"
        await pilot.press("backspace", "enter")
        await until(pilot, lambda: app.screen is sale and "TOTAL DUE 4.12" in said(app, "#totals"))
        assert str(table.get_row_at(1)[0]) == "0.735 kg" and str(table.get_row_at(1)[4]) == "1.62"

        # Shift+Tab to the lines, Up to the tea, F2, Escape: nothing changes; F2, 3: three teas
        await pilot.press("shift+tab", "up", "f2")
        await until(pilot, lambda: isinstance(app.screen, QuantityDialog))
        await pilot.press("3", "escape")
        await until(pilot, lambda: app.screen is sale)
        assert "TOTAL DUE 4.12" in said(app, "#totals")
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, QuantityDialog))
        assert "Tea bags" in said(app, "#target")
        await type_in(pilot, "3")
        await until(pilot, lambda: app.screen is sale and "TOTAL DUE 9.12" in said(app, "#totals"))
        assert [str(cell) for cell in table.get_row_at(0)][:1] == ["3"]
        assert table.row_count == 2
        # then down to one (fewer units: a partial void, the cashier may)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, QuantityDialog))
        await type_in(pilot, "1")
        await until(pilot, lambda: app.screen is sale and "TOTAL DUE 4.12" in said(app, "#totals"))
        cart_id = sale.cart_id

    cart = await cart_at_edge(ui_store, cart_id)
    held = cart["lines"]
    assert isinstance(held, list)
    lines = {line["sku"]: line for line in held}
    assert (lines[TEA.sku]["quantity"], lines[APPLES.sku]["quantity"]) == (1, "0.735")
    assert cart["total"] == "4.12"


async def test_a_quantity_the_edge_did_not_answer_is_kept_and_sent_again(
    ui_store: UiStore,
) -> None:
    app = TillApp(TillClient(ui_store.edge_url, ui_store.till_id))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app)
        sale = app.screen
        assert isinstance(sale, SaleScreen) and TEA.gtin
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: "TOTAL DUE 2.50" in said(app, "#totals"))
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, QuantityDialog))

        # the node is down: said so, the dialog and the 3 stay
        await ui_store.kill_edge()
        await type_in(pilot, "3")
        await until(pilot, lambda: "not answering" in said(app, "#message"))
        assert isinstance(app.screen, QuantityDialog)
        assert app.screen.query_one("#quantity", Input).value == "3"

        # back: Enter sends the same quantity; three teas, one line
        await ui_store.restart_edge()
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is sale and "TOTAL DUE 7.50" in said(app, "#totals"))
        cart_id = sale.cart_id

    cart = await cart_at_edge(ui_store, cart_id)
    lines = cart["lines"]
    assert isinstance(lines, list) and [line["quantity"] for line in lines] == [3]


# Snapshots (synchronous: snap_compare)


def test_snapshot_customer_list(snap_compare: Callable[..., bool], ui_store: UiStore) -> None:
    asyncio.run(put_customers(ui_store))

    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(pilot.app.screen, CustomerDialog))
        await pilot.press(*"example")
        await until(pilot, lambda: len(rows(pilot, "#matches")) == 2)
        await pilot.press("down")

    assert snapshot_of(snap_compare, ui_store, steps)


def test_snapshot_quantity(snap_compare: Callable[..., bool], ui_store: UiStore) -> None:
    async def steps(pilot: Pilot[None]) -> None:
        assert TEA.gtin
        await type_in(pilot, TEA.gtin)
        await until(pilot, lambda: "TOTAL DUE 2.50" in said(pilot.app, "#totals"))
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(pilot.app.screen, QuantityDialog))
        await pilot.press("3")

    assert snapshot_of(snap_compare, ui_store, steps)
