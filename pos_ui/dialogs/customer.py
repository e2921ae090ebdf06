"""F4: find a customer by name, phone, email or id, and attach them to the sale.

As the cashier types (two characters or more), the customers this node holds whose name,
phone, email or id contains the text are listed (`GET /v1/customers`, by name); Down (or Tab)
moves to the list, Up and Down pick, Enter attaches the one highlighted. Enter in the field
looks the text up as a customer id first: a known id shows the customer's record, and Enter
again attaches them; otherwise it lists the matches, or says nobody matches. Escape backs
out, attaching nobody. A search the node did not answer is said so; Enter tries again, the
text kept.
"""

from __future__ import annotations

import asyncio
import re

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from pos_ui.api_counter import Customer, customer, search_customers
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient

# A customer id is a record key: what `GET /v1/records/customer/{key}` can be asked for.
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
SEARCH_FROM = 2  # characters typed before the list follows the typing
TYPING_PAUSE_S = 0.15  # a search waits this long for the next key, so a fast typist asks once
LISTED = 20


class CustomerDialog(ModalScreen[Customer | None]):
    """Find and confirm a customer (see the module); returns them, or None."""

    BINDINGS = [
        Binding("escape", "back_out", "Back"),
        Binding("down", "to_list", "List", show=False),
    ]
    DEFAULT_CSS = """
    CustomerDialog { align: center middle; }
    CustomerDialog > Vertical { width: 96; height: auto; border: thick $accent; padding: 1 2;
                                background: $surface; }
    CustomerDialog #matches { height: 9; }
    CustomerDialog #found { height: 3; }
    CustomerDialog #message { height: 2; }
    CustomerDialog #message.error { color: $error; }
    """

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client
        self.found: Customer | None = None
        self.matches: list[Customer] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Customer[/b]")
            yield Static("Name, phone, email or customer id: matches are listed as you type")
            yield Input(
                id="customer_id", placeholder="e.g. Lovelace, 020 7946, C-0042", max_length=64
            )
            table: DataTable[str] = DataTable(id="matches", cursor_type="row")
            table.add_column("Name", width=26)
            table.add_column("Phone", width=18)
            table.add_column("Email", width=24)
            table.add_column("Id", width=12)
            yield table
            yield Static("", id="found")
            yield Static("", id="message")
            yield Static(
                "Down: the list, Enter: attach  |  Enter in the field: find the id  |  Esc: back"
            )

    def on_mount(self) -> None:
        self.query_one("#customer_id", Input).focus()

    @on(Input.Changed, "#customer_id")
    def changed(self, event: Input.Changed) -> None:
        self.found = None
        self.query_one("#found", Static).update("")
        text = event.value.strip()
        if len(text) >= SEARCH_FROM:
            self.search(text, typed=True)
        else:
            self.workers.cancel_group(self, "customers")
            self._list([])
            self._say("")

    @on(Input.Submitted, "#customer_id")
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self._say("Type a name, phone, email or the customer's id", error=True)
        elif self.found is not None and self.found.key == text:
            self.dismiss(self.found)
        elif _CUSTOMER_ID.fullmatch(text):
            self.find(text)
        else:
            self.search(text, typed=False)

    @work(exclusive=True, group="customers")
    async def find(self, customer_id: str) -> None:
        """The customer with this id, shown to attach with Enter; else the search's list."""
        try:
            found = await customer(self.client, customer_id)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter tries again.", error=True)
            return
        except EdgeRefused as refused:
            if refused.code != "record_not_found":
                self._say(f"Not found: {refused.detail}", error=True)
                return
        else:
            self.found = found
            self._list([found])
            contact = "  ".join(part for part in (found.phone, found.email) if part)
            self.query_one("#found", Static).update(
                f"[b]{found.name or '(no name)'}[/b], customer {found.key}\n{contact}\n"
                "Enter: attach"
            )
            self._say("")
            return
        await self._search(customer_id, typed=False)

    @work(exclusive=True, group="customers")
    async def search(self, text: str, *, typed: bool) -> None:
        """List the matches; `typed`: following the typing (waits for a pause, no bell)."""
        if typed:
            await asyncio.sleep(TYPING_PAUSE_S)
        await self._search(text, typed=typed)

    async def _search(self, text: str, *, typed: bool) -> None:
        try:
            matches = await search_customers(self.client, text, LISTED)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter tries again.", error=not typed)
            return
        except EdgeRefused as refused:
            self._say(f"Not searched: {refused.detail}", error=not typed)
            return
        self._list(matches)
        if matches:
            count = len(matches)
            more = " (the first 20: type more to narrow)" if count == LISTED else ""
            plural = "s" if count > 1 else ""
            self._say(f"{count} customer{plural}{more}: Down, then Enter attaches")
        elif typed:
            self._say(f"Nobody matches {text!r} yet")
        else:
            self._say(f"No customer {text} at this store", error=True)

    def _list(self, matches: list[Customer]) -> None:
        self.matches = matches
        table = self.query_one("#matches", DataTable)
        table.clear()
        for index, match in enumerate(matches):
            table.add_row(
                match.name or "(no name)", match.phone or "", match.email or "", match.key,
                key=str(index),
            )  # fmt: skip

    def action_to_list(self) -> None:
        if self.matches:
            self.query_one("#matches", DataTable).focus()

    @on(DataTable.RowSelected, "#matches")
    def chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.matches[int(str(event.row_key.value))])

    def action_back_out(self) -> None:
        self.dismiss(None)

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "error")
        if error:
            self.app.bell()
