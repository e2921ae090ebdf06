"""F5 on an empty sale: the carts parked at this node (any till's), to recall one.

Up and Down pick a cart, Enter recalls it to this till (the sale screen shows it); Escape
backs out. A recall the node did not answer keeps the list: Enter sends the same recall
again (recalling a cart already open at this till answers it again, nothing doubles)."""

from __future__ import annotations

from uuid import UUID

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from pos_ui.api_counter import ParkedCart, parked_carts, recall
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient
from pos_ui.models import Cart


class RecallDialog(ModalScreen[Cart | None]):
    """Pick a parked cart and recall it; returns the recalled cart, or None."""

    BINDINGS = [Binding("escape", "back_out", "Back")]
    DEFAULT_CSS = """
    RecallDialog { align: center middle; }
    RecallDialog > Vertical { width: 84; height: 22; border: thick $accent; padding: 0 1;
                              background: $surface; }
    RecallDialog #parked { height: 1fr; }
    RecallDialog #message { height: 2; color: $error; }
    """

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client
        self.parked: list[ParkedCart] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Parked sales[/b] (every till's, the longest parked first)")
            table: DataTable[str | Text] = DataTable(id="parked", cursor_type="row")
            table.add_column("Parked at", width=10)
            table.add_column("Till", width=6)
            table.add_column("By", width=22)
            table.add_column("Customer", width=12)
            table.add_column(Text("Lines", justify="right"), width=6)
            table.add_column(Text("Total", justify="right"), width=10)
            yield table
            yield Static("", id="message")
            yield Static("Up/Down: pick  |  Enter: recall to this till  |  Esc: back")

    def on_mount(self) -> None:
        self.query_one("#parked", DataTable).focus()
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        try:
            self.parked = await parked_carts(self.client)
        except (EdgeUnreachable, EdgeRefused) as error:
            self._say(f"Parked sales not listed: {error}")
            return
        table = self.query_one("#parked", DataTable)
        table.clear()
        for cart in self.parked:
            table.add_row(
                cart.parked_at.strftime("%H:%M"),
                cart.till_id,
                cart.parked_by_name,
                cart.customer_id or "",
                Text(str(cart.line_count), justify="right"),
                Text(f"{cart.total:.2f}", justify="right"),
                key=str(cart.cart_id),
            )
        if not self.parked:
            self._say("No parked sales at this store.")

    @on(DataTable.RowSelected, "#parked")
    def chosen(self, event: DataTable.RowSelected) -> None:
        self.recall(UUID(str(event.row_key.value)))

    @work(exclusive=True)
    async def recall(self, cart_id: UUID) -> None:
        try:
            cart = await recall(self.client, cart_id)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter recalls it again.")
            return
        except EdgeRefused as refused:
            self._say(f"Not recalled: {refused.detail}")
            return
        self.dismiss(cart)

    def action_back_out(self) -> None:
        self.dismiss(None)

    def _say(self, text: str) -> None:
        self.app.bell()
        self.query_one("#message", Static).update(text)
