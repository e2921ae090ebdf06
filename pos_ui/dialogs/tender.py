"""The tender dialog: what is due, the tenders taken so far, an amount field.

An amount typed and Enter pays that much in cash (Enter alone: the exact amount due); F5-F8
pay the next round amounts in cash (quick cash). F2 pays by card, F3 by gift card (its
number asked), F4 by store credit (the customer asked): each takes the amount typed, or what
is left. Cash beyond what is due is change; only cash gives change. When the tenders cover the total the dialog checks out and returns the sale; a
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

from pos_ui.api_tenders import stored_value_balance
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient
from pos_ui.dialogs.ask import AskText
from pos_ui.models import Sale

# The card the simulated terminal reads when the cashier presses F2 (a Visa test card).
DEMO_CARD = "4242424242424242"


class TenderDialog(ModalScreen[Sale | None]):
    """Pay the cart `cart_id` of `total` (see the module). Returns the sale, or None."""

    BINDINGS = [
        Binding("escape", "back_out", "Back"),
        Binding("f2", "card", "Card"),
        Binding("f3", "stored_value('gift_card')", "Gift card"),
        Binding("f4", "stored_value('store_credit')", "Store credit"),
        *(Binding(f"f{5 + n}", f"quick_cash({n})", f"Quick cash {n + 1}") for n in range(4)),
    ]
    DEFAULT_CSS = """
    TenderDialog { align: center middle; }
    TenderDialog > Vertical { width: 60; height: auto; border: thick $accent; padding: 1 2;
                              background: $surface; }
    TenderDialog #due { text-style: bold; }
    TenderDialog #message { color: $error; height: 3; }
    TenderDialog #message.info { color: $text; }
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
            yield Static("Amount + Enter: cash   Enter: exact cash   Esc: back")
            yield Static("F2 card   F3 gift card   F4 store credit", id="keys")
            yield Static("", id="quick")
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
        taken = ", ".join(f"{t['kind'].replace('_', ' ')} {t['amount']}" for t in self.tenders)
        self.query_one("#taken", Static).update(f"Taken: {taken}" if taken else "")
        quick = "   ".join(
            f"F{5 + n} {amount}" for n, amount in enumerate(quick_cash(self.left_to_pay()))
        )
        self.query_one("#quick", Static).update(f"Quick cash: {quick}" if quick else "")

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
        amount = self._typed_or_left()
        if amount <= 0:
            return
        self.query_one("#amount", Input).value = ""
        self.tenders.append({"kind": "card", "amount": f"{amount:.2f}", "card": self.card})
        await self._pay()

    def _typed_or_left(self) -> Decimal:
        """The amount typed if it is within what is left to pay, else what is left."""
        field = self.query_one("#amount", Input)
        try:
            typed = Decimal(field.value) if field.value else None
        except InvalidOperation:
            typed = None
        left = self.left_to_pay()
        return typed if typed is not None and 0 < typed <= left else left

    async def action_quick_cash(self, index: int) -> None:
        amounts = quick_cash(self.left_to_pay())
        if index < len(amounts):
            self.tenders.append({"kind": "cash", "amount": f"{amounts[index]:.2f}"})
            await self._pay()

    def action_stored_value(self, kind: str) -> None:
        field = self.query_one("#amount", Input)
        amount = self._typed_or_left()
        if amount <= 0:
            return
        question = "Gift card number (scan or type)" if kind == "gift_card" else "Customer id"
        restrict = r"[0-9]*" if kind == "gift_card" else r"[A-Za-z0-9_.:-]*"

        async def taken(account: str | None) -> None:
            if account is None:
                return
            field.value = ""
            spend = await self._spendable(kind, account, amount)
            if spend is None:
                return
            self.tenders.append({"kind": kind, "amount": f"{spend:.2f}", "account": account})
            await self._pay()

        self.app.push_screen(AskText(question, restrict=restrict), callback=taken)

    async def _spendable(self, kind: str, account: str, wanted: Decimal) -> Decimal | None:
        """How much of `wanted` the gift card or store credit `account` pays: its balance
        (live from HQ, or offline what the store may spend), said on screen. None (and said
        why) when it pays nothing; the edge still checks at checkout."""
        try:
            balance = await stored_value_balance(self.client, kind, account)
        except EdgeUnreachable:
            self._say("The till's node is not answering: try the card again.")
            return None
        except EdgeRefused as refused:
            self.app.bell()
            self._say(_plain(refused))
            return None
        name = "Gift card" if kind == "gift_card" else "Store credit"
        if balance.blocked:
            self.app.bell()
            self._say(f"{name} {account} is blocked: take another tender")
            return None
        usable = balance.spendable
        if usable <= 0:
            self.app.bell()
            self._say(f"{name} {account}: nothing to spend (balance {balance.balance:.2f})")
            return None
        offline = "" if balance.source == "hub" else " (HQ out of reach: the offline limit)"
        spend = min(wanted, usable)
        self._say(
            f"{name} {account}: balance {balance.balance:.2f}{offline}; pays {spend:.2f}",
            info=True,
        )
        return spend

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
        elif refused.code in ("balance_too_low", "unknown_account"):
            self.tenders = [
                t for t in self.tenders if t["kind"] not in ("gift_card", "store_credit")
            ]
        else:
            self.tenders = []
        self._show()
        self._say(_plain(refused))

    def _say(self, text: str, *, info: bool = False) -> None:
        """`text` under the amount: in the error colour unless `info`."""
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(info, "info")


NOTES = (Decimal(5), Decimal(10), Decimal(20), Decimal(50), Decimal(100))


def quick_cash(due: Decimal) -> list[Decimal]:
    """Up to four cash amounts a customer is likely to hand over for `due`: the exact amount
    and the next round notes above it (GBP 5, 10, 20, 50, 100)."""
    if due <= 0:
        return []
    amounts = [due]
    amounts += [note for note in NOTES if note > due]
    return amounts[:4]


def _plain(refused: EdgeRefused) -> str:
    words: Mapping[str, str] = {
        "card_declined": "Card declined",
        "offline_limit_reached": "Offline: card over the offline limit, take cash",
        "no_card_terminal": "No card terminal at this till",
        "balance_too_low": "Not enough on it",
        "unknown_account": "Unknown gift card or customer",
    }
    return f"{words.get(refused.code, refused.code)}: {refused.detail}"
