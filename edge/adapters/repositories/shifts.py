"""Repository of the tills' shifts, their Z reports and no-sales, and the records of a shift
that its X and Z are built from (sales, returns, voids, no-sales, cash movements)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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
    or_,
    select,
    update,
)

from edge.adapters import tables
from edge.adapters.repositories.shift_documents import Document, Selection, read_documents
from edge.domain.cash_count import CashCount, denominations
from edge.domain.shifts import CashMovementKind, SaleRecord, Shift, ShiftTotals
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
            sales=[
                document.record
                for document in self.documents(Selection(shift_id=shift_id), currency)
            ],
            voids=[(at, value) for _, at, value in self.voids([shift_id], currency)],
            no_sales=[at for _, _, at in self.no_sales([shift_id])],
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

    def documents(self, selection: Selection, currency: str) -> list[Document]:
        """Sales and returns of a shift or a business day (shift_documents.read_documents)."""
        return read_documents(self._connection, selection, currency)

    def voids(self, shift_ids: Sequence[str], currency: str) -> list[tuple[str, datetime, Money]]:
        """Voided lines (each its value) and voided carts (each the value of the lines still
        on it), of the carts opened in the shifts `shift_ids`: (till, the cart's closing or
        opening time, value >= 0), in the order the carts opened."""
        cart, line = tables.cart, tables.cart_line
        rows = self._connection.execute(
            select(
                cart.c.cart_id,
                cart.c.till_id,
                cart.c.status,
                cart.c.opened_at,
                cart.c.closed_at,
                line.c.voided,
                func.coalesce(func.sum(line.c.line_total_minor), 0).label("value"),
                func.count(line.c.line_id).label("lines"),
            )
            .select_from(cart.outerjoin(line, line.c.cart_id == cart.c.cart_id))
            .where(cart.c.shift_id.in_(list(shift_ids)))
            .group_by(cart.c.cart_id, line.c.voided)
            .order_by(cart.c.opened_at, cart.c.cart_id)
        )
        voids: list[tuple[str, datetime, Money]] = []
        for row in rows:
            at = _time(row.closed_at or row.opened_at)
            if row.voided == 1:
                each = self._connection.execute(
                    select(line.c.line_total_minor).where(
                        line.c.cart_id == row.cart_id, line.c.voided == 1
                    )
                )
                voids += [(row.till_id, at, Money.from_minor(value, currency)) for (value,) in each]
            elif row.status == "voided":
                voids.append((row.till_id, at, Money.from_minor(row.value, currency)))
        return voids

    def no_sales(self, shift_ids: Sequence[str]) -> list[tuple[str, str, datetime]]:
        """The no-sales of the shifts `shift_ids`: (till, staff code, time), in time order."""
        no_sale = tables.no_sale
        return [
            (row.till_id, row.staff_code, _time(row.at))
            for row in self._connection.execute(
                select(no_sale.c.till_id, no_sale.c.staff_code, no_sale.c.at)
                .where(no_sale.c.shift_id.in_(list(shift_ids)))
                .order_by(no_sale.c.at)
            )
        ]

    def open_shifts(self) -> list[StoredShift]:
        """Every till's open shift, by till."""
        shift = tables.shift
        rows = self._connection.execute(
            select(shift).where(shift.c.closed_at.is_(None)).order_by(shift.c.till_id)
        )
        return [_stored(row) for row in rows]

    def touching(self, business_day: date, since: datetime) -> list[StoredShift]:
        """The shifts that may hold records of `business_day`: opened on or before it and
        open, or closed at or after `since` (the caller gives the day's start, less a margin
        for the stored times' offsets). By till and opening time."""
        shift = tables.shift
        rows = self._connection.execute(
            select(shift)
            .where(
                shift.c.business_day <= business_day.isoformat(),
                or_(shift.c.closed_at.is_(None), shift.c.closed_at >= since.isoformat()),
            )
            .order_by(shift.c.till_id, shift.c.opened_at)
        )
        return [_stored(row) for row in rows]


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
