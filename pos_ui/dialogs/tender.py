"""The tender dialog: what is due, the tenders taken so far, an amount field.

An amount typed and Enter pays that much in cash (Enter alone: the exact amount due); F2 pays
what is left by card (the card the terminal reads: `card`). Cash beyond what is due is
change. When the tenders cover the total the dialog checks out and returns the sale; a
refusal (a card declined, the edge down) keeps the dialog and what was taken, and the same
tenders are sent again on the next try, so nothing is charged twice. Escape backs out."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient
from pos_ui.models import Sale

# The card the simulated terminal reads when the cashier presses F2 (a Visa test card).
DEMO_CARD = "4242424242424242"


class TenderDialog(ModalScreen[Sale | None]):
    """Pay the cart `cart_id` of `total` (see the module). Returns the sale, or None."""

    BINDINGS = [
        Binding("escape", "back_out", "Back"),
        Binding("f2", "card", "Card"),
    ]
    DEFAULT_CSS = """
    TenderDialog { align: center middle; }
    TenderDialog > Vertical { width: 60; height: auto; border: thick $accent; padding: 1 2;
                              background: $surface; }
    TenderDialog #due { text-style: bold; }
    TenderDialog #message { color: $error; height: 3; }
    """

    def __init__(self, client: TillClient, cart_id: UUID, total: Decimal, card: str = DEMO_CARD):
        super().__init__()
        self.client = client
        self.cart_id = cart_id
        self.total = total
        self.card = card
        self.tenders: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="due")
            yield Static("", id="taken")
            yield Static("Amount + Enter: cash  |  Enter: exact cash  |  F2: card  |  Esc: back")
            yield Input(id="amount", restrict=r"[0-9.]*", max_length=12)
            yield Static("", id="message")

    def on_mount(self) -> None:
        self._show()
        self.query_one("#amount", Input).focus()

    def left_to_pay(self) -> Decimal:
        return self.total - sum((Decimal(t["amount"]) for t in self.tenders), Decimal(0))

    def _show(self) -> None:
        self.query_one("#due", Static).update(
            f"Total {self.total:.2f}   To pay {max(self.left_to_pay(), Decimal(0)):.2f}"
        )
        taken = ", ".join(f"{t['kind']} {t['amount']}" for t in self.tenders)
        self.query_one("#taken", Static).update(f"Taken: {taken}" if taken else "")

    @on(Input.Submitted, "#amount")
    async def cash(self, event: Input.Submitted) -> None:
        try:
            amount = Decimal(event.value) if event.value else self.left_to_pay()
        except InvalidOperation:
            self._say("An amount, like 20 or 12.50")
            return
        event.input.value = ""
        if amount <= 0:
            await self._pay()
            return
        self.tenders.append({"kind": "cash", "amount": f"{amount:.2f}"})
        await self._pay()

    async def action_card(self) -> None:
        left = self.left_to_pay()
        if left <= 0:
            return
        self.tenders.append({"kind": "card", "amount": f"{left:.2f}", "card": self.card})
        await self._pay()

    def action_back_out(self) -> None:
        self.dismiss(None)

    async def _pay(self) -> None:
        self._show()
        if self.left_to_pay() > 0:
            return
        try:
            sale = await self.client.checkout(self.cart_id, self.tenders)
        except EdgeRefused as refused:
            self._refused(refused)
            return
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter tries again (nothing is doubled).")
            return
        self.dismiss(sale)

    def _refused(self, refused: EdgeRefused) -> None:
        self.app.bell()
        if refused.code in ("card_declined", "offline_limit_reached", "no_card_terminal"):
            self.tenders = [t for t in self.tenders if t["kind"] != "card"]
        else:
            self.tenders = []
        self._show()
        self._say(_plain(refused))

    def _say(self, text: str) -> None:
        self.query_one("#message", Static).update(text)


def _plain(refused: EdgeRefused) -> str:
    words: Mapping[str, str] = {
        "card_declined": "Card declined",
        "offline_limit_reached": "Offline: card over the offline limit, take cash",
        "no_card_terminal": "No card terminal at this till",
    }
    return f"{words.get(refused.code, refused.code)}: {refused.detail}"
