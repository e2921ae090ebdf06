"""The manager-override dialog: a supervisor's or manager's staff code and PIN (masked).

Opened where the edge answered 403 `not_permitted` and nowhere else. It returns the pair
`(staff_code, pin)`; the caller resends the same request with `override_headers(...)`
(`X-Override-Staff-Code`, `X-Override-Pin`). The edge checks the approval on that one
request and does not remember it, so a refused override (`wrong_pin`, `not_permitted`,
`override_by_self`) is shown by the caller, who may open the dialog again. Enter in the code
field moves to the PIN; Enter in the PIN field approves; Escape backs out (None)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

OVERRIDE_CODE_HEADER = "X-Override-Staff-Code"
OVERRIDE_PIN_HEADER = "X-Override-Pin"


def override_headers(approval: tuple[str, str] | None) -> dict[str, str]:
    """The headers carrying `approval` (staff code, PIN) on a resent request; {} for None."""
    if approval is None:
        return {}
    staff_code, pin = approval
    return {OVERRIDE_CODE_HEADER: staff_code, OVERRIDE_PIN_HEADER: pin}


class OverrideDialog(ModalScreen[tuple[str, str] | None]):
    """Ask for a manager's approval of `action` (words shown to the cashier), with an optional
    `message` (why the last try was refused). Returns (staff code, PIN), or None."""

    BINDINGS = [Binding("escape", "back_out", "Back")]
    DEFAULT_CSS = """
    OverrideDialog { align: center middle; }
    OverrideDialog > Vertical { width: 60; height: auto; border: thick $warning; padding: 1 2;
                                background: $surface; }
    OverrideDialog #title { text-style: bold; }
    OverrideDialog #message { color: $error; height: 2; }
    """

    def __init__(self, action: str = "This needs a manager", message: str = "") -> None:
        super().__init__()
        self.action = action
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Manager override", id="title")
            yield Static(self.action, id="action")
            yield Input(placeholder="Manager staff code", id="code", restrict=r"[0-9A-Za-z]*")
            yield Input(placeholder="PIN", id="pin", password=True, restrict=r"[0-9]*")
            yield Static(self.message, id="message")
            yield Static("Enter: next / approve  |  Esc: back")

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    def next_field(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self._say("Type the manager's staff code")
            return
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def approve(self, event: Input.Submitted) -> None:
        code = self.query_one("#code", Input).value.strip()
        if not code:
            self.query_one("#code", Input).focus()
            self._say("Type the manager's staff code")
            return
        if not event.value:
            self._say("Type the manager's PIN")
            return
        self.dismiss((code, event.value))

    def action_back_out(self) -> None:
        self.dismiss(None)

    def _say(self, text: str) -> None:
        self.app.bell()
        self.query_one("#message", Static).update(text)
