"""Ask the cashier for one short text (a gift card's number, a customer id): Enter returns
it, Escape returns None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class AskText(ModalScreen[str | None]):
    """`question` above one field; `restrict` limits what may be typed (a regex)."""

    BINDINGS = [Binding("escape", "back_out", "Back")]
    DEFAULT_CSS = """
    AskText { align: center middle; }
    AskText > Vertical { width: 60; height: auto; border: thick $accent; padding: 1 2;
                         background: $surface; }
    """

    def __init__(self, question: str, *, restrict: str | None = None, password: bool = False):
        super().__init__()
        self.question = question
        self.restrict = restrict
        self.password = password

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            yield Input(id="answer", restrict=self.restrict, password=self.password, max_length=64)

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    @on(Input.Submitted, "#answer")
    def answered(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_back_out(self) -> None:
        self.dismiss(None)
