"""Receipts as a cashier and a manager see them: checked documents, text at 48/32 columns, ESC/POS.

Snapshots live in tests/unit/snapshots/receipts/ and are compared exactly. After a deliberate
layout change, rewrite them with
    VECTIS_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/unit/test_receipts.py -q -p no:cacheprovider
and review the diff (git diff tests/unit/snapshots) before committing.
"""

from __future__ import annotations

import dataclasses
import os
import socketserver
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from edge.domain.barcodes import parse_receipt_barcode
from edge.domain.cash_count import CashCount
from edge.domain.shifts import (
    CashMovementKind,
    SaleRecord,
    ShiftTotals,
    TaxAtRate,
    XReport,
    ZReport,
    close_shift,
    open_shift,
    record_cash_movement,
    record_no_sale,
    record_sale,
    record_void,
    x_report,
)
from edge.domain.staff import Role
from edge.errors import Invalid, Unavailable
from edge.receipts.document import (
    Receipt,
    ReceiptKind,
    ReceiptLine,
    ReportKind,
    ShiftReport,
    Store,
    Tender,
    VatRate,
)
from edge.receipts.errors import (
    InconsistentReceipt,
    InvalidPrinterConfig,
    PrinterUnavailable,
    UnprintableReceiptNumber,
)
from edge.receipts.escpos import barcode_content, barcode_data, render_escpos
from edge.receipts.sinks import (
    FilePrinter,
    NetworkPrinter,
    UsbPrinter,
    open_printer,
    parse_printer,
    print_document,
    send,
)
from edge.receipts.text import format_money, render, render_text
from edge.settings import EdgeSettings
from shared.money import Money
from tests.receipt_bytes import decode

SNAPSHOTS = Path(__file__).parent / "snapshots" / "receipts"
UPDATE = os.environ.get("VECTIS_UPDATE_SNAPSHOTS") == "1"


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


STORE = Store(
    header_lines=("Vectis Corner Shop", "12 High Street, Leeds LS1 4AB", "VAT GB 123 4567 89"),
    footer_lines=("Thank you for shopping with us", "Returns within 28 days with this receipt"),
    currency="GBP",
    time_zone="Europe/London",
)
# 21:14 UTC in July is 22:14 BST: the receipt shows the store's time.
SOLD_AT = datetime(2026, 7, 3, 21, 14, tzinfo=UTC)


def sale(**changes: object) -> Receipt:
    """A sale with a line discount, a price override, a weighed item, a cart discount, two VAT
    rates, paid in cash with change."""
    lines = (
        ReceiptLine(
            description="Organic semi-skimmed milk 2 litre bottle, British farms",
            sku="5000128104517",
            quantity=2,
            unit_price=gbp("1.45"),
            line_total=gbp("2.61"),
            discount=gbp("0.29"),
            discount_label="Dairy promo 10%",
        ),
        ReceiptLine(
            description="Kettle, stainless",
            sku="KET-01",
            quantity=1,
            unit_price=gbp("18.00"),
            line_total=gbp("18.00"),
            price_overridden=True,
        ),
        ReceiptLine(
            description="Bananas loose",
            sku="2012345",
            quantity=Decimal("1.235"),
            unit="kg",
            unit_price=gbp("0.89"),
            line_total=gbp("1.10"),
        ),
    )
    # Zero-rated food 3.71 less its share of the 1.00 cart discount (0.17) = 3.54;
    # standard-rated kettle 18.00 less 0.83 = 17.17 gross, 14.31 net + 2.86 VAT.
    fields: dict[str, object] = {
        "kind": ReceiptKind.SALE,
        "store": STORE,
        "till_id": "T1",
        "staff_name": "Alice Brown",
        "receipt_number": "0001-000123",
        "issued_at": SOLD_AT,
        "lines": lines,
        "cart_discount": gbp("1.00"),
        "cart_discount_label": "Manager discount",
        "vat": (
            VatRate(Decimal("0"), gbp("3.54"), gbp("0.00"), gbp("3.54")),
            VatRate(Decimal("20"), gbp("14.31"), gbp("2.86"), gbp("17.17")),
        ),
        "total": gbp("20.71"),
        "tenders": (Tender("Cash", gbp("25.00")),),
        "change": gbp("4.29"),
    }
    fields.update(changes)
    return Receipt(**fields)  # type: ignore[arg-type]


def a_return() -> Receipt:
    line = ReceiptLine(
        description="Kettle, stainless",
        sku="KET-01",
        quantity=-1,
        unit_price=gbp("18.00"),
        line_total=gbp("-18.00"),
    )
    return Receipt(
        kind=ReceiptKind.RETURN,
        store=STORE,
        till_id="T2",
        staff_name="Bob Patel",
        receipt_number="0002-000045",
        original_receipt_number="0001-000123",
        issued_at=datetime(2026, 7, 4, 9, 30, tzinfo=UTC),
        lines=(line,),
        vat=(VatRate(Decimal("20"), gbp("-15.00"), gbp("-3.00"), gbp("-18.00")),),
        total=gbp("-18.00"),
        tenders=(Tender("Cash refund", gbp("-18.00")),),
        change=gbp("0.00"),
    )


# A shift's totals as edge.domain.shifts keeps them: 150.00 float, 420.56 cash taken with
# 20.00 given back as change, so 550.56 expected in the drawer.
TOTALS = ShiftTotals(
    currency="GBP",
    sales_count=42,
    sales=gbp("1234.56"),
    returns_count=2,
    returns=gbp("-36.00"),
    voids_count=3,
    voids=gbp("-12.40"),
    discounts=gbp("15.20"),
    overrides_count=1,
    no_sales_count=2,
    tax=(
        TaxAtRate(Decimal("0"), gbp("420.00"), gbp("0.00")),
        TaxAtRate(Decimal("5"), gbp("60.00"), gbp("3.00")),
        TaxAtRate(Decimal("20"), gbp("596.30"), gbp("119.26")),
    ),
    tenders=(("card", gbp("798.00")), ("cash", gbp("420.56"))),
    float_cash=gbp("150.00"),
    change_given=gbp("20.00"),
    paid_in=gbp("0.00"),
    paid_out=gbp("0.00"),
    pickups=gbp("0.00"),
)


def report(kind: ReportKind, **changes: object) -> ShiftReport:
    fields: dict[str, object] = {
        "kind": kind,
        "store": STORE,
        "till_id": "T1",
        "staff_name": "Alice Brown",
        "business_day": date(2026, 7, 3),
        "period_start": datetime(2026, 7, 3, 7, 0, tzinfo=UTC),
        "period_end": datetime(2026, 7, 3, 17, 5, tzinfo=UTC),
        "first_receipt_number": "0001-000100",
        "last_receipt_number": "0001-000143",
        "totals": TOTALS,
    }
    if kind is ReportKind.Z:
        fields |= {"counted_cash": gbp("548.06"), "z_number": 17, "grand_total": gbp("98765.43")}
    fields.update(changes)
    return ShiftReport(**fields)  # type: ignore[arg-type]


DOCUMENTS: dict[str, Callable[[], Receipt | ShiftReport]] = {
    "sale": sale,
    "return": a_return,
    "reprint": lambda: sale(copy_number=2),
    "x_report": lambda: report(ReportKind.X),
    "z_report": lambda: report(ReportKind.Z),
}


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [48, 32])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_text_matches_its_snapshot_and_fits_the_paper(name: str, columns: int) -> None:
    text = render_text(DOCUMENTS[name](), columns)
    for line in text.splitlines():
        assert len(line) <= columns, line
        assert line == line.rstrip()
    path = SNAPSHOTS / f"{name}_{columns}.txt"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with VECTIS_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


def test_the_sale_shows_what_the_cashier_rang_up() -> None:
    lines = render_text(sale(), 48).splitlines()
    assert "         Vectis Corner Shop" not in lines  # centred on the width, not a fixed indent
    assert lines[0].strip() == "Vectis Corner Shop"
    assert any(line.startswith("Organic semi-skimmed milk 2 litre bottle,") for line in lines)
    assert any("1.235 kg x 0.89/kg" in line and line.endswith("1.10") for line in lines)
    assert "  PRICE OVERRIDE" in lines
    assert any(line.startswith("  Dairy promo 10%") and line.endswith("-0.29") for line in lines)
    assert any(line.startswith("Manager discount") and line.endswith("-1.00") for line in lines)
    assert any(line.startswith("TOTAL GBP") and line.endswith("20.71") for line in lines)
    assert any(line.startswith("Change") and line.endswith("4.29") for line in lines)
    # 21:14 UTC on 3 July is 22:14 in London (BST).
    assert any(line.endswith("2026-07-03 22:14 BST") for line in lines)
    assert not any("COPY" in line for line in lines)


def test_a_return_shows_negative_amounts_and_the_original_receipt() -> None:
    lines = render_text(a_return(), 32).splitlines()
    assert any(line.strip() == "RETURN" for line in lines)
    assert any(
        line.startswith("Original receipt") and line.endswith("0001-000123") for line in lines
    )
    assert any("-1 x 18.00" in line and line.endswith("-18.00") for line in lines)
    assert any(line.startswith("TOTAL REFUND GBP") and line.endswith("-18.00") for line in lines)


def test_a_reprint_says_copy_and_its_count_at_top_and_bottom() -> None:
    lines = render_text(sale(copy_number=2), 48).splitlines()
    copies = [line.strip() for line in lines if "COPY" in line]
    assert copies == ["*** COPY 2 ***", "*** COPY 2 ***"]
    assert lines[-1].strip() == "*** COPY 2 ***"


def test_a_z_report_shows_counted_expected_variance_and_grand_total() -> None:
    lines = render_text(report(ReportKind.Z), 48).splitlines()
    assert any(line.strip() == "Z REPORT 17" for line in lines)
    assert any(line.startswith("NET SALES GBP") and line.endswith("1,198.56") for line in lines)
    assert any(line.startswith("Counted cash") and line.endswith("548.06") for line in lines)
    assert any(line.startswith("Variance") and line.endswith("-2.50") for line in lines)
    assert any(line.startswith("Grand total") and line.endswith("98,765.43") for line in lines)


def test_an_x_report_says_the_shift_is_open_and_has_no_count() -> None:
    text = render_text(report(ReportKind.X), 48)
    assert "X REPORT" in text and "(shift still open)" in text
    assert "Counted cash" not in text and "Grand total" not in text and "Z REPORT" not in text


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("1234.5", "GBP", "1,234.50"),
        ("-0.05", "GBP", "-0.05"),
        ("1500", "JPY", "1,500"),
        ("1.234", "KWD", "1.234"),
    ],
)
def test_amounts_use_the_currency_minor_units(amount: str, currency: str, shown: str) -> None:
    assert format_money(Money.of(amount, currency)) == shown


def test_variance_shows_its_sign() -> None:
    assert format_money(gbp("0.50"), signed=True) == "+0.50"
    assert format_money(gbp("-0.50"), signed=True) == "-0.50"
    assert format_money(gbp("0"), signed=True) == "0.00"
    assert format_money(gbp("-0.00")) == "0.00"  # a zero never shows as "-0.00"


def test_a_store_in_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InconsistentReceipt, match="time zone"):
        dataclasses.replace(STORE, time_zone="Mars/Olympus")


def test_a_yen_receipt_prints_no_decimals() -> None:
    store = dataclasses.replace(STORE, currency="JPY", time_zone="Asia/Tokyo")
    line = ReceiptLine("Green tea", "T-1", 3, Money.of("150", "JPY"), Money.of("450", "JPY"))
    receipt = sale(
        store=store,
        lines=(line,),
        cart_discount=None,
        vat=(
            VatRate(
                Decimal("8"), Money.of("417", "JPY"), Money.of("33", "JPY"), Money.of("450", "JPY")
            ),
        ),
        total=Money.of("450", "JPY"),
        tenders=(Tender("Cash", Money.of("1000", "JPY")),),
        change=Money.of("550", "JPY"),
    )
    lines = render_text(receipt, 32).splitlines()
    assert any(line.startswith("TOTAL JPY") and line.endswith(" 450") for line in lines)
    assert any(line.endswith("2026-07-04 06:14 JST") for line in lines)


long_text = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x24F), min_size=0, max_size=300
)


@given(description=long_text, sku=long_text, label=long_text, staff=long_text)
def test_no_line_ever_overflows_the_paper(
    description: str, sku: str, label: str, staff: str
) -> None:
    line = ReceiptLine(
        description=description,
        sku=sku,
        quantity=Decimal("12.345"),
        unit="kg",
        unit_price=gbp("123456.78"),
        line_total=gbp("1524072.95"),
        discount=gbp("1.00"),
        discount_label=label if label.strip() else "x",
    )
    receipt = sale(
        staff_name=staff,
        lines=(line,),
        cart_discount=None,
        vat=(VatRate(Decimal("17.5"), gbp("1297083.36"), gbp("226989.59"), gbp("1524072.95")),),
        total=gbp("1524072.95"),
        tenders=(Tender(label or "Card", gbp("1524072.95")),),
        change=gbp("0"),
    )
    for columns in (32, 48):
        for text_line in render_text(receipt, columns).splitlines():
            assert len(text_line) <= columns
            assert all(ord(char) >= 0x20 for char in text_line)  # no printer command smuggled in


@pytest.mark.parametrize("columns", [31, 81, True])
def test_a_width_outside_receipt_paper_is_refused(columns: int) -> None:
    with pytest.raises(InvalidPrinterConfig):
        render_text(sale(), columns)


# --- the document refuses figures that do not add up ----------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"total": gbp("20.72"), "change": gbp("4.28")}, "less the cart discount"),
        (
            {"vat": (VatRate(Decimal("20"), gbp("14.31"), gbp("2.86"), gbp("17.17")),)},
            "VAT summary adds up to 17.17",
        ),
        ({"change": gbp("4.30")}, "tenders"),
        ({"issued_at": datetime(2026, 7, 3, 21, 14)}, "aware"),
        ({"copy_number": -1}, "copy_number"),
        ({"lines": ()}, "at least one line"),
        ({"cart_discount_label": ""}, "cart discount needs its label"),
    ],
)
def test_an_inconsistent_receipt_is_refused(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(InconsistentReceipt, match=reason) as raised:
        sale(**changes)
    assert raised.value.code == "receipt_inconsistent"
    assert isinstance(raised.value, Invalid)


def test_a_vat_rate_whose_net_and_tax_miss_its_gross_is_refused() -> None:
    with pytest.raises(InconsistentReceipt, match="VAT 20%"):
        VatRate(Decimal("20"), gbp("10.00"), gbp("2.00"), gbp("12.01"))


@pytest.mark.parametrize(
    ("quantity", "unit", "line_total", "reason"),
    [
        (Decimal("1.23"), "kg", "1.09", "exactly 3 decimal places"),
        (Decimal("1.2345"), "kg", "1.10", "exactly 3 decimal places"),
        (Decimal("1.235"), None, "1.10", "needs its unit"),
        (2, "kg", "1.78", "no unit"),
        (0, None, "0.00", "zero"),
        (2, None, "1.79", "not 1.79"),
    ],
)
def test_a_line_that_does_not_add_up_is_refused(
    quantity: int | Decimal, unit: str | None, line_total: str, reason: str
) -> None:
    with pytest.raises(InconsistentReceipt, match=reason):
        ReceiptLine("Bananas", "B1", quantity, gbp("0.89"), gbp(line_total), unit=unit)


def test_a_sale_in_another_currency_than_the_store_is_refused() -> None:
    line = ReceiptLine("Tea", "T", 1, Money.of("2", "EUR"), Money.of("2", "EUR"))
    with pytest.raises(InconsistentReceipt, match="currency GBP"):
        sale(lines=(line,))


def test_an_x_report_with_a_z_number_and_a_z_without_a_count_are_refused() -> None:
    with pytest.raises(InconsistentReceipt, match="X report has no Z number"):
        report(ReportKind.X, z_number=3)
    with pytest.raises(InconsistentReceipt, match="needs its number, counted cash"):
        report(ReportKind.Z, counted_cash=None)
    with pytest.raises(InconsistentReceipt, match="start at 1"):
        report(ReportKind.Z, z_number=0)
    # Sales of items with no tax code print at 0 %, as on their receipts.
    untaxed = report(ReportKind.X, totals=dataclasses.replace(TOTALS, tax=()))
    assert [(rate.rate, rate.gross.amount) for rate in untaxed.vat] == [
        (Decimal(0), Decimal("1198.56"))
    ]


# --- ESC/POS ---------------------------------------------------------------------------------


def test_escpos_bytes_carry_the_48_column_text_a_centred_bold_header_and_the_barcode() -> None:
    receipt = sale()
    commands, text, bold_text = decode(render_escpos(receipt))
    layout = render(receipt, 48)
    assert commands[0] == ("init", b"")
    # The header is bold and centred by the printer (ESC a 1), then the body is left-aligned.
    assert commands[1:3] == [("ESC E", b"\x01"), ("ESC a", b"\x01")]
    assert bold_text == "".join(line + "\n" for line in layout.header)
    assert ("ESC a", b"\x00") in commands
    assert text == "".join(line + "\n" for line in (*layout.header, *layout.body))
    assert [line.strip() for line in render_text(receipt).splitlines()] == [
        line.strip() for line in text.splitlines()
    ]
    # Code128 (GS k 73) in set B, "R:" + the receipt number, then feed and a full cut.
    assert ("barcode:73", b"{BR:0001-000123") in commands
    assert commands[-2:] == [("ESC d", b"\x06"), ("GS V", b"\x00")]


def test_a_report_prints_without_a_barcode() -> None:
    commands, text, _ = decode(render_escpos(report(ReportKind.Z), 32))
    assert not any(name.startswith("barcode") for name, _ in commands)
    assert "Z REPORT 17" in text
    assert commands[-1] == ("GS V", b"\x00")


def test_a_description_outside_ascii_prints_in_the_printer_codepage() -> None:
    line = ReceiptLine("Crème fraîche", "CF-1", 1, gbp("1.20"), gbp("1.20"))
    receipt = sale(
        lines=(line,),
        cart_discount=None,
        vat=(VatRate(Decimal("0"), gbp("1.20"), gbp("0"), gbp("1.20")),),
        total=gbp("1.20"),
        tenders=(Tender("Cash", gbp("1.20")),),
        change=gbp("0"),
    )
    _, text, _ = decode(render_escpos(receipt))
    assert "Crème fraîche\n" in text


def test_a_description_cannot_inject_printer_commands() -> None:
    line = ReceiptLine("Tea\x1b@\x1dV\x00", "T\n1", 1, gbp("1.20"), gbp("1.20"))
    receipt = sale(
        lines=(line,),
        cart_discount=None,
        vat=(VatRate(Decimal("0"), gbp("1.20"), gbp("0"), gbp("1.20")),),
        total=gbp("1.20"),
        tenders=(Tender("Cash", gbp("1.20")),),
        change=gbp("0"),
    )
    commands, _, _ = decode(render_escpos(receipt))
    assert [name for name, _ in commands].count("init") == 1
    assert [name for name, _ in commands].count("GS V") == 1


def test_the_barcode_holds_what_the_returns_desk_scans() -> None:
    assert barcode_content("0001-000123") == "R:0001-000123"
    assert parse_receipt_barcode(barcode_content("T1-0000042")).receipt_number == "T1-0000042"
    assert barcode_data("0001-000123") == "{BR:0001-000123"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", "empty"),
        ("0001-é", "not in Code128 set B"),
        ("12\t3", "not in Code128"),
        ("9" * 65, "reads back 1-64"),
        ("A{1", "reads back 1-64"),
    ],
)
def test_a_receipt_number_code128_cannot_carry_is_refused(number: str, reason: str) -> None:
    receipt = sale(receipt_number=number)
    with pytest.raises(UnprintableReceiptNumber, match=reason) as raised:
        render_escpos(receipt)
    assert raised.value.code == "receipt_number_unprintable"


# --- sinks -----------------------------------------------------------------------------------


def test_the_file_sink_writes_exactly_the_rendered_bytes(tmp_path: Path) -> None:
    path = tmp_path / "receipt.bin"
    sent = print_document(sale(), FilePrinter(path, columns=32))
    assert sent == render_escpos(sale(), 32)
    assert path.read_bytes() == sent


def test_the_file_sink_reports_an_unwritable_path(tmp_path: Path) -> None:
    with pytest.raises(PrinterUnavailable) as raised:
        send(b"\x1b@", FilePrinter(tmp_path / "missing" / "receipt.bin"))
    assert raised.value.code == "printer_unavailable"
    assert isinstance(raised.value, Unavailable)


class _Recorder(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        chunks = []
        while chunk := self.request.recv(65536):
            chunks.append(chunk)
        self.server.received.append(b"".join(chunks))  # type: ignore[attr-defined]
        self.server.done.set()  # type: ignore[attr-defined]


@pytest.fixture
def printer_server() -> Iterator[socketserver.TCPServer]:
    server = socketserver.TCPServer(("127.0.0.1", 0), _Recorder)
    server.received = []  # type: ignore[attr-defined]
    server.done = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_network_sink_sends_the_bytes_to_a_printer_on_tcp(
    printer_server: socketserver.TCPServer,
) -> None:
    port = printer_server.server_address[1]
    sent = print_document(report(ReportKind.Z), NetworkPrinter("127.0.0.1", port, timeout_s=5))
    # The printer has the whole receipt once the till closes the connection.
    assert printer_server.done.wait(timeout=5)  # type: ignore[attr-defined]
    assert printer_server.received == [sent]  # type: ignore[attr-defined]
    assert sent == render_escpos(report(ReportKind.Z), 48)


def test_the_network_sink_reports_a_printer_that_is_off() -> None:
    server = socketserver.TCPServer(("127.0.0.1", 0), _Recorder)
    port = server.server_address[1]
    server.server_close()  # nothing listens on the port any more
    with pytest.raises(PrinterUnavailable, match=f"network 127.0.0.1:{port}"):
        send(b"\x1b@", NetworkPrinter("127.0.0.1", port, timeout_s=2))


@pytest.mark.parametrize(
    "make",
    [
        lambda: NetworkPrinter(""),
        lambda: NetworkPrinter("printer 1"),
        lambda: NetworkPrinter("10.0.0.9", port=0),
        lambda: NetworkPrinter("10.0.0.9", port=70000),
        lambda: NetworkPrinter("10.0.0.9", timeout_s=0),
        lambda: NetworkPrinter("10.0.0.9", columns=20),
        lambda: UsbPrinter(0, 0x0E15),
        lambda: UsbPrinter(0x04B8, 0x10000),
        lambda: UsbPrinter(True, 0x0E15),
        lambda: FilePrinter(Path("/")),
    ],
)
def test_a_printer_configuration_that_names_no_printer_is_refused(make: object) -> None:
    with pytest.raises(InvalidPrinterConfig) as raised:
        make()  # type: ignore[operator]
    assert raised.value.code == "printer_config_invalid"


def test_a_usb_printer_is_built_from_its_ids_without_opening_it() -> None:
    config = UsbPrinter(0x04B8, 0x0E15, columns=42)
    printer = open_printer(config)
    assert printer.usb_args == {"idVendor": 0x04B8, "idProduct": 0x0E15}
    assert config.describe() == "usb 04b8:0e15"


# --- a shift's own X and Z reports print ----------------------------------------------------


def a_closed_shift() -> tuple[XReport, ZReport]:
    """A shift run through edge.domain.shifts: a 100.00 float, a cash sale with change, a card
    sale, a cash refund, a void, a no-sale, a paid-out; closed 0.40 short as Z 3."""
    opened = datetime(2026, 7, 3, 7, 0, tzinfo=UTC)
    float_count = CashCount.of("GBP", {"20": 2, "10": 3, "5": 4, "1": 8, "0.50": 4})
    shift = open_shift(
        None, shift_id="S1", till_id="T1", staff_code="1001", at=opened, opening_float=float_count
    )
    twenty = Decimal("20")
    sold = SaleRecord(
        "T1-0000001",
        opened.replace(hour=9),
        gbp("12.00"),
        (("cash", gbp("20.00")),),
        gbp("8.00"),
        tax=(TaxAtRate(twenty, gbp("10.00"), gbp("2.00")),),
        discounts=gbp("1.00"),
    )
    shift = record_sale(shift, sold)
    card = SaleRecord(
        "T1-0000002",
        opened.replace(hour=10),
        gbp("30.00"),
        (("card", gbp("30.00")),),
        gbp("0"),
        tax=(TaxAtRate(Decimal("0"), gbp("30.00"), gbp("0.00")),),
        overrides=1,
    )
    shift = record_sale(shift, card)
    refund = SaleRecord(
        "T1-0000003",
        opened.replace(hour=11),
        gbp("-6.00"),
        (("cash", gbp("-6.00")),),
        gbp("0"),
        tax=(TaxAtRate(twenty, gbp("-5.00"), gbp("-1.00")),),
    )
    shift = record_sale(shift, refund)
    shift = record_void(shift, opened.replace(hour=12), gbp("4.50"))
    shift = record_no_sale(shift, opened.replace(hour=13))
    shift = record_cash_movement(
        shift, opened.replace(hour=14), CashMovementKind.PAID_OUT, gbp("5.00")
    )
    x = x_report(shift, opened.replace(hour=15))
    # Expected: 100 + (20 - 6) - 8 - 5 = 101.00; counted 100.60.
    counted = CashCount.of("GBP", {"20": 2, "10": 3, "5": 4, "1": 10, "0.50": 1, "0.10": 1})
    _, z = close_shift(
        shift,
        at=opened.replace(hour=17),
        staff_code="9001",
        role=Role.MANAGER,
        counted=counted,
        z_number=3,
        previous_grand_total=gbp("1000.00"),
    )
    return x, z


def test_a_z_report_of_a_real_shift_prints_its_own_figures() -> None:
    _, z = a_closed_shift()
    document = ShiftReport.from_shift(
        z, store=STORE, business_day=date(2026, 7, 3), staff_name="Mina Shah"
    )
    text = render_text(document, 48)
    path = SNAPSHOTS / "z_from_shift_48.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    lines = text.splitlines()
    # The figures are the shift's: nothing was typed twice.
    assert any(line.strip() == "Z REPORT 3" for line in lines)
    assert any(line.startswith("Sales (2)") and line.endswith("42.00") for line in lines)
    assert any(line.startswith("Returns (1)") and line.endswith("-6.00") for line in lines)
    assert any(line.startswith("NET SALES GBP") and line.endswith("36.00") for line in lines)
    assert any(line.startswith("Voids (1)") and line.endswith("-4.50") for line in lines)
    assert any(line.startswith("Expected cash") and line.endswith("101.00") for line in lines)
    assert any(line.startswith("Counted cash") and line.endswith("100.60") for line in lines)
    assert any(line.startswith("Variance") and line.endswith("-0.40") for line in lines)
    assert any(line.startswith("Grand total") and line.endswith("1,036.00") for line in lines)
    assert document.variance == z.variance
    # The ESC/POS bytes carry the same report, without a barcode, then cut.
    commands, printed, bold = decode(render_escpos(document, 48))
    assert [line.strip() for line in printed.splitlines()] == [line.strip() for line in lines]
    assert bold.splitlines() == list(STORE.header_lines)
    assert not any(name.startswith("barcode") for name, _ in commands)
    assert commands[-1] == ("GS V", b"\x00")


def test_an_x_report_of_a_real_shift_is_read_while_it_is_open() -> None:
    x, _ = a_closed_shift()
    document = ShiftReport.from_shift(x, store=STORE, business_day=date(2026, 7, 3))
    text = render_text(document, 32)
    assert "X REPORT" in text and "Z REPORT" not in text and "Counted cash" not in text
    assert "Staff" in text and "1001" in text  # who opened the shift, by code without a name
    assert document.expected_cash == x.expected_cash == gbp("101.00")
    assert document.period_end == x.at


# --- each till's printer, as configured -----------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("file:/dev/usb/lp0", FilePrinter(Path("/dev/usb/lp0"))),
        ("network:10.0.0.9", NetworkPrinter("10.0.0.9", 9100, timeout_s=3)),
        (
            "network:10.0.0.9?timeout_s=8&columns=42",
            NetworkPrinter("10.0.0.9", timeout_s=8, columns=42),
        ),
        (
            "network:printer-2.local:9101?columns=32",
            NetworkPrinter("printer-2.local", 9101, 3, 32),
        ),
        ("network:[fd00::9]:9100", NetworkPrinter("fd00::9", 9100, timeout_s=3)),
        ("usb:04b8:0e15", UsbPrinter(0x04B8, 0x0E15)),
    ],
)
def test_a_tills_printer_is_named_in_one_line(spec: str, expected: object) -> None:
    assert parse_printer(spec) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "lpt:1",
        "file:",
        "network:",
        "network:10.0.0.9:port",
        "usb:04b8",
        "usb:zz:0e15",
        "network:10.0.0.9?columns=20",
        "network:10.0.0.9?speed=9600",
        "network:10.0.0.9?timeout_s=0",
        "network:10.0.0.9:70000",
    ],
)
def test_a_printer_line_that_names_no_printer_is_refused(spec: str) -> None:
    with pytest.raises(InvalidPrinterConfig):
        parse_printer(spec)


def test_printers_come_from_the_environment_and_a_wrong_one_stops_the_node(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "VECTIS_EDGE_PRINTERS", '{"T1": "network:10.0.0.9:9100", "T2": "file:/dev/usb/lp0"}'
    )
    settings = EdgeSettings()
    assert settings.printer_for("T1") == NetworkPrinter("10.0.0.9", 9100, timeout_s=3)
    assert settings.printer_for("T2") == FilePrinter(Path("/dev/usb/lp0"))
    assert settings.printer_for("T9") is None
    monkeypatch.setenv("VECTIS_EDGE_PRINTERS", '{"T1": "lpt:1"}')
    with pytest.raises(ValidationError, match="the printer of till T1"):
        EdgeSettings()
