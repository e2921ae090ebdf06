"""Bodies of the receipt routes: how a print went, and a copy's receipt."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field


class PrintStatusOut(BaseModel):
    """Whether a receipt reached the till's printer, and why not."""

    printed: bool = Field(description="The printer took the whole receipt")
    printer: str | None = Field(
        None, description='The till\'s printer ("network 10.0.0.9:9100"); null: none configured'
    )
    error: str | None = Field(
        None, description="Why it did not print: no_printer, printer_unavailable, ..."
    )
    detail: str | None = Field(None, description="The printer's own words, for the screen")


class PrintOut(PrintStatusOut):
    """A receipt printed (or not) by `POST .../print` or `POST .../reprint`."""

    document_id: UUID
    receipt_number: str
    copy_number: int = Field(description="0 for the original, n for the n-th copy (COPY n)")
    text: str = Field(description="The receipt as printed, as text (the printer's width, or 48)")
