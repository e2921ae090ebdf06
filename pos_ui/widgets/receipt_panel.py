"""The last receipt, on the sale screen between sales: shown in place of the (empty) lines
once a sale is paid, with whether it printed, until the next item is scanned."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, VerticalScroll
from textual.widgets import Static

from pos_ui.models import PrintStatus


def print_words(status: PrintStatus | None, copy_number: int = 0) -> str:
    """What the printer did, in a cashier's words."""
    what = f"Copy {copy_number}" if copy_number else "Receipt"
    if status is None or status.error == "no_printer":
        return f"{what} on screen (this till has no printer)"
    if status.printed:
        return f"{what} printed"
    detail = f": {status.detail}" if status.detail else ""
    return f"{what} NOT printed ({status.error}{detail}): F11 prints it again"


class ReceiptPanel(VerticalScroll):
    """The receipt's text, centred, as the till's printer would print it."""

    DEFAULT_CSS = """
    ReceiptPanel { height: 1fr; display: none; }
    ReceiptPanel #receipt_text { width: 52; border: round $panel-lighten-2; padding: 0 1;
                                 background: $surface; }
    ReceiptPanel #receipt_state { width: auto; height: 1; }
    """

    def compose(self) -> ComposeResult:
        with Center():
            yield Static("", id="receipt_state")
        with Center():
            yield Static("", id="receipt_text")

    def show(self, text: str, state: str) -> None:
        self.query_one("#receipt_text", Static).update(text.rstrip("\n"))
        self.query_one("#receipt_state", Static).update(state)
        self.display = True
        self.scroll_home(animate=False)
