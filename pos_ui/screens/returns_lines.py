"""What comes back at the returns desk (pos_ui/screens/returns.py): the receipt found by its
barcode or number and the units picked from its lines, or, without a receipt, the items typed;
and the body of `POST /v1/returns` they make.

`ReturnLines` is the desk's lower half: it holds the return being put together and the keys
that change it (Enter/Space a whole line, `+`/`-` one unit). The refund and HQ's approval are
`RefundFlow` (returns_refund.py); the screen itself, with its layout and modes, `ReturnsScreen`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from rich.text import Text
from textual import on
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from pos_ui.api_returns import Receipt, sale_by_receipt
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient

DEFAULT_REASON = "customer return"

# The edge's refusals as a cashier reads them (docs/api.md, "POST /v1/returns").
REFUSAL_WORDS = {
    "sale_not_found": "No such receipt at this store's node",
    "bad_receipt_barcode": "Not a receipt barcode",
    "unknown_sku": "Unknown item",
    "return_exceeds_sale": "More than is left to return on this receipt",
    "invalid_return": "Not a return the till can take",
    "invalid_quantity": "Not a quantity the till can take",
    "refund_above_price": "Above the catalogue price",
    "line_over_cap": "Above the store's limit for one line",
    "refund_tender_refused": "Refund refused",
    "refund_not_approved": "Not approved by HQ",
    "wrong_pin": "Wrong PIN",
    "override_by_self": "A manager other than the cashier must approve",
    "staff_locked": "That manager is locked out",
    "not_permitted": "Not permitted",
    "id_reused": "Already used for another return",
}


def plain(refused: EdgeRefused) -> str:
    """A refusal in the cashier's words: `Unknown item: <the edge's detail>`."""
    return f"{REFUSAL_WORDS.get(refused.code, refused.code)}: {refused.detail}"


class ReturnLines(Screen[None]):
    """The return being put together (see the module); the screen composes `#code`, `#lines`,
    `#reason`, `#customer`, `#customer_row`, `#refund_to`, `#tenders` and `#message`."""

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client
        self.with_receipt = True
        self.receipt: Receipt | None = None
        self.picked: dict[int, Decimal] = {}  # receipt line_no -> units to return
        self.items: list[tuple[str, Decimal]] = []  # without a receipt: (sku, quantity)
        self.store_credit = False

    # Finding the receipt, or typing the items

    async def _find_receipt(self, code: str) -> None:
        try:
            receipt = await sale_by_receipt(self.client, code)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Enter looks again.", error=True)
            return
        except EdgeRefused as refused:
            self._refused(refused)
            return
        self._start_over()
        self.receipt = receipt
        self.query_one("#code", Input).value = ""
        self._fill_table()
        self._show_refund_to()
        self.query_one("#lines", DataTable).focus()
        self._say(
            f"Receipt {receipt.receipt_number}, total {receipt.total:.2f}. "
            "Pick the lines coming back, then F12."
        )
        await self._receipt_found()

    async def _receipt_found(self) -> None:
        """Called once a receipt is on screen (`RefundFlow` shows a request already asked)."""

    def _add_item(self, code: str) -> None:
        quantity = Decimal(1)
        sku = code
        if "*" in code:
            count, _, sku = code.partition("*")
            try:
                quantity = Decimal(count)
            except InvalidOperation:
                self._say("A quantity, like 3*TEA-80", error=True)
                return
            if quantity <= 0:
                self._say("A quantity above 0", error=True)
                return
        self.items.append((sku.strip(), quantity))
        self.query_one("#code", Input).value = ""
        self._changed()
        self._fill_table()
        self._say(f"{quantity} x {sku.strip()} to take back. More items, or F12 to refund.")

    # Picking lines

    def _line_no(self) -> int | None:
        table = self.query_one("#lines", DataTable)
        if self.receipt is None or table.row_count == 0:
            return None
        return self.receipt.lines[table.cursor_row].line_no

    @on(DataTable.RowSelected, "#lines")
    def row_selected(self) -> None:
        self.action_toggle_line()

    def action_toggle_line(self) -> None:
        """Enter or Space: return the whole highlighted line, or (again) none of it."""
        if self.receipt is None:
            return
        line_no = self._line_no()
        if line_no is None:
            return
        sold = self.receipt.lines[self._index(line_no)].quantity
        self._set(line_no, Decimal(0) if self.picked.get(line_no) else sold)

    def action_more(self) -> None:
        """`+`: one unit more of the highlighted line (a weighed line: all of it)."""
        line_no = self._line_no()
        if line_no is None or self.receipt is None:
            return
        line = self.receipt.lines[self._index(line_no)]
        step = Decimal(1) if line.quantity == line.quantity.to_integral_value() else line.quantity
        self._set(line_no, min(self.picked.get(line_no, Decimal(0)) + step, line.quantity))

    def action_less(self) -> None:
        """`-`: one unit less of the highlighted line (a weighed line: none of it)."""
        line_no = self._line_no()
        if line_no is None or self.receipt is None:
            return
        line = self.receipt.lines[self._index(line_no)]
        step = Decimal(1) if line.quantity == line.quantity.to_integral_value() else line.quantity
        self._set(line_no, max(self.picked.get(line_no, Decimal(0)) - step, Decimal(0)))

    def _index(self, line_no: int) -> int:
        assert self.receipt is not None
        return next(i for i, line in enumerate(self.receipt.lines) if line.line_no == line_no)

    def _set(self, line_no: int, quantity: Decimal) -> None:
        if quantity > 0:
            self.picked[line_no] = quantity
        else:
            self.picked.pop(line_no, None)
        self._changed()
        table = self.query_one("#lines", DataTable)
        row = table.cursor_row
        self._fill_table()
        table.move_cursor(row=row)

    def _fill_table(self) -> None:
        table = self.query_one("#lines", DataTable)
        table.clear()
        if self.receipt is not None:
            for line in self.receipt.lines:
                back = self.picked.get(line.line_no, Decimal(0))
                table.add_row(
                    Text(str(line.line_no), justify="right"),
                    line.description or line.sku,
                    Text(f"{line.quantity}", justify="right"),
                    Text(f"{line.unit_price:.2f}", justify="right"),
                    Text(f"{back}" if back else "", justify="right", style="bold"),
                    Text(f"{back * line.unit_price:.2f}" if back else "", justify="right"),
                )
        else:
            for number, (sku, quantity) in enumerate(self.items, start=1):
                table.add_row(
                    Text(str(number), justify="right"),
                    sku,
                    "",
                    Text("catalogue", justify="right"),
                    Text(f"{quantity}", justify="right", style="bold"),
                    "",
                )

    def _something_picked(self) -> bool:
        return bool(self.picked) if self.with_receipt else bool(self.items)

    # Where the money goes

    def _show_refund_to(self) -> None:
        if self.with_receipt:
            if self.receipt is None:
                where = "the receipt's own tenders"
            else:
                where = ", ".join(f"{t.kind} {t.amount:.2f}" for t in self.receipt.tenders)
                where = f"the receipt's tenders, in proportion ({where})"
            if self.store_credit:
                where += "; its cash part as store credit"
        else:
            where = "store credit" if self.store_credit else "cash"
        self.query_one("#refund_to", Static).update(f"Refund to: {where}   (F3 changes)")

    def _start_over(self) -> None:
        """Forget the receipt and the items (a new return)."""
        self.receipt = None
        self.picked = {}
        self.items = []
        self.query_one("#customer_row").set_class(
            not (self.store_credit and not self.with_receipt), "hidden"
        )
        self._fill_table()
        self._show_refund_to()

    def _changed(self) -> None:
        """What would be refunded changed."""
        self._show_refund_to()

    def _body(self) -> dict[str, Any] | None:
        """The return as `POST /v1/returns` takes it (without `till_id` and `return_id`), or
        None with the reason said when there is nothing to send yet."""
        reason = self.query_one("#reason", Input).value.strip() or DEFAULT_REASON
        body: dict[str, Any] = {"reason": reason}
        if self.with_receipt:
            if self.receipt is None or not self.picked:
                self._say("Scan the receipt and pick the lines coming back.", error=True)
                return None
            lines = {line.line_no: line for line in self.receipt.lines}
            body["original_sale_id"] = str(self.receipt.sale_id)
            body["lines"] = [
                {"sku": lines[no].sku, "quantity": str(qty), "original_line_no": no}
                for no, qty in sorted(self.picked.items())
            ]
        else:
            if not self.items:
                self._say("Type the SKU of each item coming back.", error=True)
                return None
            body["lines"] = [{"sku": sku, "quantity": str(qty)} for sku, qty in self.items]
        if self.store_credit:
            refund: dict[str, Any] = {"kind": "store_credit"}
            customer = self.query_one("#customer", Input).value.strip()
            if not self.with_receipt:
                if not customer:
                    self._say("Store credit: type the customer's id.", error=True)
                    self.query_one("#customer", Input).focus()
                    return None
                body["customer_id"] = customer
            body["refund"] = refund
        return body

    # Saying things

    def _refused(self, refused: EdgeRefused) -> None:
        self.app.bell()
        self._say(plain(refused), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "error")
