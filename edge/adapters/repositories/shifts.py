"""Repository of the tills' shifts, their Z reports and no-sales, and the records of a shift
that its X and Z are built from (sales, returns, voids, no-sales, cash movements)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    ScalarSelect,
    and_,
    func,
    literal,
    select,
    update,
)

from edge.adapters import tables
from edge.domain.cash_count import CashCount, denominations
from edge.domain.shifts import CashMovementKind, SaleRecord, Shift, ShiftTotals, TaxAtRate
from shared.money import Money


def open_shift_of(till_id: str) -> ScalarSelect[Any]:
    """The id of `till_id`'s open shift (NULL: none), as a scalar subquery: every cart, sale,
    return and cash movement written at a till is stamped with it in its own INSERT."""
    shift = tables.shift
    return (
        select(shift.c.shift_id)
        .where(shift.c.till_id == till_id, shift.c.closed_at.is_(None))
        .scalar_subquery()
    )


@dataclass(frozen=True, slots=True)
class StoredShift:
    """A shift as kept: the domain `Shift` (totals empty: they are built from the records),
    the business day it opened in, whether its float was counted by denomination, and the
    name of who opened it."""

    shift: Shift
    business_day: date
    float_counted: bool
    opened_by_name: str | None
    closed_by: str | None = None
    z_number: int | None = None


@dataclass(frozen=True, slots=True)
class ShiftRecords:
    """What happened in a shift, in the order it happened: sales and returns, voids (time,
    value >= 0), no-sales (times) and cash movements (time, kind, amount > 0)."""

    sales: list[SaleRecord]
    voids: list[tuple[datetime, Money]]
    no_sales: list[datetime]
    movements: list[tuple[datetime, CashMovementKind, Money]]


class ShiftRepository:
    """Shifts, Z reports and no-sales of this node's tills."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(
        self, shift: Shift, *, business_day: date, float_counted: bool, opened_by_name: str | None
    ) -> None:
        """Insert an open shift. Raises sqlalchemy IntegrityError if the till has one open."""
        counts = {str(d): n for d, n in shift.opening_float.counts.items() if n}
        self._connection.execute(
            tables.shift.insert().values(
                shift_id=shift.shift_id,
                till_id=shift.till_id,
                opened_by=shift.opened_by,
                opened_by_name=opened_by_name,
                opened_at=shift.opened_at.isoformat(),
                business_day=business_day.isoformat(),
                currency=shift.currency,
                float_minor=shift.opening_float.total.minor,
                float_counts=json.dumps(counts) if float_counted else None,
            )
        )

    def of_sale(self, sale_id: UUID) -> str | None:
        """The id of the shift a sale was made in (None for a sale made before shifts)."""
        found = self._connection.execute(
            select(tables.sale.c.shift_id).where(tables.sale.c.sale_id == str(sale_id))
        ).scalar_one_or_none()
        return str(found) if found is not None else None

    def get(self, shift_id: str) -> StoredShift | None:
        row = self._connection.execute(
            select(tables.shift).where(tables.shift.c.shift_id == shift_id)
        ).first()
        return _stored(row) if row else None

    def open_at(self, till_id: str) -> StoredShift | None:
        """The till's open shift, if any."""
        shift = tables.shift
        row = self._connection.execute(
            select(shift).where(shift.c.till_id == till_id, shift.c.closed_at.is_(None))
        ).first()
        return _stored(row) if row else None

    def close(self, shift_id: str, closed_at: datetime, closed_by: str, z_number: int) -> None:
        self._connection.execute(
            update(tables.shift)
            .where(tables.shift.c.shift_id == shift_id)
            .values(closed_at=closed_at.isoformat(), closed_by=closed_by, z_number=z_number)
        )

    def open_carts(self, till_id: str) -> list[str]:
        """Ids of the carts still open at `till_id`, oldest first."""
        cart = tables.cart
        rows = self._connection.execute(
            select(cart.c.cart_id)
            .where(cart.c.till_id == till_id, cart.c.status == "open")
            .order_by(cart.c.opened_at)
        )
        return [row.cart_id for row in rows]

    def next_z(self, till_id: str, currency: str) -> tuple[int, Money | None]:
        """The till's next Z number (last + 1, from 1) and its grand total so far (None before
        its first Z). Read in the transaction that writes the Z (`add_z`)."""
        z = tables.z_report
        row = self._connection.execute(
            select(z.c.z_number, z.c.grand_total_minor)
            .where(z.c.till_id == till_id)
            .order_by(z.c.z_number.desc())
            .limit(1)
        ).first()
        if row is None:
            return 1, None
        return row.z_number + 1, Money.from_minor(row.grand_total_minor, currency)

    def add_z(
        self,
        *,
        till_id: str,
        z_number: int,
        shift_id: str,
        business_day: date,
        closed_at: datetime,
        net_sales: Money,
        grand_total: Money,
        report: Mapping[str, Any],
        event_seq: int,
    ) -> None:
        """Write a Z report. Raises sqlalchemy IntegrityError for a (till, Z number) or a
        shift already written."""
        self._connection.execute(
            tables.z_report.insert().values(
                till_id=till_id,
                z_number=z_number,
                shift_id=shift_id,
                business_day=business_day.isoformat(),
                closed_at=closed_at.isoformat(),
                net_sales_minor=net_sales.minor,
                grand_total_minor=grand_total.minor,
                report=json.dumps(report),
                event_seq=event_seq,
            )
        )

    def z_of_shift(self, shift_id: str) -> dict[str, Any] | None:
        """The Z report of a shift as stored (the ZReportV1 payload), if closed."""
        z = tables.z_report
        row = self._connection.execute(select(z.c.report).where(z.c.shift_id == shift_id)).first()
        return _report(row.report) if row else None

    def z_reports(
        self,
        till_id: str | None,
        first_day: date | None,
        last_day: date | None,
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        """Z reports (ZReportV1 payloads) by till and Z number, business days inclusive."""
        z = tables.z_report
        where: list[ColumnElement[bool]] = []
        if till_id is not None:
            where.append(z.c.till_id == till_id)
        if first_day is not None:
            where.append(z.c.business_day >= first_day.isoformat())
        if last_day is not None:
            where.append(z.c.business_day <= last_day.isoformat())
        rows = self._connection.execute(
            select(z.c.report)
            .where(and_(True, *where))
            .order_by(z.c.till_id, z.c.z_number)
            .limit(limit)
            .offset(offset)
        )
        return [_report(row.report) for row in rows]

    def add_no_sale(
        self, no_sale_id: UUID, shift_id: str, till_id: str, staff_code: str, at: datetime
    ) -> None:
        self._connection.execute(
            tables.no_sale.insert().values(
                no_sale_id=str(no_sale_id),
                shift_id=shift_id,
                till_id=till_id,
                staff_code=staff_code,
                at=at.isoformat(),
            )
        )

    def has_no_sale(self, no_sale_id: UUID) -> bool:
        """Whether the no-sale of id `no_sale_id` is recorded (a retried request)."""
        found = self._connection.execute(
            select(tables.no_sale.c.no_sale_id).where(
                tables.no_sale.c.no_sale_id == str(no_sale_id)
            )
        ).first()
        return found is not None

    def records(self, shift_id: str, currency: str) -> ShiftRecords:
        """Everything the shift's X and Z count, from this node's own records."""
        return ShiftRecords(
            sales=self._documents(shift_id, currency),
            voids=self._voids(shift_id, currency),
            no_sales=[
                datetime.fromisoformat(row.at)
                for row in self._connection.execute(
                    select(tables.no_sale.c.at)
                    .where(tables.no_sale.c.shift_id == shift_id)
                    .order_by(tables.no_sale.c.at)
                )
            ],
            movements=[
                (
                    datetime.fromisoformat(row.business_time),
                    CashMovementKind(row.kind),
                    Money.from_minor(row.amount_minor, row.currency),
                )
                for row in self._connection.execute(
                    select(tables.cash_movement)
                    .where(tables.cash_movement.c.shift_id == shift_id)
                    .order_by(tables.cash_movement.c.event_seq)
                )
            ],
        )

    def _documents(self, shift_id: str, currency: str) -> list[SaleRecord]:
        """Sales (total >= 0) and returns (total < 0) of the shift, in the order made."""
        sale, ret = tables.sale, tables.sales_return
        heads: list[tuple[int, str, str, datetime, int]] = [
            (row.event_seq, row.sale_id, row.receipt_number, _time(row.business_time), row.total)
            for row in self._connection.execute(
                select(
                    sale.c.event_seq,
                    sale.c.sale_id,
                    sale.c.receipt_number,
                    sale.c.business_time,
                    sale.c.total_minor.label("total"),
                ).where(sale.c.shift_id == shift_id)
            )
        ]
        heads += [
            (row.event_seq, row.return_id, row.receipt_number, _time(row.business_time), -row.total)
            for row in self._connection.execute(
                select(
                    ret.c.event_seq,
                    ret.c.return_id,
                    ret.c.receipt_number,
                    ret.c.business_time,
                    ret.c.total_minor.label("total"),
                ).where(ret.c.shift_id == shift_id)
            )
        ]
        heads.sort()
        lines = self._lines(shift_id)
        tenders = self._tenders(shift_id)
        records = []
        for _, document_id, receipt_number, at, total_minor in heads:
            sign = -1 if total_minor < 0 else 1
            document_lines = lines.get(document_id, [])
            tax: dict[Decimal, tuple[int, int]] = {}
            for line in document_lines:
                if line.tax_rate is None:
                    continue
                rate = Decimal(line.tax_rate)
                net, vat = tax.get(rate, (0, 0))
                gross, tax_minor = sign * line.line_total_minor, sign * line.tax_minor
                tax[rate] = (net + gross - tax_minor, vat + tax_minor)
            paid = tenders.get(document_id, [])
            records.append(
                SaleRecord(
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
            )
        return records

    def _lines(self, shift_id: str) -> dict[str, list[Row[Any]]]:
        sale, ret = tables.sale, tables.sales_return
        sale_line, return_line = tables.sale_line, tables.return_line
        found: dict[str, list[Row[Any]]] = {}
        statement = select(
            sale_line.c.sale_id.label("document_id"),
            sale_line.c.line_total_minor,
            sale_line.c.tax_minor,
            sale_line.c.tax_rate,
            sale_line.c.discount_minor,
            sale_line.c.price_source,
        ).where(sale_line.c.sale_id.in_(select(sale.c.sale_id).where(sale.c.shift_id == shift_id)))
        returned = select(
            return_line.c.return_id.label("document_id"),
            return_line.c.line_total_minor,
            return_line.c.tax_minor,
            return_line.c.tax_rate,
            return_line.c.discount_minor,
            literal("catalogue").label("price_source"),
        ).where(
            return_line.c.return_id.in_(select(ret.c.return_id).where(ret.c.shift_id == shift_id))
        )
        for query in (statement, returned):
            rows: Any = self._connection.execute(query)
            for row in rows:
                found.setdefault(row.document_id, []).append(row)
        return found

    def _tenders(self, shift_id: str) -> dict[str, list[tuple[str, int, int]]]:
        """(kind, amount applied to the total, change) per document, in tender order."""
        sale, ret, tender = tables.sale, tables.sales_return, tables.tender
        documents = (
            select(sale.c.sale_id)
            .where(sale.c.shift_id == shift_id)
            .union_all(select(ret.c.return_id).where(ret.c.shift_id == shift_id))
        )
        found: dict[str, list[tuple[str, int, int]]] = {}
        rows = self._connection.execute(
            select(tender)
            .where(tender.c.document_id.in_(documents))
            .order_by(tender.c.document_id, tender.c.tender_no)
        )
        for row in rows:
            found.setdefault(row.document_id, []).append(
                (row.kind, row.amount_minor, row.change_minor)
            )
        return found

    def _voids(self, shift_id: str, currency: str) -> list[tuple[datetime, Money]]:
        """Voided lines (each its value) and voided carts (each the value of the lines still
        on it), of the carts opened in the shift; at the cart's closing or opening time."""
        cart, line = tables.cart, tables.cart_line
        rows = self._connection.execute(
            select(
                cart.c.cart_id,
                cart.c.status,
                cart.c.opened_at,
                cart.c.closed_at,
                line.c.voided,
                func.coalesce(func.sum(line.c.line_total_minor), 0).label("value"),
                func.count(line.c.line_id).label("lines"),
            )
            .select_from(cart.outerjoin(line, line.c.cart_id == cart.c.cart_id))
            .where(cart.c.shift_id == shift_id)
            .group_by(cart.c.cart_id, line.c.voided)
            .order_by(cart.c.opened_at, cart.c.cart_id)
        )
        voids: list[tuple[datetime, Money]] = []
        for row in rows:
            at = _time(row.closed_at or row.opened_at)
            if row.voided == 1:
                each = self._connection.execute(
                    select(line.c.line_total_minor).where(
                        line.c.cart_id == row.cart_id, line.c.voided == 1
                    )
                )
                voids += [(at, Money.from_minor(value, currency)) for (value,) in each]
            elif row.status == "voided":
                voids.append((at, Money.from_minor(row.value, currency)))
        return voids


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _report(text: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(text)
    return report


def _stored(row: Row[Any]) -> StoredShift:
    currency = row.currency
    if row.float_counts is not None:
        opening = CashCount.of(currency, json.loads(row.float_counts))
    else:
        opening = cash_count_of_total(Money.from_minor(row.float_minor, currency))
    opened_at = _time(row.opened_at)
    shift = Shift(
        shift_id=row.shift_id,
        till_id=row.till_id,
        opened_by=row.opened_by,
        opened_at=opened_at,
        opening_float=opening,
        totals=ShiftTotals.empty(opening.total),
        closed_at=_time(row.closed_at) if row.closed_at else None,
    )
    return StoredShift(
        shift=shift,
        business_day=date.fromisoformat(row.business_day),
        float_counted=row.float_counts is not None,
        opened_by_name=row.opened_by_name,
        closed_by=row.closed_by,
        z_number=row.z_number,
    )


def cash_count_of_total(total: Money) -> CashCount:
    """A float given only as a total, as the fewest notes and coins that make it (exact: the
    smallest coin of every currency known is its minor unit)."""
    remaining = total.amount
    counts: dict[Decimal, int] = {}
    for denomination in denominations(total.currency):
        count = int(remaining // denomination)
        if count:
            counts[denomination] = count
            remaining -= denomination * count
    return CashCount(total.currency, counts)
