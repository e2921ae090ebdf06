"""Receipts and X/Z reports as plain text for a receipt printer's columns (48 on 80 mm, 32 on 58 mm).

Every line fits the width: descriptions and labels wrap at word boundaries (a word longer
than the line is cut), amounts are right-aligned, and a label too long to share its line with
its amount goes on the line above it. Amounts print with the store currency's minor units
(ISO 4217: 2 for GBP, 0 for JPY) and a thousands comma; negative amounts (returns, discounts,
a short drawer) carry a leading minus. Control characters in any text from the catalogue or
the settings print as spaces, so a description can never smuggle a printer command in.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from edge.receipts.document import (
    Document,
    Receipt,
    ReceiptKind,
    ReceiptLine,
    ReportKind,
    ShiftReport,
    Tender,
    VatRate,
)
from edge.receipts.errors import InvalidPrinterConfig
from shared.money import Money, minor_units

MIN_COLUMNS = 32
MAX_COLUMNS = 80
RATE_COLUMN = 6


@dataclass(frozen=True, slots=True)
class RenderedText:
    """A document laid out for `columns`: the store's header lines (to be centred) and the body.

    `header` holds the lines unpadded (a printer centres them itself); `lines` and `text`
    centre them with leading spaces.
    """

    columns: int
    header: tuple[str, ...]
    body: tuple[str, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(centre(line, self.columns) for line in self.header) + self.body

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render(document: Document, columns: int = 48) -> RenderedText:
    """Lay out a receipt or an X/Z report for a printer of `columns` characters (32 to 80).

    Raises InvalidPrinterConfig for a column count out of range.
    """
    if isinstance(columns, bool) or not MIN_COLUMNS <= columns <= MAX_COLUMNS:
        raise InvalidPrinterConfig(f"columns must be {MIN_COLUMNS} to {MAX_COLUMNS}, not {columns}")
    header: list[str] = []
    for line in document.store.header_lines:
        header += wrap(line, columns)
    if isinstance(document, Receipt):
        body = _receipt_body(document, columns)
    else:
        body = _report_body(document, columns)
    return RenderedText(columns, tuple(header), tuple(body))


def render_text(document: Document, columns: int = 48) -> str:
    """The document as text: one string, lines ended by "\\n", none longer than `columns`."""
    return render(document, columns).text


def format_money(amount: Money, *, signed: bool = False) -> str:
    """ "1,234.50" in the currency's minor units; "-3.00" when negative, "+3.00" if `signed`."""
    places = minor_units(amount.currency)
    # Decimal keeps the sign of a zero ("-0.00" from a caller): a zero prints unsigned.
    text = format(abs(amount.amount) if amount.is_zero() else amount.amount, f",.{places}f")
    if signed and amount.amount > 0:
        return "+" + text
    return text


def clean(text: str) -> str:
    """`text` with control characters (ESC, GS, newlines...) as spaces, trimmed."""
    return "".join(" " if ord(char) < 0x20 or ord(char) == 0x7F else char for char in text).strip()


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """`text` wrapped at word boundaries to `width` (long words cut), each line after `indent`."""
    lines = textwrap.wrap(
        clean(text),
        width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )
    return lines or [""]


def centre(line: str, width: int) -> str:
    """`line` centred by leading spaces (no trailing ones)."""
    return " " * ((width - len(line)) // 2) + line


def pair(left: str, right: str, width: int, indent: str = "") -> list[str]:
    """`left` then `right` right-aligned on one line, or `left` wrapped above a right-aligned `right`."""
    left = clean(left)
    if len(indent) + len(left) + 1 + len(right) <= width:
        return [indent + left + " " * (width - len(indent) - len(left) - len(right)) + right]
    lines = wrap(left, width, indent) if left else []
    if len(right) > width:
        return lines + textwrap.wrap(right, width, break_on_hyphens=False)
    return lines + [right.rjust(width)]


def _time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _rate(rate: Decimal) -> str:
    if rate == rate.to_integral_value():
        return f"{int(rate)}%"
    return f"{rate.normalize():f}%"


def _quantity(line: ReceiptLine) -> str:
    if isinstance(line.quantity, Decimal):
        return f"{line.quantity:f} {line.unit}"
    return str(line.quantity)


def _copy_banner(copy_number: int, width: int) -> list[str]:
    if copy_number == 0:
        return []
    return [centre(f"*** COPY {copy_number} ***", width)]


def _line(line: ReceiptLine, width: int) -> list[str]:
    out = wrap(line.description, width)
    price = format_money(line.unit_price)
    if line.exact_unit_price is not None and line.exact_unit_price != line.unit_price.amount:
        price = f"{line.exact_unit_price.normalize():f}"
    if line.unit is not None:
        price += f"/{line.unit}"
    detail = f"{_quantity(line)} x {price}"
    total = format_money(line.gross)
    with_sku = f"{clean(line.sku)} {detail}"
    if len(with_sku) + 2 + 1 + len(total) <= width:
        out += pair(with_sku, total, width, "  ")
    else:
        out += wrap(line.sku, width, "  ")
        out += pair(detail, total, width, "  ")
    if line.price_overridden:
        out.append("  PRICE OVERRIDE")
    if line.discount is not None and not line.discount.is_zero():
        out += pair(line.discount_label, format_money(-line.discount), width, "  ")
    return out


def _vat(vat: tuple[VatRate, ...], width: int) -> list[str]:
    cell = (width - RATE_COLUMN) // 3
    rate_width = width - 3 * cell
    rows = [
        (_rate(r.rate), format_money(r.net), format_money(r.tax), format_money(r.gross))
        for r in vat
    ]
    fits = all(len(row[0]) < rate_width and max(len(v) for v in row[1:]) < cell for row in rows)
    if fits:
        out = [
            "VAT".ljust(rate_width) + "Net".rjust(cell) + "Tax".rjust(cell) + "Gross".rjust(cell)
        ]
        for rate, net, tax, gross in rows:
            out.append(
                rate.ljust(rate_width) + net.rjust(cell) + tax.rjust(cell) + gross.rjust(cell)
            )
        return out
    out = []
    for rate, net, tax, gross in rows:
        out.append(f"VAT {rate}")
        out += pair("Net", net, width, "  ") + pair("Tax", tax, width, "  ")
        out += pair("Gross", gross, width, "  ")
    return out


def _tenders(tenders: tuple[Tender, ...], width: int) -> list[str]:
    out: list[str] = []
    for tender in tenders:
        out += pair(tender.label, format_money(tender.amount), width)
        for detail in tender.details:
            out += wrap(detail, width, "  ")
    return out


def _receipt_body(receipt: Receipt, width: int) -> list[str]:
    zone = receipt.store.zone
    currency = receipt.store.currency
    title = "SALE" if receipt.kind is ReceiptKind.SALE else "RETURN"
    out = _copy_banner(receipt.copy_number, width)
    out += ["=" * width, centre(title, width)]
    out += pair("Receipt", clean(receipt.receipt_number), width)
    if receipt.original_receipt_number is not None:
        out += pair("Original receipt", clean(receipt.original_receipt_number), width)
    out += pair("Till", clean(receipt.till_id), width)
    out += pair("Staff", clean(receipt.staff_name), width)
    out += pair("Date", _time(receipt.issued_at, zone), width)
    out.append("-" * width)
    for line in receipt.lines:
        out += _line(line, width)
    out.append("-" * width)
    if not receipt.discount_total.is_zero():
        out += pair("Subtotal", format_money(receipt.subtotal), width)
        out += pair(receipt.cart_discount_label, format_money(-receipt.discount_total), width)
    total_label = "TOTAL" if receipt.kind is ReceiptKind.SALE else "TOTAL REFUND"
    out += pair(f"{total_label} {currency}", format_money(receipt.total), width)
    out += _tenders(receipt.tenders, width)
    out += pair("Change", format_money(receipt.change), width)
    out.append("-" * width)
    out += _vat(receipt.vat, width)
    out.append("=" * width)
    for footer in receipt.store.footer_lines:
        out += [centre(part, width) for part in wrap(footer, width)]
    out += _copy_banner(receipt.copy_number, width)
    return out


def _count(label: str, count: int, amount: Money, width: int) -> list[str]:
    return pair(f"{label} ({count})", format_money(amount), width)


def _report_body(report: ShiftReport, width: int) -> list[str]:
    zone = report.store.zone
    totals = report.totals
    out = _copy_banner(report.copy_number, width)
    out += ["=" * width]
    if report.kind is ReportKind.Z:
        out.append(centre(f"Z REPORT {report.z_number}", width))
    else:
        out += [centre("X REPORT", width), centre("(shift still open)", width)]
    out += pair("Till", clean(report.till_id), width)
    out += pair("Staff", clean(report.staff_name), width)
    out += pair("Business day", report.business_day.isoformat(), width)
    out += pair("From", _time(report.period_start, zone), width)
    out += pair("To", _time(report.period_end, zone), width)
    out += pair("First receipt", clean(report.first_receipt_number or "none"), width)
    out += pair("Last receipt", clean(report.last_receipt_number or "none"), width)
    out.append("-" * width)
    out += _count("Sales", totals.sales_count, totals.sales, width)
    out += _count("Returns", totals.returns_count, totals.returns, width)
    out += pair(f"NET SALES {report.store.currency}", format_money(totals.net_sales), width)
    out += _count("Voids", totals.voids_count, totals.voids, width)
    out += pair("Discounts given", format_money(totals.discounts), width)
    out += pair("Price overrides", str(totals.overrides_count), width)
    out += pair("No sales", str(totals.no_sales_count), width)
    out.append("-" * width)
    out += _vat(report.vat, width)
    out.append("-" * width)
    out.append("Tenders")
    out += _tenders(report.tenders, width) if report.tenders else ["  none"]
    out.append("-" * width)
    # How the expected cash comes about, so a variance can be traced on paper.
    out += pair("Float", format_money(totals.float_cash), width)
    out += pair("Cash taken", format_money(totals.cash_tenders), width)
    out += pair("Change given", format_money(-totals.change_given), width)
    out += pair("Paid in", format_money(totals.paid_in), width)
    out += pair("Paid out", format_money(-totals.paid_out), width)
    out += pair("Pickups", format_money(-totals.pickups), width)
    out += pair("Expected cash", format_money(report.expected_cash), width)
    if report.counted_cash is not None and report.variance is not None:
        out += pair("Counted cash", format_money(report.counted_cash), width)
        out += pair("Variance", format_money(report.variance, signed=True), width)
    if report.grand_total is not None:
        out.append("=" * width)
        out += pair("Grand total", format_money(report.grand_total), width)
    out.append("=" * width)
    out += _copy_banner(report.copy_number, width)
    return out
