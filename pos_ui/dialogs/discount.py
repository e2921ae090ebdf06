"""F7: a discount on the highlighted line or on the whole sale, or a line's price override,
each with its reason.

Choose what (a line or cart discount, a percent or an amount, or the line's new price),
type the value and the reason (for a price: a reason code, and a note with "other"), Enter.
Above the store's threshold, or for a price, the edge asks for a manager: the override
dialog opens and the same request is sent with the approval. A refusal is shown and what was
typed stays; Escape backs out changing nothing. A cart discount the edge did not answer is
checked against the cart before it is sent again (a cart discount adds up; no double).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Literal
from uuid import UUID

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from pos_ui import api_counter
from pos_ui.api_counter import PRICE_REASONS
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient
from pos_ui.dialogs.approval import with_override
from pos_ui.models import Cart, CartLine

Mode = Literal["line_percent", "line_amount", "cart_percent", "cart_amount", "price"]
MODES: tuple[tuple[str, Mode], ...] = (
    ("Line discount, percent", "line_percent"),
    ("Line discount, amount", "line_amount"),
    ("Sale discount, percent", "cart_percent"),
    ("Sale discount, amount", "cart_amount"),
    ("Line price override", "price"),
)
ERROR_WORDS = {
    "invalid_discount": "Not a discount the till takes",
    "discount_exceeds_line": "More than the line",
    "discount_exceeds_cart": "More than the sale",
    "invalid_discount_reason": "Give a reason",
    "invalid_price_reason": "Choose a reason (a note with Other)",
    "invalid_price": "Not a price",
    "line_voided": "That line is voided",
    "cart_parked": "The sale is parked",
}


def _manual_discounts(cart: Cart) -> Decimal:
    return sum((line.manual_discount for line in cart.lines if not line.voided), Decimal(0))


class DiscountDialog(ModalScreen[Cart | None]):
    """Discount or reprice on cart `cart_id` (`line`: the highlighted line, or None); returns
    the cart as the edge answered it, or None."""

    BINDINGS = [Binding("escape", "back_out", "Back")]
    DEFAULT_CSS = """
    DiscountDialog { align: center middle; }
    DiscountDialog > Vertical { width: 70; height: auto; border: thick $accent; padding: 1 2;
                                background: $surface; }
    DiscountDialog #message { height: 2; color: $error; }
    DiscountDialog .label { color: $text-muted; margin-top: 1; }
    DiscountDialog #price_reason.hidden { display: none; }
    """

    def __init__(self, client: TillClient, cart_id: UUID, line: CartLine | None) -> None:
        super().__init__()
        self.client = client
        self.cart_id = cart_id
        self.line = line
        self.unanswered_cart_discount: Decimal | None = None  # manual discounts before it

    def compose(self) -> ComposeResult:
        modes = [(words, mode) for words, mode in MODES if self.line or mode.startswith("cart")]
        target = (
            f"Line: {self.line.description or self.line.sku}  {self.line.line_total:.2f}"
            if self.line
            else "No line chosen: a discount on the whole sale"
        )
        with Vertical():
            yield Static("[b]Discount or price[/b]")
            yield Static(target, id="target")
            yield Static("What", classes="label")
            yield Select(modes, value=modes[0][1], allow_blank=False, id="mode")
            yield Static(
                "Value: a percent (10) or an amount (1.50); for a price, the new price",
                classes="label",
            )
            yield Input(id="value", placeholder="10 (percent) or 1.50", restrict=r"[0-9.]*")
            yield Select(
                [(words, code) for code, words in PRICE_REASONS],
                prompt="Reason for the price",
                id="price_reason",
                classes="hidden",
            )
            yield Static("Reason (for a price: a note, required with Other)", classes="label")
            yield Input(id="reason", placeholder="Reason (for a price: a note)", max_length=200)
            yield Static("", id="message")
            yield Static("Tab: next field  |  Enter: give it  |  Esc: back")

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    @property
    def mode(self) -> Mode:
        value = self.query_one("#mode", Select).value
        return next((mode for _, mode in MODES if mode == value), "line_percent")

    @on(Select.Changed, "#mode")
    def mode_changed(self) -> None:
        self.query_one("#price_reason", Select).set_class(self.mode != "price", "hidden")

    @on(Input.Submitted)
    def submitted(self) -> None:
        try:
            value = Decimal(self.query_one("#value", Input).value)
        except InvalidOperation:
            self._say("Type the value: 10 for 10 %, or an amount like 1.50")
            self.query_one("#value", Input).focus()
            return
        reason = self.query_one("#reason", Input).value.strip()
        if self.mode == "price":
            code = self.query_one("#price_reason", Select).value
            if not isinstance(code, str):
                self._say("Choose the reason for the price")
                self.query_one("#price_reason", Select).focus()
                return
            if code == "other" and not reason:
                self._say("Say why in the note")
                self.query_one("#reason", Input).focus()
                return
            self.send(value, code, reason or None)
        elif not reason:
            self._say("Give a reason for the discount")
            self.query_one("#reason", Input).focus()
        else:
            self.send(value, None, reason)

    @work(exclusive=True)
    async def send(self, value: Decimal, price_reason: str | None, reason: str | None) -> None:
        """Send it (with a manager's override when the edge asks); dismiss with the cart."""
        mode = self.mode
        line_id = self.line.line_id if self.line else None

        async def request(headers: Mapping[str, str]) -> Cart:
            if mode == "price":
                assert line_id is not None and price_reason is not None
                return await api_counter.override_price(
                    self.client, self.cart_id, line_id, value, price_reason, reason, headers
                )
            kind: Literal["percent", "amount"] = "percent" if mode.endswith("percent") else "amount"
            target = line_id if mode.startswith("line") else None
            return await api_counter.discount(
                self.client, self.cart_id, target, kind, value, reason or "", headers
            )

        words = "a price override" if mode == "price" else f"a discount of {value}"
        try:
            if mode.startswith("cart"):
                now = await self.client.cart(self.cart_id)
                before = _manual_discounts(now)
                if self.unanswered_cart_discount not in (None, before):
                    self.dismiss(now)  # the unanswered one was given
                    return
                self.unanswered_cart_discount = before
            answer = await with_override(self.app, f"Approve {words}", request)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter sends it again.")
            return
        except EdgeRefused as refused:
            self.unanswered_cart_discount = None
            self._say(f"{ERROR_WORDS.get(refused.code, 'Refused')}: {refused.detail}")
            return
        if answer is None:
            self.unanswered_cart_discount = None
            self._say("Not given: no manager approved it.")
            return
        self.dismiss(answer)

    def action_back_out(self) -> None:
        self.dismiss(None)

    def _say(self, text: str) -> None:
        self.app.bell()
        self.query_one("#message", Static).update(text)
