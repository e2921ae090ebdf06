"""Receipts and X/Z reports as ESC/POS bytes, drawn through python-escpos.

The bytes are: initialise (ESC @), the store header centred and bold, the body exactly as
`edge.receipts.text` lays it out for the printer's columns, the receipt number as a Code128
barcode (sales and returns), then feed and cut (GS V). Commands come from python-escpos
(https://python-escpos.readthedocs.io, `Escpos.barcode`, `set`, `cut`), which writes them as
Epson's ESC/POS reference defines them.

The barcode holds "R" + the receipt number in Code128 code set B (ASCII 32 to 126), sent with
GS k m=73: the data starts with "{B" to select set B, and a literal "{" is sent as "{{"
(ESC/POS Application Programming Guide, GS k, CODE128 special characters). The returns desk
reads the "R" form back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edge.domain.barcodes import receipt_barcode
from edge.receipts.document import Document, Receipt
from edge.receipts.errors import UnprintableReceiptNumber
from edge.receipts.text import render

if TYPE_CHECKING:
    from escpos.escpos import Escpos

CODE128_SET_B = "{B"
# GS k m=73 takes the data's length in one byte (2 to 255), the "{B" and each "{{" included.
MAX_BARCODE_BYTES = 255
BARCODE_HEIGHT_DOTS = 64
BARCODE_MODULE_DOTS = 2


def barcode_content(receipt_number: str) -> str:
    """What a scanner reads from a receipt: `edge.domain.barcodes.receipt_barcode`, "R:" + the
    receipt number ("R:0001-000123"), which the returns desk's scan field reads back.

    Raises UnprintableReceiptNumber for an empty number, one with a character outside
    printable ASCII (Code128 set B holds 32 to 126), or one the scan field would not read
    back (1-64 of A-Z a-z 0-9 _ . -).
    """
    if not receipt_number:
        raise UnprintableReceiptNumber(receipt_number, "it is empty")
    for char in receipt_number:
        if not 0x20 <= ord(char) <= 0x7E:
            raise UnprintableReceiptNumber(
                receipt_number, f"{char!r} is not in Code128 set B (printable ASCII)"
            )
    try:
        return receipt_barcode(receipt_number)
    except ValueError:
        raise UnprintableReceiptNumber(
            receipt_number,
            "the scan field reads back 1-64 of A-Z a-z 0-9 _ . - after R: (edge.domain.barcodes)",
        ) from None


def barcode_data(receipt_number: str) -> str:
    """The data python-escpos sends for the receipt's Code128: "{B" + content, "{" doubled.

    Raises UnprintableReceiptNumber (see `barcode_content`, or longer than GS k allows).
    """
    data = CODE128_SET_B + barcode_content(receipt_number).replace("{", "{{")
    if len(data) > MAX_BARCODE_BYTES:
        raise UnprintableReceiptNumber(
            receipt_number, f"the barcode would take {len(data)} bytes, at most {MAX_BARCODE_BYTES}"
        )
    return data


def draw(printer: Escpos, document: Document, columns: int = 48) -> None:
    """Draw `document` on any python-escpos printer (Dummy, File, Network, Usb), then cut.

    Raises UnprintableReceiptNumber before anything is drawn, InvalidPrinterConfig for a
    column count out of range; the printer's own errors (python-escpos's) pass through.
    """
    data = barcode_data(document.receipt_number) if isinstance(document, Receipt) else None
    layout = render(document, columns)
    printer.hw("INIT")
    if layout.header:
        printer.set(align="center", bold=True)
        for line in layout.header:
            printer.textln(line)
    printer.set(align="left", bold=False)
    for line in layout.body:
        printer.textln(line)
    if data is not None:
        printer.barcode(
            data,
            "CODE128",
            height=BARCODE_HEIGHT_DOTS,
            width=BARCODE_MODULE_DOTS,
            pos="BELOW",
            align_ct=True,
            function_type="B",
        )
        printer.set(align="left")
    printer.cut()


def render_escpos(document: Document, columns: int = 48) -> bytes:
    """The ESC/POS bytes of `document` for a printer of `columns` (see `draw` for errors)."""
    # Imported here, not with the module: python-escpos loads its printer profiles on import
    # (0.14-0.22 s measured with `python -X importtime`), which every edge start paid before
    # its first sale; the first receipt drawn pays it once instead.
    from escpos.printer import Dummy

    printer = Dummy()
    draw(printer, document, columns)
    output: bytes = printer.output
    return output
