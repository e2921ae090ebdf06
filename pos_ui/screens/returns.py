"""The returns desk (F6 from the sale): goods back, money back.

With a receipt: scan its barcode (`R:T1-0000042`) or type its number, Enter; the receipt's
lines fill the table. In the table Enter or Space returns the whole line (again: none of it),
`+` / `-` one unit more or less. F12 refunds the lines picked to the receipt's own tenders, in
proportion, and shows each refund tender (card with its last 4, gift card, store credit,
cash). F3 pays the cash part as store credit instead (a customer id is asked for without a
receipt).

Without a receipt (F2): type a SKU (`3*SKU` for three) and Enter for each item; F12 refunds at
the catalogue price in cash, or store credit with F3. A cashier may not do that alone: the
edge answers 403 `not_permitted` and the manager-override dialog opens; the same request is
sent again with the manager's code and PIN.

Above the store's refund limit the edge answers 409 `refund_needs_approval`: the desk asks
whether to ask HQ, sends the request (`POST /v1/refund-requests`) and shows its status,
reading it again every few seconds, until HQ decides; once approved F12 makes the refund.
The cashier may leave the desk meanwhile: the same receipt scanned again shows the request
(pending or approved) with its lines picked, so HQ is not asked twice.

A request that got no answer keeps everything typed and picked, and F12 sends it again with
the same id: nothing is refunded twice. Escape goes back to the sale, changing nothing more.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static

from pos_ui.screens.returns_lines import DEFAULT_REASON, REFUSAL_WORDS, ReturnLines
from pos_ui.screens.returns_refund import POLL_S, STATUS_WORDS, RefundFlow

__all__ = [
    "DEFAULT_REASON",
    "POLL_S",
    "REFUSAL_WORDS",
    "STATUS_WORDS",
    "RefundFlow",
    "ReturnLines",
    "ReturnsScreen",
]


class ReturnsScreen(RefundFlow):
    """The returns desk (see the module): its layout, its keys and its modes, over
    `RefundFlow` (the refund, HQ's approval) and `ReturnLines` (what comes back). Pushed over
    the sale; Escape pops it. `ReturnsScreen(client)`."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f12", "refund", "Refund"),
        Binding("f2", "toggle_receipt", "With/without receipt"),
        Binding("f3", "toggle_credit", "Cash/store credit"),
        Binding("space", "toggle_line", "All/none", show=False),
        Binding("plus,equals_sign", "more", "+1", show=False),
        Binding("minus", "less", "-1", show=False),
    ]
    DEFAULT_CSS = """
    ReturnsScreen #title { height: 1; padding: 0 1; text-style: bold; background: $accent; }
    ReturnsScreen .row { height: 3; }
    ReturnsScreen .label { width: 12; padding: 1 1; }
    ReturnsScreen #lines { height: 1fr; }
    ReturnsScreen #refund_to { height: 2; padding: 0 1; }
    ReturnsScreen #result { height: auto; max-height: 8; padding: 0 1; }
    ReturnsScreen #message { height: 2; padding: 0 1; }
    ReturnsScreen #message.error { color: $error; }
    ReturnsScreen #keys { height: 1; padding: 0 1; color: $text-muted; }
    ReturnsScreen #customer_row.hidden { display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Returns", id="title")
        with Horizontal(classes="row"):
            yield Static("Receipt", id="code_label", classes="label")
            yield Input(
                id="code", placeholder="scan the receipt, or type its number", max_length=64
            )
        table: DataTable[str | Text] = DataTable(id="lines", cursor_type="row", zebra_stripes=True)
        table.add_column(Text("Line", justify="right"), width=5)
        table.add_column("Item", width=44)
        table.add_column(Text("Sold", justify="right"), width=9)
        table.add_column(Text("Paid each", justify="right"), width=11)
        table.add_column(Text("Return", justify="right"), width=9)
        table.add_column(Text("Refund", justify="right"), width=11)
        yield table
        with Horizontal(classes="row"):
            yield Static("Reason", classes="label")
            yield Input(DEFAULT_REASON, id="reason", max_length=200)
        with Horizontal(id="customer_row", classes="row hidden"):
            yield Static("Customer", classes="label")
            yield Input(id="customer", placeholder="customer id for store credit", max_length=64)
        yield Static("", id="refund_to")
        with Vertical(id="result"):
            yield Static("", id="tenders")
        yield Static("", id="message")
        yield Static(
            "Enter/Space: whole line  +/-: one unit  F12: refund  F2: without receipt  "
            "F3: store credit  Esc: back",
            id="keys",
        )

    def on_mount(self) -> None:
        self._show_refund_to()
        self.query_one("#code", Input).focus()

    # Keys

    @on(Input.Submitted, "#code")
    async def code_entered(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if not code:
            if self._something_picked():
                await self.action_refund()
            return
        if self.with_receipt:
            await self._find_receipt(code)
        else:
            self._add_item(code)

    # Modes

    def action_toggle_receipt(self) -> None:
        self.with_receipt = not self.with_receipt
        self._start_over()
        self.query_one("#code_label", Static).update("Receipt" if self.with_receipt else "Item")
        field = self.query_one("#code", Input)
        field.placeholder = (
            "scan the receipt, or type its number"
            if self.with_receipt
            else "SKU, or 3*SKU for three; Enter for each item"
        )
        field.value = ""
        field.focus()
        self._say(
            "With a receipt: scan it."
            if self.with_receipt
            else "Without a receipt: type each item's SKU and Enter. A manager must approve."
        )

    def action_toggle_credit(self) -> None:
        self.store_credit = not self.store_credit
        self._changed()
        row = self.query_one("#customer_row")
        row.set_class(not (self.store_credit and not self.with_receipt), "hidden")
        if self.store_credit and not self.with_receipt:
            self.query_one("#customer", Input).focus()
        self._show_refund_to()

    def action_back(self) -> None:
        self.app.pop_screen()
