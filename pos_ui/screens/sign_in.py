"""Signing in at the till (staff code, masked PIN), and the opening float of a shift."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient, new_id
from pos_ui.widgets.cash_count import CashCountForm
from pos_ui.widgets.status_bar import StatusBar

MESSAGES = {
    "wrong_pin": "Wrong staff code or PIN.",
    "staff_locked": "Locked after too many wrong PINs: ask a manager to unlock you.",
    "unknown_staff": "Wrong staff code or PIN.",
}


class SignInScreen(Screen[None]):
    """Staff code, then PIN (masked); Enter signs in. A refusal says why, the PIN is
    cleared, nothing else changes."""

    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen > Vertical { width: 50; height: auto; border: thick $accent; padding: 1 2; }
    SignInScreen #message { color: $error; height: 2; }
    """

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]Till {self.client.till_id}[/b]: sign in")
            yield Label("Staff code")
            yield Input(id="staff_code", restrict=r"[0-9]*", max_length=12)
            yield Label("PIN")
            yield Input(id="pin", password=True, restrict=r"[0-9]*", max_length=12)
            yield Static("", id="message")
        yield StatusBar(self.client)

    def on_mount(self) -> None:
        self.query_one("#staff_code", Input).focus()

    @on(Input.Submitted, "#staff_code")
    def to_pin(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    async def sign_in(self) -> None:
        code = self.query_one("#staff_code", Input).value
        pin_field = self.query_one("#pin", Input)
        message = self.query_one("#message", Static)
        try:
            await self.client.sign_in(code, pin_field.value)
        except EdgeRefused as refused:
            message.update(MESSAGES.get(refused.code, refused.detail))
            pin_field.value = ""
            pin_field.focus()
            self.app.bell()
            return
        except EdgeUnreachable:
            message.update("The till's node is not answering: try again in a moment.")
            return
        pin_field.value = ""
        message.update("")
        self.dismiss()


class OpenShiftScreen(Screen[None]):
    """The opening float: the total typed and Enter opens the shift; or Enter on an empty
    total and count each note and coin (pos_ui.widgets.cash_count). A request without an
    answer keeps the count; Enter sends the same shift id again (one shift, never two)."""

    BINDINGS = [Binding("f10", "done", "Open the shift")]
    DEFAULT_CSS = """
    OpenShiftScreen { align: center middle; }
    OpenShiftScreen > Vertical { width: 90; height: auto; border: thick $accent; padding: 0 2; }
    OpenShiftScreen #message { color: $error; height: 2; }
    """

    def __init__(self, client: TillClient, currency: str = "GBP") -> None:
        """`currency`: the store's, whose notes and coins are counted."""
        super().__init__()
        self.client = client
        self.currency = currency
        self.shift_id = new_id()

    def compose(self) -> ComposeResult:
        with Vertical(id="float"):
            yield Static(f"[b]Till {self.client.till_id}[/b]: no shift is open")
            yield CashCountForm(self.currency, prompt="Count the opening float", id="count")
            yield Static("", id="message")
        yield StatusBar(self.client)

    def on_mount(self) -> None:
        self.query_one(CashCountForm).focus_total()

    def action_done(self) -> None:
        self.query_one(CashCountForm).done()

    @on(CashCountForm.NotMoney)
    def not_money(self, event: CashCountForm.NotMoney) -> None:
        self.query_one("#message", Static).update(event.reason)
        self.app.bell()

    @on(CashCountForm.Counted)
    async def open_shift(self, event: CashCountForm.Counted) -> None:
        message = self.query_one("#message", Static)
        try:
            await self.client.open_shift(
                self.shift_id, float_total=event.total, float_counts=event.counts
            )
        except EdgeUnreachable:
            message.update("The till's node is not answering: Enter sends the float again.")
            self.app.bell()
            return
        except EdgeRefused as refused:
            message.update(refused.detail)
            self.app.bell()
            return
        self.dismiss()
