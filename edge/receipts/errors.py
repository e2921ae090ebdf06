"""Errors of receipt rendering and printing. HTTP statuses are mapped only in edge/api.

EdgeError (edge.errors)
+-- Invalid                   422
|   +-- InconsistentReceipt       the document's figures do not add up (VAT, total, tenders)
|   +-- UnprintableReceiptNumber  the receipt number cannot be a Code128 set B barcode
|   +-- InvalidPrinterConfig      a till's printer configuration that cannot name a printer
+-- Unavailable               503
    +-- PrinterUnavailable        the printer could not be reached or written to; nothing printed
"""

from __future__ import annotations

from edge.errors import Invalid, Unavailable


class InconsistentReceipt(Invalid):
    """A receipt or report whose figures disagree; `reason` says which and by how much."""

    code = "receipt_inconsistent"

    def __init__(self, reason: str) -> None:
        super().__init__(f"inconsistent receipt: {reason}")
        self.reason = reason


class UnprintableReceiptNumber(Invalid):
    """A receipt number that Code128 set B cannot carry (empty, too long, not printable ASCII)."""

    code = "receipt_number_unprintable"

    def __init__(self, receipt_number: str, reason: str) -> None:
        super().__init__(f"receipt number {receipt_number!r} cannot be a barcode: {reason}")
        self.receipt_number = receipt_number
        self.reason = reason


class InvalidPrinterConfig(Invalid):
    """A printer configuration that names no usable printer (bad path, host, port or USB ids)."""

    code = "printer_config_invalid"

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid printer configuration: {reason}")
        self.reason = reason


class PrinterUnavailable(Unavailable):
    """The configured printer could not be opened or written to."""

    code = "printer_unavailable"

    def __init__(self, printer: str, reason: str) -> None:
        super().__init__(f"printer {printer} unavailable: {reason}")
        self.printer = printer
        self.reason = reason
