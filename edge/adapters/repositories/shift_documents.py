"""Reading the sales and returns that a shift's X and Z, and the dashboard's business day,
count: one query path selected by shift or by business day (`Selection`), so the day's
figures and the shifts' are built from the same documents by the same rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Table, literal, select

from edge.adapters import tables
from edge.domain.shifts import SaleRecord, TaxAtRate
from shared.money import Money


@dataclass(frozen=True, slots=True)
class Selection:
    """Which documents to read: those of one shift (`shift_id`) or of one business day (the
    documents' own `business_day`); exactly one of the two. The X, the Z and the dashboard's
    day read the same documents through `ShiftRepository.documents` with one of these."""

    shift_id: str | None = None
    business_day: date | None = None

    def __post_init__(self) -> None:
        if (self.shift_id is None) == (self.business_day is None):
            raise ValueError("select documents by a shift or by a business day, not both")

    def of(self, documents: Table) -> ColumnElement[bool]:
        """The WHERE clause on `sale` or `sales_return`."""
        if self.shift_id is not None:
            return documents.c.shift_id == self.shift_id
        assert self.business_day is not None
        return documents.c.business_day == self.business_day.isoformat()


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """A line of a sale or return, signed (a return's are negative): whole `units` of an
    `each` line, `weight_g` of a weighed one, its total in minor units (VAT included, after
    its discount)."""

    sku: str
    description: str | None
    units: int
    weight_g: int
    total_minor: int


@dataclass(frozen=True, slots=True)
class Document:
    """A sale or return with where it was made (till, shift: None before shifts) and its lines;
    `record` is the document as a shift's X and Z count it."""

    document_id: str
    till_id: str
    shift_id: str | None
    record: SaleRecord
    lines: tuple[DocumentLine, ...]

    @property
    def is_return(self) -> bool:
        return self.record.total.is_negative()


def read_documents(connection: Connection, selection: Selection, currency: str) -> list[Document]:
    """Sales (total >= 0) and returns (total < 0) of a shift or of a business day, in the
    order made, each as the shift counts it (`Document.record`) with its lines."""
    sale, ret = tables.sale, tables.sales_return
    heads: list[tuple[int, str, str, str, str | None, datetime, int]] = [
        (
            row.event_seq,
            row.sale_id,
            row.receipt_number,
            row.till_id,
            row.shift_id,
            _time(row.business_time),
            row.total,
        )
        for row in connection.execute(
            select(
                sale.c.event_seq,
                sale.c.sale_id,
                sale.c.receipt_number,
                sale.c.till_id,
                sale.c.shift_id,
                sale.c.business_time,
                sale.c.total_minor.label("total"),
            ).where(selection.of(sale))
        )
    ]
    heads += [
        (
            row.event_seq,
            row.return_id,
            row.receipt_number,
            row.till_id,
            row.shift_id,
            _time(row.business_time),
            -row.total,
        )
        for row in connection.execute(
            select(
                ret.c.event_seq,
                ret.c.return_id,
                ret.c.receipt_number,
                ret.c.till_id,
                ret.c.shift_id,
                ret.c.business_time,
                ret.c.total_minor.label("total"),
            ).where(selection.of(ret))
        )
    ]
    heads.sort()
    lines = _lines(connection, selection)
    tenders = _tenders(connection, selection)
    documents = []
    rates: dict[str, Decimal] = {}
    for _, document_id, receipt_number, till_id, shift_id, at, total_minor in heads:
        sign = -1 if total_minor < 0 else 1
        document_lines = lines.get(document_id, [])
        tax: dict[Decimal, tuple[int, int]] = {}
        for line in document_lines:
            if line.tax_rate is None:
                continue
            rate = rates.get(line.tax_rate) or rates.setdefault(
                line.tax_rate, Decimal(line.tax_rate)
            )
            net, vat = tax.get(rate, (0, 0))
            gross, tax_minor = sign * line.line_total_minor, sign * line.tax_minor
            tax[rate] = (net + gross - tax_minor, vat + tax_minor)
        paid = tenders.get(document_id, [])
        record = SaleRecord(
            receipt_number=receipt_number,
            at=at,
            total=Money.from_minor(total_minor, currency),
            tenders=tuple(
                (kind, Money.from_minor(sign * amount + change, currency))
                for kind, amount, change in paid
            ),
            change=Money.from_minor(sum(change for _, _, change in paid), currency),
            tax=tuple(
                TaxAtRate(
                    rate,
                    Money.from_minor(net, currency),
                    Money.from_minor(vat, currency),
                )
                for rate, (net, vat) in sorted(tax.items())
            ),
            discounts=Money.from_minor(
                sum(line.discount_minor for line in document_lines) if sign > 0 else 0,
                currency,
            ),
            overrides=sum(1 for line in document_lines if line.price_source == "override"),
        )
        documents.append(
            Document(
                document_id=document_id,
                till_id=till_id,
                shift_id=shift_id,
                record=record,
                lines=tuple(
                    DocumentLine(
                        sku=line.sku,
                        description=line.description,
                        units=sign * line.quantity if line.unit == "each" else 0,
                        weight_g=sign * line.quantity if line.unit == "kg" else 0,
                        total_minor=sign * line.line_total_minor,
                    )
                    for line in document_lines
                ),
            )
        )
    return documents


def _lines(connection: Connection, selection: Selection) -> dict[str, list[Row[Any]]]:
    sale, ret = tables.sale, tables.sales_return
    sale_line, return_line = tables.sale_line, tables.return_line
    found: dict[str, list[Row[Any]]] = {}
    statement = (
        select(
            sale_line.c.sale_id.label("document_id"),
            sale_line.c.sku,
            sale_line.c.description,
            sale_line.c.quantity,
            sale_line.c.unit,
            sale_line.c.line_total_minor,
            sale_line.c.tax_minor,
            sale_line.c.tax_rate,
            sale_line.c.discount_minor,
            sale_line.c.price_source,
        )
        .where(sale_line.c.sale_id.in_(select(sale.c.sale_id).where(selection.of(sale))))
        .order_by(sale_line.c.sale_id, sale_line.c.line_no)
    )
    returned = (
        select(
            return_line.c.return_id.label("document_id"),
            return_line.c.sku,
            return_line.c.description,
            return_line.c.quantity,
            return_line.c.unit,
            return_line.c.line_total_minor,
            return_line.c.tax_minor,
            return_line.c.tax_rate,
            return_line.c.discount_minor,
            literal("catalogue").label("price_source"),
        )
        .where(return_line.c.return_id.in_(select(ret.c.return_id).where(selection.of(ret))))
        .order_by(return_line.c.return_id, return_line.c.line_no)
    )
    for query in (statement, returned):
        rows: Any = connection.execute(query)
        for row in rows:
            found.setdefault(row.document_id, []).append(row)
    return found


def _tenders(connection: Connection, selection: Selection) -> dict[str, list[tuple[str, int, int]]]:
    """(kind, amount applied to the total, change) per document, in tender order."""
    sale, ret, tender = tables.sale, tables.sales_return, tables.tender
    documents = (
        select(sale.c.sale_id)
        .where(selection.of(sale))
        .union_all(select(ret.c.return_id).where(selection.of(ret)))
    )
    found: dict[str, list[tuple[str, int, int]]] = {}
    rows = connection.execute(
        select(tender)
        .where(tender.c.document_id.in_(documents))
        .order_by(tender.c.document_id, tender.c.tender_no)
    )
    for row in rows:
        found.setdefault(row.document_id, []).append((row.kind, row.amount_minor, row.change_minor))
    return found


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)
