"""Repository of receipt prints: the original printed or not, and the copies counted."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.sqlite import insert

from edge.adapters import tables
from edge.domain.printing import DocumentKind, PrintRecord


class ReceiptPrintRepository:
    """One row per document whose receipt was issued, printed or copied here."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, document_id: UUID) -> PrintRecord | None:
        row = self._connection.execute(
            select(tables.receipt_print).where(
                tables.receipt_print.c.document_id == str(document_id)
            )
        ).first()
        if row is None:
            return None
        return PrintRecord(
            document_id=UUID(row.document_id),
            kind=DocumentKind(row.kind),
            staff_name=row.staff_name,
            printed_at=datetime.fromisoformat(row.printed_at) if row.printed_at else None,
            last_error=row.last_error,
            reprints=row.reprints,
        )

    def issue(self, document_id: UUID, kind: DocumentKind, staff_name: str | None) -> None:
        """Note the document's receipt (and who rang it up); a later call changes nothing."""
        statement = insert(tables.receipt_print).values(
            document_id=str(document_id), kind=kind.value, staff_name=staff_name
        )
        self._connection.execute(statement.on_conflict_do_nothing(index_elements=["document_id"]))

    def _update(self, document_id: UUID, kind: DocumentKind, **values: Any) -> None:
        self.issue(document_id, kind, None)
        self._connection.execute(
            tables.receipt_print.update()
            .where(tables.receipt_print.c.document_id == str(document_id))
            .values(**values)
        )

    def printed(self, document_id: UUID, kind: DocumentKind, at: datetime | None) -> None:
        """A print reached the printer: the last error is cleared, and with `at` (the
        original's print) the original's first time is kept."""
        values: dict[str, Any] = {"last_error": None}
        if at is not None:
            column = tables.receipt_print.c.printed_at
            values["printed_at"] = func.coalesce(column, at.isoformat())
        self._update(document_id, kind, **values)

    def print_failed(self, document_id: UUID, kind: DocumentKind, error: str) -> None:
        """A print did not reach the printer, for `error`."""
        self._update(document_id, kind, last_error=error)

    def count_reprint(self, document_id: UUID, kind: DocumentKind) -> int:
        """One more copy: returns its number (1 for the first reprint)."""
        self._update(document_id, kind, reprints=tables.receipt_print.c.reprints + 1)
        record = self.get(document_id)
        assert record is not None
        return record.reprints
