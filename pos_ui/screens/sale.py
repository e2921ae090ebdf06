"""The sale: the scan field (always focused), the lines, the totals, the status bar.

Enter adds what the scan field holds (a SKU, a GTIN, a scale label, each after an optional
`N*` quantity prefix: the edge reads it); Enter on an empty field, or F12, opens the tender
dialog. A scan the edge does not answer keeps its id: Enter again sends the same scan, never
a second line. The same code scanned twice within the double-scan window (`vectis till
--double-scan-window`, DOUBLE_SCAN_S seconds unless set; 0 turns the question off) asks
before adding. Escape clears the scan field.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.events import Key
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from pos_ui import counter_actions
from pos_ui.api_receipts import Printed, print_original, receipt_text, reprint
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient, new_id
from pos_ui.dialogs.approval import with_override
from pos_ui.dialogs.ask import AskText
from pos_ui.dialogs.confirm import Confirm
from pos_ui.dialogs.tender import TenderDialog
from pos_ui.models import CartLine, Sale, Scanned
from pos_ui.screens.help import HelpScreen
from pos_ui.widgets.receipt_panel import ReceiptPanel, print_words
from pos_ui.widgets.status_bar import StatusBar

DOUBLE_SCAN_S = 1.5

# Scan errors a cashier reads (the edge's codes, docs/counter.md "Barcodes").
SCAN_WORDS = {
    "unknown_code": "Unknown code",
    "bad_check_digit": "Wrong check digit",
    "unknown_sku": "Unknown item",
    "empty_scan": "Nothing scanned",
    "weight_needed": "Sold by weight",
    "no_scale": "This till has no scale: weigh it at a label scale",
    "scale_unstable": "The scale is not steady",
    "nothing_weighed": "Nothing on the scale",
    "scale_unavailable": "The scale does not answer",
    "scale_overload": "Too heavy for the scale",
    "scale_underload": "The scale reads below zero: clear it",
}
# Scale answers after which Enter weighs the same code again (the scan keeps its id).
SCALE_RETRY = frozenset({"scale_unstable", "nothing_weighed", "scale_unavailable"})


@dataclass
class PendingScan:
    """A scan sent and not yet answered with a line (or to weigh again): sent again, it keeps
    `scan_id`, so the edge rings it up once."""

    code: str
    scan_id: UUID
    weigh: bool = False
    gift_card_number: str | None = None


class SaleScreen(Screen[None]):
    """One cart at a time (see the module)."""

    AUTO_FOCUS = "#scan"  # from the first frame: a scanner's first digits are not lost

    BINDINGS = [
        Binding("f12", "pay", "Pay"),
        Binding("f9", "void_sale", "Void sale"),
        Binding("f1", "help", "Help"),
        Binding("f6", "returns", "Returns"),
        *(Binding(key, action) for key, action in counter_actions.KEYS),
        Binding("f10", "shift", "Shift"),
        Binding("f11", "receipt_again", "Receipt again"),
        Binding("escape", "clear_scan", "Clear", show=False),
        Binding("up", "line(-1)", "Line up", show=False),
        Binding("down", "line(1)", "Line down", show=False),
        Binding("f2", "change_quantity", "Quantity"),
    ]
    DEFAULT_CSS = """
    SaleScreen #lines { height: 1fr; }
    SaleScreen #totals { height: 3; padding: 0 1; text-style: bold; }
    SaleScreen #message { height: 2; padding: 0 1; }
    SaleScreen #message.error { color: $error; }
    SaleScreen #scan_row { height: 3; }
    SaleScreen #scan_label { width: 8; padding: 1 1; }
    SaleScreen #scan { width: 1fr; }
    """

    def __init__(self, client: TillClient, *, double_scan_s: float = DOUBLE_SCAN_S) -> None:
        super().__init__()
        self.client = client
        self.double_scan_s = double_scan_s
        self.cart_id: UUID | None = None
        self.lines: list[CartLine] = []
        self.total = Decimal(0)
        self.pending: PendingScan | None = None  # sent without an answer, or to weigh again
        self.last_scan: tuple[str, float] | None = None
        self.last_sale: Sale | None = None  # the receipt F11 prints again

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="lines", cursor_type="row", zebra_stripes=True)
        table.add_column(Text("Qty", justify="right"), width=9)
        table.add_column("Item", width=52)
        for money in ("Unit price", "Discount", "Total"):
            table.add_column(Text(money, justify="right"), width=12)
        yield table
        yield ReceiptPanel(id="receipt")
        yield Static("", id="totals")
        yield Static("Scan or type a code, then Enter.  F12 pay   F1 help", id="message")
        with Horizontal(id="scan_row"):
            yield Static("Scan", id="scan_label")
            scan = Input(
                id="scan",
                placeholder="SKU, GTIN, or 3*code",
                max_length=64,
                select_on_focus=False,
            )
            scan.cursor_blink = False  # a till's cursor stays where the next scan goes
            yield scan
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

    def action_line(self, step: int) -> None:
        """Up/Down in the scan field highlight the line above or below (for F2, F7, F8)."""
        table = self.query_one("#lines", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def on_key(self, event: Key) -> None:
        """A character typed while the lines have the keyboard (a scanner firing after
        Shift+Tab) goes to the scan field, where it belongs."""
        field = self.query_one("#scan", Input)
        if event.is_printable and event.character and self.focused is not field:
            field.focus()
            field.insert_text_at_cursor(event.character)
            event.stop()

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
            if now - self.last_scan[1] < self.double_scan_s:
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

    async def scan(self, code: str, gift_card_number: str | None = None) -> None:
        """Ring `code` up on the cart (opened on the first scan). An item sold by weight and
        scanned by SKU or GTIN is weighed on this till's scale (the edge reads it): a scale
        that is not steady or empty keeps the code in the field, and Enter weighs again. A
        gift card asks for the number of the card it loads. Retries keep the scan's id."""
        field = self.query_one("#scan", Input)
        if self.pending is None or self.pending.code != code:
            self.pending = PendingScan(code, new_id())
        pending = self.pending
        if gift_card_number is not None:
            pending.gift_card_number = gift_card_number
        try:
            if self.cart_id is None:
                cart_id = new_id()
                await self.client.open_cart(cart_id)
                self.cart_id = cart_id
                self._hide_receipt()
            try:
                scanned = await self._send(pending)
            except EdgeRefused as refused:
                if refused.code != "weight_needed" or pending.weigh:
                    raise
                pending.weigh = True
                self._say(f"Weighing {code}...")
                scanned = await self._send(pending)
        except EdgeUnreachable:
            self._say(
                f"Not added: the till's node is not answering. Enter sends {code} again.",
                error=True,
            )
            return
        except EdgeRefused as refused:
            if refused.code == "gift_card_number_needed" and pending.gift_card_number is None:
                self._ask_gift_card_number(code)
                return
            self.app.bell()
            words = SCAN_WORDS.get(refused.code, refused.code)
            if refused.code in SCALE_RETRY:
                self._say(f"{words}: Enter weighs {code} again, Escape clears.", error=True)
                return
            self.pending = None
            field.value = ""
            self._say(f"{words}: {refused.detail}", error=True)
            return
        self.pending = None
        self.last_scan = (code, time.monotonic())
        field.value = ""
        self._add(scanned.line)
        self.total = scanned.total
        self._show_totals()
        weighed = f" ({scanned.line.quantity} kg weighed)" if pending.weigh else ""
        card = f" onto card {pending.gift_card_number}" if pending.gift_card_number else ""
        self._say(
            f"{scanned.line.description or scanned.line.sku}  {scanned.line.line_total}"
            f"{weighed}{card}"
        )

    async def _send(self, pending: PendingScan) -> Scanned:
        assert self.cart_id is not None
        return await self.client.scan(
            self.cart_id,
            pending.code,
            pending.scan_id,
            weigh=pending.weigh,
            gift_card_number=pending.gift_card_number,
        )

    def _ask_gift_card_number(self, code: str) -> None:
        """A gift card sold: the number of the card it loads (scanned or typed); Escape
        sells nothing."""

        async def answered(number: str | None) -> None:
            if number is None:
                self.action_clear_scan()
                self._say("No gift card sold.")
                return
            await self.scan(code, gift_card_number=number)

        self.app.push_screen(
            AskText(
                "Gift card sold: scan or type the number of the card it loads", restrict=r"[0-9]*"
            ),  # fmt: skip
            callback=answered,
        )

    def action_clear_scan(self) -> None:
        """Escape: empty the scan field and forget a scan waiting to be sent again."""
        self.pending = None
        self.query_one("#scan", Input).value = ""
        self._say("Scan or type a code, then Enter.  F12 pay   F1 help")

    def _add(self, line: CartLine) -> None:
        self._hide_receipt()
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
        self.last_sale = sale
        self._say(f"Paid. Change {sale.change:.2f}    receipt {sale.receipt_number}")
        self.run_worker(self._show_receipt(sale), group="receipt")

    async def _show_receipt(self, sale: Sale) -> None:
        """The receipt in place of the lines until the next scan (a failed fetch leaves
        the message: the sale is made either way)."""
        try:
            text = await receipt_text(self.client, sale.sale_id)
        except (EdgeRefused, EdgeUnreachable):
            return
        if self.cart_id is None:  # no new sale begun meanwhile
            self._show_receipt_panel(text, print_words(sale.receipt))

    def _show_receipt_panel(self, text: str, state: str) -> None:
        try:
            lines, panel = self.query_one("#lines", DataTable), self.query_one(ReceiptPanel)
        except NoMatches:  # the till quit while the receipt was being fetched
            return
        lines.display = False
        panel.show(text, state)

    def _hide_receipt(self) -> None:
        self.query_one(ReceiptPanel).display = False
        self.query_one("#lines", DataTable).display = True

    def action_receipt_again(self) -> None:
        """F11: the last sale's receipt again: the original when it did not print, else a
        copy (counted; a role without reprint opens the override)."""
        if self.last_sale is None:
            self._say("No sale yet at this till since it started.", error=True)
            return
        self.run_worker(self._receipt_again(self.last_sale), exclusive=True, group="receipt")

    async def _receipt_again(self, sale: Sale) -> None:
        status = sale.receipt
        try:
            if status is not None and not status.printed and status.error != "no_printer":
                try:
                    printed: Printed | None = await print_original(self.client, sale.sale_id)
                except EdgeRefused as refused:
                    if refused.code != "receipt_already_printed":
                        raise
                    printed = None
                if printed is not None:
                    self.last_sale = sale.model_copy(update={"receipt": printed})
                    self._receipt_shown(printed)
                    return
            printed = await with_override(
                self.app,
                "A copy of the receipt needs a supervisor",
                lambda headers: reprint(self.client, sale.sale_id, headers),
            )
        except (EdgeRefused, EdgeUnreachable) as error:
            self.app.bell()
            self._say(f"No receipt: {error}", error=True)
            return
        if printed is None:
            self._say("No copy: no supervisor approved it.")
            return
        self._receipt_shown(printed)

    def _receipt_shown(self, printed: Printed) -> None:
        state = print_words(printed, printed.copy_number)
        if self.cart_id is None:
            self._show_receipt_panel(printed.text, state)
        self._say(f"{state}: receipt {printed.receipt_number}", error=not printed.printed)

    def action_void_sale(self) -> None:
        """F9: void the whole sale, after the reason is typed (Escape keeps the sale); a role
        that may not void opens the manager's override."""
        if self.cart_id is None:
            self._say("Nothing to void.")
            return
        question = f"Void the whole sale ({self.total:.2f})? Why (Enter), or Escape to keep it"
        self.app.push_screen(AskText(question), callback=self._void_answered)

    def _void_answered(self, reason: str | None) -> None:
        # a worker: the override dialog it may open is waited for
        self.run_worker(self._void_because(reason), exclusive=True, group="void")

    async def _void_because(self, reason: str | None) -> None:
        cart_id = self.cart_id
        if reason is None or cart_id is None:
            self._say("The sale stays as it was.")
            return
        try:
            voided = await with_override(
                self.app,
                "Voiding a sale needs a supervisor",
                lambda headers: self.client.void_cart(cart_id, reason, headers),
            )
        except (EdgeRefused, EdgeUnreachable) as error:
            self.app.bell()
            self._say(f"Not voided: {error}", error=True)
            return
        if voided is None:
            self._say("Not voided: no supervisor approved it.")
            return
        self._new_cart()
        self._say(f"Sale voided: {reason}")

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
