"""F2: a new quantity for the highlighted line of the sale.

Type the quantity and Enter: whole units for an item sold by the unit, a weight in kg with up
to 3 places (0.735) for an item sold by weight. The edge prices the line again (it loses a
manual discount it had). Fewer units are a partial void: a role without `void_line` gets the
manager-override dialog, and the same request is sent with the approval. A refusal is shown
and the typed quantity stays; a request without an answer is sent again by Enter (the same
quantity twice changes nothing at the edge). Escape backs out changing nothing.

`change_quantity(screen)` is what the sale screen's F2 runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from uuid import UUID

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from pos_ui import api_counter
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient
from pos_ui.counter_actions import highlighted_line, show_cart
from pos_ui.dialogs.approval import with_override
from pos_ui.models import Cart, CartLine

if TYPE_CHECKING:
    from pos_ui.screens.sale import SaleScreen

MAX_UNITS = 1_000_000  # shared.bounds.MAX_QUANTITY: the edge refuses more
KG_PLACES = 3

# The edge's refusals in a cashier's words (docs/api.md, PATCH .../lines/{line_id}).
ERROR_WORDS = {
    "invalid_quantity": "Not a quantity for this item",
    "line_over_cap": "Above the limit for one line",
    "sale_over_cap": "The sale would be above its limit",
    "line_voided": "That line is voided",
    "cart_parked": "The sale is parked",
    "cart_closed": "The sale is closed",
    "line_not_found": "That line is not on the sale",
}


def parse_quantity(text: str, unit: str) -> int | Decimal | str:
    """The quantity typed for a line sold by `unit` ("kg": a weight, up to 3 places; else
    whole units), above zero and at most a million; or a str saying what is wrong."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        return "Type a quantity above zero" + (", in kg (0.735)" if unit == "kg" else "")
    if value > MAX_UNITS:
        return "That is more than the till takes"
    if unit == "kg":
        if value != value.quantize(Decimal(1).scaleb(-KG_PLACES)):
            return "A weight has at most 3 places (grams): 0.735"
        return value.quantize(Decimal(1).scaleb(-KG_PLACES))
    if value != value.to_integral_value():
        return "Whole units for this item (it is not sold by weight)"
    return int(value)


class QuantityDialog(ModalScreen[Cart | None]):
    """A new quantity for `line` of cart `cart_id`; returns the cart as the edge answered it,
    or None (backed out, or no manager approved fewer units)."""

    BINDINGS = [Binding("escape", "back_out", "Back")]
    DEFAULT_CSS = """
    QuantityDialog { align: center middle; }
    QuantityDialog > Vertical { width: 64; height: auto; border: thick $accent; padding: 1 2;
                                background: $surface; }
    QuantityDialog #message { height: 2; color: $error; }
    QuantityDialog .label { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, client: TillClient, cart_id: UUID, line: CartLine) -> None:
        super().__init__()
        self.client = client
        self.cart_id = cart_id
        self.line = line

    def compose(self) -> ComposeResult:
        line = self.line
        weighed = line.unit == "kg"
        now = f"{line.quantity} kg" if weighed else f"{line.quantity}"
        with Vertical():
            yield Static("[b]Quantity[/b]")
            yield Static(
                f"{line.description or line.sku}\nnow {now} x {line.unit_price:.2f} = "
                f"{line.line_total:.2f}",
                id="target",
            )
            yield Static(
                "The new weight in kg (up to 3 places)" if weighed else "The new number of units",
                classes="label",
            )
            yield Input(
                id="quantity",
                placeholder="0.735" if weighed else "3",
                restrict=r"[0-9.]*" if weighed else r"[0-9]*",
                max_length=11,
            )
            yield Static("", id="message")
            yield Static("Enter: change it (a line discount goes)  |  Esc: back")

    def on_mount(self) -> None:
        self.query_one("#quantity", Input).focus()

    @on(Input.Submitted, "#quantity")
    def submitted(self, event: Input.Submitted) -> None:
        quantity = parse_quantity(event.value, self.line.unit)
        if isinstance(quantity, str):
            self._say(quantity)
            return
        self.send(quantity)

    @work(exclusive=True)
    async def send(self, quantity: int | Decimal) -> None:
        """Send it (with a manager's override when the edge asks); dismiss with the cart."""
        line = self.line

        async def request(headers: Mapping[str, str]) -> Cart:
            return await api_counter.change_quantity(
                self.client, self.cart_id, line.line_id, quantity, headers
            )

        words = f"{line.description or line.sku} from {line.quantity} to {quantity}"
        try:
            answer = await with_override(self.app, f"Approve changing {words}", request)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter sends it again.")
            return
        except EdgeRefused as refused:
            self._say(f"{ERROR_WORDS.get(refused.code, 'Refused')}: {refused.detail}")
            return
        if answer is None:
            self._say("Not changed: no manager approved fewer units.")
            return
        self.dismiss(answer)

    def action_back_out(self) -> None:
        self.dismiss(None)

    def _say(self, text: str) -> None:
        self.app.bell()
        self.query_one("#message", Static).update(text)


def change_quantity(screen: SaleScreen) -> None:
    """F2: the dialog for the highlighted line; the sale is redrawn from the cart answered."""
    line = highlighted_line(screen)
    if screen.cart_id is None or line is None:
        screen.app.bell()
        screen._say("No line to change: scan an item first.", error=True)
        return
    cart_id = screen.cart_id

    async def run() -> None:
        cart = await screen.app.push_screen(
            QuantityDialog(screen.client, cart_id, line), wait_for_dismiss=True
        )
        if cart is None:
            return
        row = screen.query_one("#lines", DataTable).cursor_row
        show_cart(screen, cart)
        screen.query_one("#lines", DataTable).move_cursor(row=row)
        changed = next((held for held in cart.lines if held.line_id == line.line_id), None)
        shown = "" if changed is None else f" {changed.quantity}, {changed.line_total:.2f}"
        screen._say(
            f"Quantity changed: {line.description or line.sku}{shown}. TOTAL DUE {cart.total:.2f}"
        )

    screen.run_worker(run(), group="counter", exclusive=True)
