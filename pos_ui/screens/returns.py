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

A request that got no answer keeps everything typed and picked, and F12 sends it again with
the same id: nothing is refunded twice. Escape goes back to the sale, changing nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from uuid import UUID, uuid5

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from pos_ui.api_returns import (
    Receipt,
    RefundRequest,
    Returned,
    ask_hq,
    complete_refund,
    record_return,
    refund_request,
    refund_tender_text,
    sale_by_receipt,
)
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient, new_id
from pos_ui.dialogs.confirm import Confirm
from pos_ui.dialogs.override import OverrideDialog

T = TypeVar("T")

# How often the desk reads a refund request again while HQ has not decided (seconds).
POLL_S = 2.0
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

STATUS_WORDS = {
    "pending": "waiting for HQ",
    "approved": "APPROVED by HQ",
    "rejected": "REJECTED by HQ",
    "expired": "expired: nobody at HQ decided in time",
    "executed": "refunded",
    "lapsed": "lapsed: approved but not made in time",
}


class ReturnsScreen(Screen[None]):
    """The returns desk (see the module). Pushed over the sale; Escape pops it."""

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

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client
        self.with_receipt = True
        self.receipt: Receipt | None = None
        self.picked: dict[int, Decimal] = {}  # receipt line_no -> units to return
        self.items: list[tuple[str, Decimal]] = []  # without a receipt: (sku, quantity)
        self.store_credit = False
        self.approval: tuple[str, str] | None = None
        # the return last sent (its body, as JSON text) and its id: resent as is, same id
        self.attempt: tuple[str, UUID] | None = None
        self.request: RefundRequest | None = None
        self.request_body: str | None = None
        self.done: Returned | None = None
        self._poll: Timer | None = None

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

    def on_unmount(self) -> None:
        if self._poll is not None:
            self._poll.stop()

    # Finding the receipt, or typing the items

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
        if self.receipt is None:
            return
        line_no = self._line_no()
        if line_no is None:
            return
        sold = self.receipt.lines[self._index(line_no)].quantity
        self._set(line_no, Decimal(0) if self.picked.get(line_no) else sold)

    def action_more(self) -> None:
        line_no = self._line_no()
        if line_no is None or self.receipt is None:
            return
        line = self.receipt.lines[self._index(line_no)]
        step = Decimal(1) if line.quantity == line.quantity.to_integral_value() else line.quantity
        self._set(line_no, min(self.picked.get(line_no, Decimal(0)) + step, line.quantity))

    def action_less(self) -> None:
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
        """Forget the receipt, the items, the ids and the approval (a new return)."""
        if self._poll is not None:
            self._poll.stop()
            self._poll = None
        self.receipt = None
        self.picked = {}
        self.items = []
        self.attempt = None
        self.approval = None
        self.request = None
        self.request_body = None
        self.done = None
        self.query_one("#tenders", Static).update("")
        self.query_one("#customer_row").set_class(
            not (self.store_credit and not self.with_receipt), "hidden"
        )
        self._fill_table()
        self._show_refund_to()

    def _changed(self) -> None:
        """What would be refunded changed: a new id next time, and a new approval."""
        self.attempt = None
        self.approval = None
        if self.request is not None and self.request.status in ("pending", "approved"):
            self._say("The request to HQ was for other lines: F12 asks again.", error=True)
        self.request = None
        self.request_body = None
        self._show_refund_to()

    # Refunding

    def _body(self) -> dict[str, Any] | None:
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

    async def action_refund(self) -> None:
        """F12: make the return (or, once HQ approved it, the approved refund)."""
        if self.done is not None:
            self._say("Refunded already. F2 or a new receipt starts the next return.")
            return
        body = self._body()
        if body is None:
            return
        text = json.dumps(body, sort_keys=True)
        if self.request is not None and self.request_body == text:
            await self._complete()
            return
        if self.attempt is None or self.attempt[0] != text:
            self.attempt = (text, new_id())
        return_id = self.attempt[1]
        returned = await self._send(
            "this return", lambda approval: record_return(self.client, return_id, body, approval)
        )
        if returned is not None:
            self._refunded(returned)

    async def _send(
        self, what: str, call: Callable[[tuple[str, str] | None], Awaitable[T]]
    ) -> T | None:
        """`call` with the approval held; no answer, a refusal or a 403 are shown (a 403 opens
        the override dialog, and F12 sends the same request again with it)."""
        try:
            return await call(self.approval)
        except EdgeUnreachable:
            self._say(
                "No answer from the till's node: nothing is lost. F12 sends the same again "
                "(nothing is refunded twice).",
                error=True,
            )
            return None
        except EdgeRefused as refused:
            if refused.code in ("not_permitted", "wrong_pin", "override_by_self", "staff_locked"):
                tried = self.approval is not None
                self.approval = None
                message = _plain(refused) if tried else ""
                self.app.bell()
                self._say(f"A manager must approve {what}.", error=True)
                self.app.push_screen(
                    OverrideDialog(f"A manager must approve {what}.", message),
                    callback=self._overridden,
                )
                return None
            if refused.code == "refund_needs_approval":
                self.app.bell()
                self._say(f"Above the store's limit: {refused.detail}", error=True)
                self.app.push_screen(
                    Confirm(f"{refused.detail}\n\nAsk HQ to approve this refund?"),
                    callback=self._ask_if,
                )
                return None
            self._refused(refused)
            return None

    async def _overridden(self, approval: tuple[str, str] | None) -> None:
        if approval is None:
            self._say("Not approved: nothing was refunded.")
            return
        self.approval = approval
        await self.action_refund()

    def _refunded(self, returned: Returned) -> None:
        self.done = returned
        self.approval = None
        tenders = "\n".join(refund_tender_text(tender) for tender in returned.refunds)
        self.query_one("#tenders", Static).update(
            f"[b]Refunded {returned.total:.2f}   [/b]return receipt {returned.receipt_number}\n"
            + (tenders or "nothing to pay back")
        )
        self._say("Done. Give the customer the money back as shown. Esc: back to the sale.")

    # Asking HQ

    async def _ask_if(self, yes: bool | None) -> None:
        if not yes:
            self._say("Not asked: nothing was refunded.")
            return
        body = self._body()
        if body is None or self.attempt is None:
            return
        session = self.client.session
        requested_by = session.staff.staff_code if session is not None else self.client.till_id
        # derived from the return's id: asking again is the same request
        request_id = uuid5(self.attempt[1], "refund-request")
        try:
            request = await ask_hq(self.client, request_id, body, requested_by)
        except EdgeUnreachable:
            self._say("No answer from the till's node: F12 asks again.", error=True)
            return
        except EdgeRefused as refused:
            self._refused(refused)
            return
        self.request = request
        self.request_body = json.dumps(body, sort_keys=True)
        self._show_request()
        if self._poll is None:
            self._poll = self.set_interval(POLL_S, self._read_request)

    async def _read_request(self) -> None:
        if self.request is None:
            return
        try:
            self.request = await refund_request(self.client, self.request.request_id)
        except (EdgeUnreachable, EdgeRefused):
            return  # shown as it was; read again at the next tick
        self._show_request()
        if self.request.decided and self._poll is not None:
            self._poll.stop()
            self._poll = None

    def _show_request(self) -> None:
        request = self.request
        if request is None:
            return
        status = STATUS_WORDS.get(request.status, request.status)
        line = f"[b]Refund request {request.amount:.2f}: {status}[/b]"
        if request.status == "pending":
            line += "  (at HQ)" if request.heard_from_hub else "  (not at HQ yet)"
        if request.decided_by:
            line += f"\nby {request.decided_by}" + (f": {request.notes}" if request.notes else "")
        if request.status == "approved":
            line += "\nF12 makes the refund."
        self.query_one("#tenders", Static).update(line)
        if request.status in ("approved", "rejected", "expired", "lapsed"):
            self.app.bell()

    async def _complete(self) -> None:
        request = self.request
        if request is None or self.attempt is None:
            return
        if request.status != "approved":
            self._say(f"HQ has not approved it: {STATUS_WORDS.get(request.status)}", error=True)
            return
        refund = {"kind": "store_credit"} if self.store_credit else None
        return_id = self.attempt[1]
        returned = await self._send(
            "this refund",
            lambda approval: complete_refund(
                self.client, request.request_id, return_id, refund, approval
            ),
        )
        if returned is not None:
            self._refunded(returned)

    # The rest

    def _refused(self, refused: EdgeRefused) -> None:
        self.app.bell()
        self._say(_plain(refused), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "error")

    def action_back(self) -> None:
        self.app.pop_screen()


def _plain(refused: EdgeRefused) -> str:
    return f"{REFUSAL_WORDS.get(refused.code, refused.code)}: {refused.detail}"
