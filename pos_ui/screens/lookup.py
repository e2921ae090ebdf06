"""F3: item look-up by SKU, name or GTIN, with the price, any promotion and the stock count.

Type a SKU, part of a name, or a barcode's digits (GTIN-8, -12, -13 or -14) and Enter: the
matches are listed (the GTIN's item, then an exact SKU, first), each with its stock at this
store as of the hub's last count (sales not yet uploaded are not in it; "?" when the hub has
published none). Down moves to the list; Enter on an item returns its SKU (the sale rings it
up); Escape backs out.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from pos_ui.api_counter import CatalogueItem, look_up_items
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient


def _looks_like_gtin(text: str) -> bool:
    return text.isdigit() and len(text) in (8, 12, 13, 14)


class LookupScreen(ModalScreen[str | None]):
    """Find an item (see the module); returns the SKU chosen, or None."""

    BINDINGS = [
        Binding("escape", "back_out", "Back"),
        Binding("down", "to_list", "List", show=False),
    ]
    DEFAULT_CSS = """
    LookupScreen { align: center middle; }
    LookupScreen > Vertical { width: 100; height: 26; border: thick $accent; padding: 0 1;
                              background: $surface; }
    LookupScreen #items { height: 1fr; }
    LookupScreen #message { height: 2; }
    LookupScreen #message.error { color: $error; }
    """

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client
        self.items: list[CatalogueItem] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Item look-up[/b]")
            yield Static("SKU, part of the name, or the barcode's digits, then Enter")
            yield Input(id="query", placeholder="e.g. TEA-80, milk or 5012345000013", max_length=64)
            table: DataTable[str | Text] = DataTable(id="items", cursor_type="row")
            table.add_column("SKU", width=14)
            table.add_column("Item", width=40)
            for heading in ("Price", "Promo", "Stock"):
                table.add_column(Text(heading, justify="right"), width=8)
            yield table
            yield Static("", id="message")
            yield Static("Enter: search  |  Down: the list, Enter: add to sale  |  Esc: back")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    @on(Input.Submitted, "#query")
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self._say("Type a SKU, part of a name or a GTIN", error=True)
            return
        self.search(text)

    @work(exclusive=True)
    async def search(self, text: str) -> None:
        """Ask the edge; list what it found (the query stays typed if it did not answer)."""
        self._say("Looking up...")
        try:
            self.items = await look_up_items(self.client, text)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter tries again.", error=True)
            return
        except EdgeRefused as refused:
            self._say(f"Not looked up: {refused.detail}", error=True)
            return
        table = self.query_one("#items", DataTable)
        table.clear()
        for item in self.items:
            price = "open" if item.unit_price is None else f"{item.unit_price:.2f}"
            promo = f"-{item.percent_off}%" if item.percent_off else ""
            stock = "?" if item.on_hand is None else str(item.on_hand)
            table.add_row(
                item.sku,
                item.description or "",
                *(Text(cell, justify="right") for cell in (price, promo, stock)),
                key=item.sku,
            )
        if self.items:
            count = len(self.items)
            self._say(f"{count} item{'s' if count > 1 else ''}: Down, then Enter adds one")
        elif _looks_like_gtin(text):
            self._say(f"No item has the GTIN {text}: check the digits", error=True)
        else:
            self._say(f"Nothing matches {text!r}", error=True)

    def action_to_list(self) -> None:
        if self.items:
            self.query_one("#items", DataTable).focus()

    @on(DataTable.RowSelected, "#items")
    def chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))

    def action_back_out(self) -> None:
        self.dismiss(None)

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "error")
        if error:
            self.app.bell()
