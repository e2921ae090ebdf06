"""Cash in and out of the drawer without a sale: a no-sale, and cash paid in or out.

Each asks the edge; a 403 `not_permitted` (a cashier's no-sale or paid-out) opens the
manager-override dialog and resends the same request with the approval. A refusal is said in
words with the bell; an edge that does not answer keeps what was typed and the movement's id,
so Enter again is the same paid-in or paid-out, never a second one. Escape backs out."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from pos_ui.api_shifts import CashMovement, cash_movement, no_sale
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient, new_id
from pos_ui.dialogs.override import OverrideDialog, override_headers

NOT_ANSWERING = "The till's node is not answering: Enter tries again (nothing is doubled)."

WORDS = {
    "no_open_shift": "No shift is open at this till",
    "invalid_cash_movement": "Not accepted",
    "wrong_pin": "Wrong manager code or PIN",
    "not_permitted": "That staff member may not approve this",
    "override_by_self": "Another manager must approve: not yourself",
    "staff_locked": "That manager is locked out",
}


def plain(refused: EdgeRefused) -> str:
    """A refusal in the cashier's words (its detail after them)."""
    return f"{WORDS.get(refused.code, refused.code)}: {refused.detail}"


class CashDialog(ModalScreen[CashMovement | None]):
    """Cash paid in (`paid_in`) or out (`paid_out`): the amount, Enter, the reason, Enter.
    Returns the movement as recorded, or None (Escape)."""

    BINDINGS = [Binding("escape", "back_out", "Back")]
    DEFAULT_CSS = """
    CashDialog { align: center middle; }
    CashDialog > Vertical { width: 60; height: auto; border: thick $accent; padding: 1 2;
                            background: $surface; }
    CashDialog #title { text-style: bold; }
    CashDialog #message { color: $error; height: 3; }
    """

    def __init__(self, client: TillClient, kind: Literal["paid_in", "paid_out"]) -> None:
        super().__init__()
        self.client = client
        self.kind = kind
        self.movement_id = new_id()
        self.sent: tuple[Decimal, str] | None = None  # what movement_id was sent with

    def compose(self) -> ComposeResult:
        title = "Cash paid in" if self.kind == "paid_in" else "Cash paid out"
        with Vertical():
            yield Static(title, id="title")
            yield Label("Amount")
            yield Input(id="amount", placeholder="5.00", restrict=r"[0-9.]*", max_length=12)
            yield Label("Reason")
            yield Input(id="reason", placeholder="window cleaner", max_length=200)
            yield Static("", id="message")
            yield Static("Enter: next / record  |  Esc: back")

    def on_mount(self) -> None:
        self.query_one("#amount", Input).focus()

    @on(Input.Submitted, "#amount")
    def to_reason(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    async def record(self) -> None:
        try:
            amount = Decimal(self.query_one("#amount", Input).value)
        except InvalidOperation:
            self._say("The amount is money, like 5.00")
            self.query_one("#amount", Input).focus()
            return
        reason = self.query_one("#reason", Input).value.strip()
        if amount <= 0 or not reason:
            self._say("An amount above zero and a reason, please")
            return
        if self.sent is not None and self.sent != (amount, reason):
            self.movement_id = new_id()  # the cashier changed it: a new movement
        self.sent = (amount, reason)
        await self._send({})

    async def _send(self, headers: Mapping[str, str]) -> None:
        assert self.sent is not None
        amount, reason = self.sent
        try:
            movement = await cash_movement(
                self.client, self.kind, amount, reason, self.movement_id, headers
            )
        except EdgeUnreachable:
            self._say(NOT_ANSWERING)
            return
        except EdgeRefused as refused:
            if refused.code == "not_permitted" and not headers:
                self.app.push_screen(
                    OverrideDialog("A paid-out needs a manager"), callback=self._approved
                )
                return
            self._say(plain(refused))
            return
        self.dismiss(movement)

    async def _approved(self, approval: tuple[str, str] | None) -> None:
        if approval is None:
            self._say("Not recorded: no manager approved it.")
            return
        await self._send(override_headers(approval))

    def action_back_out(self) -> None:
        self.dismiss(None)

    def _say(self, text: str) -> None:
        self.app.bell()
        self.query_one("#message", Static).update(text)


class NoSaleDialog(ModalScreen[bool]):
    """Open the drawer with no sale: Enter opens it (True), Escape backs out (False)."""

    BINDINGS = [
        Binding("enter", "open_drawer", "Open drawer"),
        Binding("escape", "back_out", "Back"),
    ]
    DEFAULT_CSS = """
    NoSaleDialog { align: center middle; }
    NoSaleDialog > Vertical { width: 60; height: auto; border: thick $accent; padding: 1 2;
                              background: $surface; }
    NoSaleDialog #message { color: $error; height: 3; }
    """

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client
        self.no_sale_id = new_id()  # a retry of this dialog's request opens it once

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]No sale[/b]: open the drawer (counted and audited)")
            yield Static("", id="message")
            yield Static("Enter: open the drawer  |  Esc: back")

    async def action_open_drawer(self) -> None:
        await self._send({})

    async def _send(self, headers: Mapping[str, str]) -> None:
        try:
            await no_sale(self.client, self.no_sale_id, headers)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter tries again.")
            return
        except EdgeRefused as refused:
            if refused.code == "not_permitted" and not headers:
                self.app.push_screen(
                    OverrideDialog("A no-sale needs a manager"), callback=self._approved
                )
                return
            self._say(plain(refused))
            return
        self.dismiss(True)

    async def _approved(self, approval: tuple[str, str] | None) -> None:
        if approval is None:
            self._say("The drawer stays shut: no manager approved it.")
            return
        await self._send(override_headers(approval))

    def action_back_out(self) -> None:
        self.dismiss(False)

    def _say(self, text: str) -> None:
        self.app.bell()
        self.query_one("#message", Static).update(text)
