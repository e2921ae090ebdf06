"""F10, the shift menu: the X report, closing the shift (a blind count by denomination, or
the drawer's total alone, then the Z on screen and printed), a no-sale, cash paid in and out.

    F10 -> X: the X report (P prints it)          C: close -> the count -> the Z
           N: no-sale   I: paid in   O: paid out   Esc: back to the sale

The count is blind: the expected cash and the variance appear only in the Z. A close the edge
did not answer keeps the count; Enter sends the same count again, which the edge answers
with the same Z. The menu returns the Z when the shift was closed (the till then signs out)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from pos_ui.api_shifts import (
    CashMovement,
    Count,
    Totals,
    XReport,
    ZReport,
    close_shift,
    current_shift_id,
    print_report,
    x_report,
)
from pos_ui.client import EdgeRefused, EdgeUnreachable, TillClient
from pos_ui.dialogs.cash import CashDialog, NoSaleDialog, plain
from pos_ui.dialogs.override import OverrideDialog, override_headers
from pos_ui.widgets.cash_count import CashCountForm

CLOSE_WORDS = {
    "carts_open": "A sale is still open: pay, park or void it first",
    "shift_closed": "This shift was closed already, with another count",
}


def totals_lines(totals: Totals) -> list[str]:
    """A shift's figures, one per line, as the X and Z screens show them."""
    lines = [
        f"Sales        {totals.sales_count:>4}  {totals.sales:>10.2f}",
        f"Returns      {totals.returns_count:>4}  {totals.returns:>10.2f}",
        f"Net sales          {totals.net_sales:>10.2f}",
        f"Voids        {totals.voids_count:>4}  {totals.voids:>10.2f}",
        f"Discounts          {totals.discounts:>10.2f}",
        f"Overrides    {totals.overrides_count:>4}",
        f"No-sales     {totals.no_sales_count:>4}",
    ]
    lines += [f"VAT {tax.rate}%  on {tax.net:.2f}  {tax.tax:>10.2f}" for tax in totals.tax]
    lines += [f"{kind.capitalize():<19}{amount:>10.2f}" for kind, amount in totals.tenders.items()]
    lines += [
        f"Float              {totals.float_cash:>10.2f}",
        f"Change given       {totals.change_given:>10.2f}",
        f"Paid in            {totals.paid_in:>10.2f}",
        f"Paid out           {totals.paid_out:>10.2f}",
        f"Pickups            {totals.pickups:>10.2f}",
    ]
    return lines


def x_text(report: XReport) -> str:
    """The X report as the screen shows it."""
    receipts = f"{report.first_receipt_number or '-'} to {report.last_receipt_number or '-'}"
    head = [
        f"[b]X report, till {report.till_id}[/b]   {report.at:%d %b %Y %H:%M}",
        f"Receipts {receipts}" + ("   [b]OVERDUE[/b]" if report.overdue else ""),
        "",
    ]
    tail = ["", f"[b]Expected cash      {report.expected_cash:>10.2f}[/b]"]
    return "\n".join(head + totals_lines(report.totals) + tail)


def z_headline(z: ZReport) -> str:
    """The Z's number and the cash: counted, expected, the variance (short or over)."""
    variance = "exact" if z.variance == 0 else ("short" if z.variance < 0 else "over")
    return (
        f"[b]Z report {z.z_number}, till {z.till_id}[/b]\n"
        f"Counted {z.counted_cash:.2f}   "
        f"expected {z.expected_cash:.2f}   variance {z.variance:+.2f} ({variance})"
    )


class XReportScreen(ModalScreen[None]):
    """The X report of the open shift; P prints it at the till's printer; Escape closes."""

    BINDINGS = [
        Binding("escape,enter", "dismiss", "Close"),
        Binding("p", "print_x", "Print"),
    ]
    DEFAULT_CSS = """
    XReportScreen { align: center middle; }
    XReportScreen > Vertical { width: 70; height: 34; border: thick $accent; padding: 0 1;
                               background: $surface; }
    XReportScreen #report { height: 1fr; }
    XReportScreen #message { height: 2; }
    """

    def __init__(self, client: TillClient, shift_id: str) -> None:
        super().__init__()
        self.client = client
        self.shift_id = shift_id

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="report"):
                yield Static("Asking the till's node...", id="text")
            yield Static("", id="message")
            yield Static("P: print  |  Esc: back")

    async def on_mount(self) -> None:
        try:
            report = await x_report(self.client, self.shift_id)
        except EdgeUnreachable:
            self._say("The till's node is not answering: Esc, then X again.")
            return
        except EdgeRefused as refused:
            self._say(plain(refused))
            return
        self.query_one("#text", Static).update(x_text(report))

    async def action_print_x(self) -> None:
        try:
            printed = await print_report(self.client, self.shift_id, "x")
        except EdgeUnreachable:
            self._say("Not printed: the till's node is not answering. P tries again.")
            return
        except EdgeRefused as refused:
            self._say(plain(refused))
            return
        if printed.printed:
            self.query_one("#message", Static).update(f"Printed at {printed.printer}.")
        else:
            self._say(f"Not printed ({printed.error}): the report is on screen.")

    def _say(self, text: str) -> None:
        self.app.bell()
        self.query_one("#message", Static).update(text)


class CloseShiftScreen(ModalScreen[ZReport | None]):
    """The blind count of the drawer, then the Z (see the module). Returns the Z, or None
    when the cashier backed out before closing."""

    BINDINGS = [
        Binding("escape", "back_out", "Back"),
        Binding("f10", "close_shift", "Close the shift"),
    ]
    DEFAULT_CSS = """
    CloseShiftScreen { align: center middle; }
    CloseShiftScreen > Vertical { width: 90; height: auto; max-height: 38; border: thick $accent;
                                  padding: 0 1; background: $surface; }
    CloseShiftScreen #title { text-style: bold; }
    CloseShiftScreen #z { height: auto; max-height: 30; display: none; }
    CloseShiftScreen #z_text { width: auto; }
    CloseShiftScreen.closed #z { display: block; }
    CloseShiftScreen.closed CashCountForm { display: none; }
    CloseShiftScreen #message { color: $error; height: 2; }
    """

    def __init__(self, client: TillClient, shift_id: str, currency: str = "GBP") -> None:
        super().__init__()
        self.client = client
        self.shift_id = shift_id
        self.currency = currency
        self.z: ZReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="panel"):
            yield Static(f"Close the shift of till {self.client.till_id}", id="title")
            yield CashCountForm(self.currency, prompt="Count the drawer", id="count")
            with VerticalScroll(id="z"):
                yield Static("", id="z_head")
                yield Static("", id="z_text")
            yield Static("", id="message")
            yield Static("Esc: back, nothing closed", id="keys")

    def on_mount(self) -> None:
        self.query_one(CashCountForm).focus_total()

    async def action_close_shift(self) -> None:
        if self.z is not None:
            self.dismiss(self.z)
            return
        self.query_one(CashCountForm).done()

    @on(CashCountForm.NotMoney)
    def not_money(self, event: CashCountForm.NotMoney) -> None:
        self._say(event.reason)

    @on(CashCountForm.Counted)
    async def counted(self, event: CashCountForm.Counted) -> None:
        await self._send(Count(event.counts, event.total), {})

    async def _send(self, count: Count, headers: Mapping[str, str]) -> None:
        try:
            z = await close_shift(self.client, self.shift_id, count, headers)
        except EdgeUnreachable:
            self._say("Not closed: the till's node is not answering. Enter sends the count again.")
            return
        except EdgeRefused as refused:
            if refused.code == "not_permitted" and not headers:
                self.app.push_screen(
                    OverrideDialog("Closing another cashier's shift needs a manager"),
                    callback=lambda approval: self._approved(count, approval),
                )
                return
            words = CLOSE_WORDS.get(refused.code)
            self._say(f"{words}: {refused.detail}" if words else plain(refused))
            return
        await self._show(z)

    async def _approved(self, count: Count, approval: tuple[str, str] | None) -> None:
        if approval is None:
            self._say("Not closed: no manager approved it.")
            return
        await self._send(count, override_headers(approval))

    async def _show(self, z: ZReport) -> None:
        self.z = z
        self.add_class("closed")
        self.query_one("#z_head", Static).update(z_headline(z))
        self.query_one("#keys", Static).update("Enter or Esc: done (the till signs out)")
        self.query_one("#message", Static).update("")
        try:
            printed = await print_report(self.client, self.shift_id, "z")
        except EdgeUnreachable:
            self.query_one("#z_text", Static).update("\n".join(totals_lines(z.totals)))
            self._say("The Z did not print: the till's node is not answering.")
            return
        self.query_one("#z_text", Static).update(printed.text)
        if not printed.printed:
            self._say(f"The Z did not print ({printed.error}): it is on screen.")
        self.query_one("#z", VerticalScroll).focus()  # arrows and PgDn scroll the Z

    def key_enter(self) -> None:
        if self.z is not None:
            self.dismiss(self.z)

    def action_back_out(self) -> None:
        self.dismiss(self.z)

    def _say(self, text: str) -> None:
        self.app.bell()
        self.query_one("#message", Static).update(text)


class ShiftMenu(ModalScreen[ZReport | None]):
    """F10 (see the module). Returns the Z when the shift was closed, else None."""

    BINDINGS = [
        Binding("x", "x_report", "X report"),
        Binding("c", "close_shift", "Close shift"),
        Binding("n", "no_sale", "No sale"),
        Binding("i", "cash('paid_in')", "Paid in"),
        Binding("o", "cash('paid_out')", "Paid out"),
        Binding("escape,f10", "back_out", "Back"),
    ]
    DEFAULT_CSS = """
    ShiftMenu { align: center middle; }
    ShiftMenu > Vertical { width: 60; height: auto; border: thick $accent; padding: 1 2;
                           background: $surface; }
    ShiftMenu #message { height: 2; }
    ShiftMenu #message.error { color: $error; }
    """

    def __init__(self, client: TillClient) -> None:
        super().__init__()
        self.client = client

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Shift[/b]\n")
            for key, what in (
                ("X", "X report (the shift so far)"),
                ("C", "close the shift: count the drawer, Z report"),
                ("N", "no sale: open the drawer"),
                ("I", "cash paid in"),
                ("O", "cash paid out"),
                ("Esc", "back to the sale"),
            ):
                yield Static(f"[b]{key:<5}[/b]{what}")
            yield Static("", id="message")

    async def _shift_id(self) -> str | None:
        try:
            shift_id = await current_shift_id(self.client)
        except EdgeUnreachable:
            self._say("The till's node is not answering: try again.", error=True)
            return None
        except EdgeRefused as refused:
            self._say(plain(refused), error=True)
            return None
        if shift_id is None:
            self._say("No shift is open at this till.", error=True)
        return shift_id

    async def action_x_report(self) -> None:
        shift_id = await self._shift_id()
        if shift_id is not None:
            self.app.push_screen(XReportScreen(self.client, shift_id))

    async def action_close_shift(self) -> None:
        shift_id = await self._shift_id()
        if shift_id is not None:
            try:
                currency = await self.client.currency()
            except (EdgeRefused, EdgeUnreachable):
                currency = "GBP"
            self.app.push_screen(
                CloseShiftScreen(self.client, shift_id, currency), callback=self._shift_closed
            )

    def _shift_closed(self, z: ZReport | None) -> None:
        if z is not None:
            self.dismiss(z)

    def action_no_sale(self) -> None:
        self.app.push_screen(NoSaleDialog(self.client), callback=self._drawer_opened)

    def _drawer_opened(self, opened: bool | None) -> None:
        if opened:
            self._say("Drawer opened: no sale (counted and audited).")

    def action_cash(self, kind: str) -> None:
        if kind in ("paid_in", "paid_out"):
            dialog = CashDialog(self.client, "paid_in" if kind == "paid_in" else "paid_out")
            self.app.push_screen(dialog, callback=self._cash_moved)

    def _cash_moved(self, movement: CashMovement | None) -> None:
        if movement is not None:
            what = "Paid in" if movement.kind == "paid_in" else "Paid out"
            self._say(f"{what} {movement.amount:.2f}: {movement.reason}")

    def action_back_out(self) -> None:
        self.dismiss(None)

    def _say(self, text: str, *, error: bool = False) -> None:
        if error:
            self.app.bell()
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "error")


def sign_out_after_z(sale: Screen[None]) -> Callable[[ZReport | None], Awaitable[None]]:
    """The shift menu's callback on the sale screen `sale`: once the Z is taken the sale
    screen goes and the till locks (signs out); the next sign-in asks for a float."""

    async def done(z: ZReport | None) -> None:
        if z is None:
            return
        app = sale.app
        sale.dismiss()  # not awaited: this runs in the sale screen's own handler
        app.call_later(app.run_action, "lock")

    return done
