"""The sale: the scan field (always focused), the lines, the totals, the status bar.

Enter adds what the scan field holds (a SKU, a GTIN, a scale label, each after an optional
`N*` quantity prefix: the edge reads it); Enter on an empty field, or F12, opens the tender
dialog. A scan the edge does not answer keeps its id: Enter again sends the same scan, never
a second line. The same code scanned twice within `DOUBLE_SCAN_S` asks before adding.
"""

from __future__ import annotations

import time
from decimal import Decimal
from uuid import UUID

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from pos_ui import counter_actions
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient, new_id
from pos_ui.dialogs.confirm import Confirm
from pos_ui.dialogs.tender import TenderDialog
from pos_ui.models import CartLine, Sale
from pos_ui.screens.help import HelpScreen
from pos_ui.widgets.status_bar import StatusBar

DOUBLE_SCAN_S = 1.5

# Scan errors a cashier reads (the edge's codes, docs/counter.md "Barcodes").
SCAN_WORDS = {
    "unknown_code": "Unknown code",
    "bad_check_digit": "Wrong check digit: scan again",
    "unknown_sku": "Unknown item",
    "empty_scan": "Nothing scanned",
}


class SaleScreen(Screen[None]):
    """One cart at a time (see the module)."""

    BINDINGS = [
        Binding("f12", "pay", "Pay"),
        Binding("f9", "void_sale", "Void sale"),
        Binding("f1", "help", "Help"),
        Binding("f6", "returns", "Returns"),
        *(Binding(key, action) for key, action in counter_actions.KEYS),
        Binding("f10", "shift", "Shift"),
        Binding("f2", "change_quantity", "Quantity"),
    ]
    DEFAULT_CSS = """
    SaleScreen #lines { height: 1fr; }
    SaleScreen #totals { height: 3; padding: 0 1; text-style: bold; }
    SaleScreen #message { height: 2; padding: 0 1; }
    SaleScreen #message.error { color: $error; }
    SaleScreen #scan_row { height: 3; }
    SaleScreen #scan_label { width: 8; padding: 1 1; }
    """

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client
        self.cart_id: UUID | None = None
        self.lines: list[CartLine] = []
        self.total = Decimal(0)
        self.pending: tuple[str, UUID] | None = None  # a scan sent without an answer
        self.last_scan: tuple[str, float] | None = None

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="lines", cursor_type="row", zebra_stripes=True)
        table.add_column(Text("Qty", justify="right"), width=9)
        table.add_column("Item", width=52)
        for money in ("Unit price", "Discount", "Total"):
            table.add_column(Text(money, justify="right"), width=12)
        yield table
        yield Static("", id="totals")
        yield Static("Scan or type a code, then Enter.  F12 pay   F1 help", id="message")
        with Horizontal(id="scan_row"):
            yield Static("Scan", id="scan_label")
            yield Input(id="scan", placeholder="SKU, GTIN, or 3*code", max_length=64)
        yield StatusBar(self.client, id="status")

    async def on_mount(self) -> None:
        self._show_totals()
        self.query_one("#scan", Input).focus()
        try:
            shift = await self.client.current_shift()
        except (EdgeRefused, EdgeUnreachable):
            return
        if shift is not None:
            bar = self.query_one(StatusBar)
            bar.shift_label = f"shift of {shift.business_day}"
            await bar.refresh_status()

    def on_screen_resume(self) -> None:
        self.query_one("#scan", Input).focus()

    # The scan field

    @on(Input.Submitted, "#scan")
    async def submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if not code:
            self.action_pay()
            return
        now = time.monotonic()
        if self.last_scan is not None and self.last_scan[0] == code:
            if now - self.last_scan[1] < DOUBLE_SCAN_S:
                self.app.push_screen(
                    Confirm(f"{code} was scanned a moment ago. Add it again?"),
                    callback=lambda yes: self._scan_if(yes, code),
                )
                return
        await self.scan(code)

    async def _scan_if(self, yes: bool | None, code: str) -> None:
        if yes:
            await self.scan(code)
        else:
            self.query_one("#scan", Input).value = ""

    async def scan(self, code: str) -> None:
        """Ring `code` up on the cart (opened on the first scan)."""
        field = self.query_one("#scan", Input)
        scan_id = self.pending[1] if self.pending and self.pending[0] == code else new_id()
        self.pending = (code, scan_id)
        try:
            if self.cart_id is None:
                cart_id = new_id()
                await self.client.open_cart(cart_id)
                self.cart_id = cart_id
            scanned = await self.client.scan(self.cart_id, code, scan_id)
        except EdgeUnreachable:
            self._say(
                f"Not added: the till's node is not answering. Enter sends {code} again.",
                error=True,
            )
            return
        except EdgeRefused as refused:
            self.pending = None
            field.value = ""
            self.app.bell()
            self._say(f"{SCAN_WORDS.get(refused.code, refused.code)}: {refused.detail}", error=True)
            return
        self.pending = None
        self.last_scan = (code, time.monotonic())
        field.value = ""
        self._add(scanned.line)
        self.total = scanned.total
        self._show_totals()
        self._say(f"{scanned.line.description or scanned.line.sku}  {scanned.line.line_total}")

    def _add(self, line: CartLine) -> None:
        table = self.query_one("#lines", DataTable)
        known = {held.line_id for held in self.lines}
        if line.line_id in known:
            return
        self.lines.append(line)
        quantity = f"{line.quantity} kg" if line.unit == "kg" else f"{line.quantity}"
        discount = f"-{line.manual_discount:.2f}" if line.manual_discount else ""
        table.add_row(
            Text(quantity, justify="right"),
            line.description or line.sku,
            *(
                Text(cell, justify="right")
                for cell in (f"{line.unit_price:.2f}", discount, f"{line.line_total:.2f}")
            ),
            key=str(line.line_id),
        )
        table.move_cursor(row=table.row_count - 1)

    def _show_totals(self) -> None:
        items = len([line for line in self.lines if not line.voided])
        self.query_one("#totals", Static).update(f"Items {items}    TOTAL DUE {self.total:.2f}")

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "error")

    # Paying, voiding

    def action_pay(self) -> None:
        if self.cart_id is None or not self.lines:
            self._say("Nothing to pay: scan an item first.", error=True)
            return
        self.app.push_screen(
            TenderDialog(self.client, self.cart_id, self.total), callback=self._paid
        )

    def _paid(self, sale: Sale | None) -> None:
        if sale is None:
            self._say("Back to the sale: nothing was taken.")
            return
        self._new_cart()
        self._say(f"Paid. Change {sale.change:.2f}    receipt {sale.receipt_number}")

    async def action_void_sale(self) -> None:
        if self.cart_id is None:
            return
        try:
            await self.client.void_cart(self.cart_id, "voided at the till")
        except (EdgeRefused, EdgeUnreachable) as error:
            self.app.bell()
            self._say(f"Not voided: {error}", error=True)
            return
        self._new_cart()
        self._say("Sale voided.")

    def _new_cart(self) -> None:
        self.cart_id = None
        self.lines = []
        self.total = Decimal(0)
        self.pending = None
        self.query_one("#lines", DataTable).clear()
        self._show_totals()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_returns(self) -> None:
        """F6: the returns desk (pos_ui/screens/returns.py); the sale stays as it is."""
        from pos_ui.screens.returns import ReturnsScreen

        self.app.push_screen(ReturnsScreen(self.client))

    def action_counter(self, name: str) -> None:
        """F3 look-up, F4 customer, F5 park/recall, F7 discount, F8 void line."""
        getattr(counter_actions, name)(self)

    def action_shift(self) -> None:
        """F10: the shift menu (pos_ui.screens.shift); after the Z the till signs out."""
        from pos_ui.screens.shift import ShiftMenu, sign_out_after_z

        self.app.push_screen(ShiftMenu(self.client), callback=sign_out_after_z(self))

    def action_change_quantity(self) -> None:
        """F2: the highlighted line's quantity (pos_ui.dialogs.quantity)."""
        from pos_ui.dialogs.quantity import change_quantity

        change_quantity(self)
