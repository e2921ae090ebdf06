"""What this node knows of a receipt's paper: whether the original printed, and its copies.

A sale or return is committed before its receipt is printed, so a printer that is off, out
of paper or unplugged never loses a sale: the record says whether the original reached the
printer (`printed_at`) and why not (`last_error`), and counts the copies (`reprints`) that
print `*** COPY n ***` (docs/counter.md, "Receipts").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from edge.errors import Conflict


class DocumentKind(StrEnum):
    """The documents a till prints a receipt for."""

    SALE = "sale"
    RETURN = "return"


@dataclass(frozen=True, slots=True)
class PrintRecord:
    """A document's receipt as printed here: `staff_name` who rang it up (None when not known),
    `printed_at` the first time the original reached a printer (None: never yet),
    `last_error` the last print's failure (None after a print that worked), `reprints` the
    copies made (COPY 1, 2...)."""

    document_id: UUID
    kind: DocumentKind
    staff_name: str | None = None
    printed_at: datetime | None = None
    last_error: str | None = None
    reprints: int = 0


class ReceiptAlreadyPrinted(Conflict):
    """The original receipt has printed already: a second one is a copy (reprint, counted)."""

    code = "receipt_already_printed"

    def __init__(self, receipt_number: str) -> None:
        super().__init__(
            f"receipt {receipt_number} has printed already: reprint it as a copy (/reprint)"
        )
        self.receipt_number = receipt_number


class NoPrinter(Conflict):
    """The till has no receipt printer configured (the `printers` setting)."""

    code = "no_printer"

    def __init__(self, till_id: str) -> None:
        super().__init__(f"till {till_id} has no receipt printer (VECTIS_EDGE_PRINTERS)")
        self.till_id = till_id
