"""F4: attach a customer to the sale by their customer id.

Type the id and Enter: the till shows the customer's record as this node holds it (from
HQ's feed, or an edit made at this store); Enter again attaches them. An id the node does
not know is said so. Escape backs out, attaching nobody."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pos_ui.api_counter import Customer, customer
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient


class CustomerDialog(ModalScreen[Customer | None]):
    """Find and confirm a customer (see the module); returns them, or None."""

    BINDINGS = [Binding("escape", "back_out", "Back")]
    DEFAULT_CSS = """
    CustomerDialog { align: center middle; }
    CustomerDialog > Vertical { width: 64; height: auto; border: thick $accent; padding: 1 2;
                                background: $surface; }
    CustomerDialog #found { height: 3; }
    CustomerDialog #message { height: 2; color: $error; }
    """

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client
        self.found: Customer | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Customer[/b]")
            yield Static("Their customer id, then Enter")
            yield Input(id="customer_id", placeholder="customer id", max_length=64)
            yield Static("", id="found")
            yield Static("", id="message")
            yield Static("Enter: find, Enter again: attach  |  Esc: back")

    def on_mount(self) -> None:
        self.query_one("#customer_id", Input).focus()

    @on(Input.Changed, "#customer_id")
    def changed(self) -> None:
        self.found = None
        self.query_one("#found", Static).update("")

    @on(Input.Submitted, "#customer_id")
    def submitted(self, event: Input.Submitted) -> None:
        customer_id = event.value.strip()
        if not customer_id:
            self._say("Type the customer's id")
        elif self.found is not None and self.found.key == customer_id:
            self.dismiss(self.found)
        else:
            self.find(customer_id)

    @work(exclusive=True)
    async def find(self, customer_id: str) -> None:
        try:
            found = await customer(self.client, customer_id)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter tries again.")
            return
        except EdgeRefused as refused:
            if refused.code == "record_not_found":
                self._say(f"No customer {customer_id} at this store")
            else:
                self._say(f"Not found: {refused.detail}")
            return
        self.found = found
        contact = "  ".join(part for part in (found.phone, found.email) if part)
        self.query_one("#found", Static).update(
            f"[b]{found.name or '(no name)'}[/b], customer {found.key}\n{contact}\nEnter: attach"
        )
        self.query_one("#message", Static).update("")

    def action_back_out(self) -> None:
        self.dismiss(None)

    def _say(self, text: str) -> None:
        self.app.bell()
        self.query_one("#message", Static).update(text)
