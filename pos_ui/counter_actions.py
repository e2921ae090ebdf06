"""The counter's keys on the sale screen (F3 look-up, F4 customer, F5 park/recall, F7
discount, F8 void line): each opens its dialog in a worker and shows the cart the edge
answers. `SaleScreen` calls these from one-line actions; they read and set its cart
(`cart_id`, `lines`, `total`) and speak through its message line."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from pos_ui import api_counter
from pos_ui.api_counter import Customer
from pos_ui.client import EdgeRefused, EdgeUnreachable, new_id
from pos_ui.dialogs.approval import with_override
from pos_ui.dialogs.confirm import Confirm
from pos_ui.dialogs.customer import CustomerDialog
from pos_ui.dialogs.discount import DiscountDialog
from pos_ui.dialogs.park import RecallDialog
from pos_ui.models import Cart, CartLine
from pos_ui.screens.lookup import LookupScreen

# The sale screen's keys for these (its action `counter` calls the function named).
KEYS: tuple[tuple[str, str], ...] = (
    ("f3", "counter('look_up')"),
    ("f4", "counter('attach_customer')"),
    ("f5", "counter('park_or_recall')"),
    ("f7", "counter('discount')"),
    ("f8", "counter('void_line')"),
)

if TYPE_CHECKING:
    from pos_ui.screens.sale import SaleScreen


class CustomerLabel(Static):
    """The customer attached to the sale on screen (`cart_id`: the cart they belong to)."""

    cart_id: UUID | None = None


def show_cart(screen: SaleScreen, cart: Cart) -> None:
    """Redraw the sale from `cart` as the edge holds it (voided lines leave the table)."""
    screen.cart_id = cart.cart_id
    screen.lines = []
    screen.pending = None
    screen.query_one("#lines", DataTable).clear()
    for line in cart.lines:
        if not line.voided:
            screen._add(line)
    screen.total = cart.total
    screen._show_totals()
    _show_customer(screen, cart.customer_id)


def _show_customer(screen: SaleScreen, customer_id: str | None, name: str | None = None) -> None:
    labels = screen.query("#customer")
    label = labels.first(CustomerLabel) if labels else None
    if label is None:
        label = CustomerLabel("", id="customer")
        screen.mount(label, before="#totals")
        label.styles.padding = (0, 1)
        label.styles.height = 1
        screen.set_interval(0.5, lambda: _forget_customer(screen))
    label.cart_id = screen.cart_id
    shown = f"{name}  ({customer_id})" if name and customer_id else customer_id
    label.update(f"Customer: {shown}" if customer_id else "")


def _forget_customer(screen: SaleScreen) -> None:
    """The sale was paid, voided or parked: its customer leaves the screen with it."""
    for label in screen.query("#customer").results(CustomerLabel):
        if label.cart_id != screen.cart_id:
            label.update("")


def highlighted_line(screen: SaleScreen) -> CartLine | None:
    """The line the sale screen highlights (None: no lines, or none highlighted)."""
    table = screen.query_one("#lines", DataTable)
    if not screen.lines or table.cursor_row < 0:
        return None
    key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
    return next((line for line in screen.lines if str(line.line_id) == key), None)


def look_up(screen: SaleScreen) -> None:
    """F3: the look-up screen; the item chosen is rung up as if scanned."""

    async def run() -> None:
        sku = await screen.app.push_screen(LookupScreen(screen.client), wait_for_dismiss=True)
        if sku:
            await screen.scan(sku)

    screen.run_worker(run(), group="counter", exclusive=True)


def attach_customer(screen: SaleScreen) -> None:
    """F4: attach a customer. The edge takes a customer only when the cart opens, so this
    opens the sale's cart with them: before the first item."""

    async def run() -> None:
        if screen.cart_id is not None:
            screen.app.bell()
            screen._say(
                "Attach the customer before the first item (pay or park this sale first).",
                error=True,
            )
            return
        found: Customer | None = await screen.app.push_screen(
            CustomerDialog(screen.client), wait_for_dismiss=True
        )
        if found is None:
            return
        cart_id = new_id()
        while True:
            try:
                cart = await screen.client.open_cart(cart_id, found.key)
                break
            except EdgeUnreachable:
                again = await screen.app.push_screen(
                    Confirm("The till's node is not answering. Try again?"),
                    wait_for_dismiss=True,
                )
                if not again:
                    return
            except EdgeRefused as refused:
                screen.app.bell()
                screen._say(f"Customer not attached: {refused.detail}", error=True)
                return
        show_cart(screen, cart)
        _show_customer(screen, found.key, found.name)
        screen._say(f"Customer {found.name or found.key} attached. Scan the first item.")

    screen.run_worker(run(), group="counter", exclusive=True)


def park_or_recall(screen: SaleScreen) -> None:
    """F5: park the sale on screen; with no sale on screen, list the parked ones to recall."""

    async def run() -> None:
        if screen.cart_id is None or not screen.lines:
            cart = await screen.app.push_screen(RecallDialog(screen.client), wait_for_dismiss=True)
            if cart is not None:
                show_cart(screen, cart)
                screen._say(f"Recalled: {len(screen.lines)} lines, {cart.total:.2f}.")
            return
        cart_id = screen.cart_id
        try:
            parked = await api_counter.park(screen.client, cart_id)
        except (EdgeRefused, EdgeUnreachable) as error:
            screen.app.bell()
            screen._say(f"Not parked: {error}. F5 tries again.", error=True)
            return
        screen._new_cart()
        _forget_customer(screen)
        screen._say(f"Sale parked ({parked.total:.2f}). F5 on an empty sale recalls it.")

    screen.run_worker(run(), group="counter", exclusive=True)


def discount(screen: SaleScreen) -> None:
    """F7: the discount dialog for the highlighted line (or the whole sale)."""
    if screen.cart_id is None or not screen.lines:
        screen.app.bell()
        screen._say("Nothing to discount: scan an item first.", error=True)
        return
    cart_id = screen.cart_id

    async def run() -> None:
        cart = await screen.app.push_screen(
            DiscountDialog(screen.client, cart_id, highlighted_line(screen)), wait_for_dismiss=True
        )
        if cart is not None:
            show_cart(screen, cart)
            screen._say(f"Done. TOTAL DUE {cart.total:.2f}")

    screen.run_worker(run(), group="counter", exclusive=True)


def void_line(screen: SaleScreen) -> None:
    """F8: void the highlighted line, after a yes (and a manager's override if needed)."""
    line = highlighted_line(screen)
    if screen.cart_id is None or line is None:
        screen.app.bell()
        screen._say("No line to void: scan an item first.", error=True)
        return
    cart_id = screen.cart_id

    async def run() -> None:
        words = f"{line.description or line.sku}  {line.line_total:.2f}"
        if not await screen.app.push_screen(Confirm(f"Void {words}?"), wait_for_dismiss=True):
            return
        try:
            cart = await with_override(
                screen.app,
                f"Approve voiding {words}",
                lambda headers: api_counter.void_line(
                    screen.client, cart_id, line.line_id, headers
                ),
            )
        except (EdgeRefused, EdgeUnreachable) as error:
            screen.app.bell()
            screen._say(f"Not voided: {error}. F8 tries again.", error=True)
            return
        if cart is None:
            screen._say("Not voided: no manager approved it.")
            return
        show_cart(screen, cart)
        screen._say(f"Voided {words}.")

    screen.run_worker(run(), group="counter", exclusive=True)
