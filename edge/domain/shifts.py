"""Shifts at a till: the float and blind counts by denomination, the running totals an X report
shows, and the Z report that closes a shift. Pure: times come in as aware datetimes, the Z
number and the previous grand total come from the caller (the repository keeps them, see
docs/counter.md, "Shifts, X and Z reports"), and every step returns a new `Shift`.

Amounts are gross (VAT included), as printed (edge.receipts ShiftReport.from_shift): `returns`
and `voids` are negative, `net_sales` = sales + returns. A refund paid in cash is a negative
cash tender. Expected cash = float + cash tenders - change + paid-in - paid-out - pickups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum

from edge.domain.cash_count import CashCount
from edge.domain.staff import NotPermitted, Permission, Role, allows
from edge.errors import Conflict, Invalid
from shared.money import Money

CASH = "cash"


class NoOpenShift(Conflict):
    """The till has no open shift: open one (with a float) before selling."""

    code = "no_open_shift"

    def __init__(self, till_id: str) -> None:
        super().__init__(f"till {till_id} has no open shift")
        self.till_id = till_id


class ShiftAlreadyOpen(Conflict):
    """The till already has an open shift: close it (Z report) first."""

    code = "shift_already_open"

    def __init__(self, till_id: str, shift_id: str) -> None:
        super().__init__(f"till {till_id} already has shift {shift_id} open")
        self.till_id = till_id
        self.shift_id = shift_id


class ShiftClosed(Conflict):
    """The shift is closed (its Z report is made): nothing more is recorded in it."""

    code = "shift_closed"

    def __init__(self, shift_id: str) -> None:
        super().__init__(f"shift {shift_id} is closed")
        self.shift_id = shift_id


class InvalidShiftEntry(Invalid):
    """An entry the shift cannot take: another currency, a naive time or one before the shift
    opened, a negative movement, a Z number below 1."""

    code = "invalid_shift_entry"

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid shift entry: {reason}")
        self.reason = reason


class CashMovementKind(StrEnum):
    """Cash in or out of the drawer that is not a sale: paid-in (+), paid-out (-), a pickup to
    the safe (-), a float top-up (+)."""

    PAID_IN = "paid_in"
    PAID_OUT = "paid_out"
    PICKUP = "pickup"
    FLOAT = "float"


@dataclass(frozen=True, slots=True)
class TaxAtRate:
    """VAT at one rate (Decimal percent, 20 for 20 %): net + tax = gross, signed."""

    rate: Decimal
    net: Money
    tax: Money

    @property
    def gross(self) -> Money:
        return self.net + self.tax


@dataclass(frozen=True, slots=True)
class SaleRecord:
    """A completed sale or return as the shift counts it. `total` is signed (a return is
    negative); `tenders` are (tender name, signed amount) pairs, cash as "cash"; `change` is the
    cash given back (>= 0); `discounts` the discount given (>= 0); `overrides` the number of
    price overrides in it; `tax` per rate."""

    receipt_number: str
    at: datetime
    total: Money
    tenders: tuple[tuple[str, Money], ...]
    change: Money
    tax: tuple[TaxAtRate, ...] = ()
    discounts: Money | None = None
    overrides: int = 0


@dataclass(frozen=True, slots=True)
class ShiftTotals:
    """The running totals of a shift: what an X report shows and a Z report keeps. Counts are
    ints; `voids` and `returns` negative; `tax` sorted by rate as (rate, net, tax); `tenders`
    sorted by name as (name, signed amount)."""

    currency: str
    sales_count: int
    sales: Money
    returns_count: int
    returns: Money
    voids_count: int
    voids: Money
    discounts: Money
    overrides_count: int
    no_sales_count: int
    tax: tuple[TaxAtRate, ...]
    tenders: tuple[tuple[str, Money], ...]
    float_cash: Money
    change_given: Money
    paid_in: Money
    paid_out: Money
    pickups: Money

    @classmethod
    def empty(cls, float_cash: Money) -> ShiftTotals:
        """The totals of a shift just opened with `float_cash` in the drawer."""
        z = Money.zero(float_cash.currency)
        counts_and_sums = (0, z, 0, z, 0, z, z, 0, 0)
        return cls(float_cash.currency, *counts_and_sums, (), (), float_cash, z, z, z, z)

    @property
    def net_sales(self) -> Money:
        """Sales + returns (returns are negative): what the grand total adds up."""
        return self.sales + self.returns

    @property
    def cash_tenders(self) -> Money:
        """The signed sum of cash tenders (refunds in cash are negative)."""
        return Money.sum((a for name, a in self.tenders if name == CASH), self.currency)

    @property
    def expected_cash(self) -> Money:
        """float + cash tenders - change + paid-in - paid-out - pickups."""
        return (
            self.float_cash
            + self.cash_tenders
            - self.change_given
            + self.paid_in
            - self.paid_out
            - self.pickups
        )


@dataclass(frozen=True, slots=True)
class Shift:
    """One till's shift. `closed_at` is None while open. Build with `open_shift`."""

    shift_id: str
    till_id: str
    opened_by: str
    opened_at: datetime
    opening_float: CashCount
    totals: ShiftTotals
    first_receipt_number: str | None = None
    last_receipt_number: str | None = None
    closed_at: datetime | None = None

    @property
    def currency(self) -> str:
        return self.opening_float.currency

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class XReport:
    """A read-only snapshot of an open shift at `at`."""

    shift_id: str
    till_id: str
    opened_by: str
    period_start: datetime
    at: datetime
    first_receipt_number: str | None
    last_receipt_number: str | None
    totals: ShiftTotals
    expected_cash: Money


@dataclass(frozen=True, slots=True)
class ZReport:
    """The report that closed a shift: the X totals at close, the blind count and what follows.
    `variance` = counted - expected (negative: the drawer is short); `grand_total` =
    previous grand total + this shift's net sales (never reset)."""

    z_number: int
    shift_id: str
    till_id: str
    opened_by: str
    closed_by: str
    period_start: datetime
    period_end: datetime
    first_receipt_number: str | None
    last_receipt_number: str | None
    totals: ShiftTotals
    counted: CashCount
    counted_cash: Money
    expected_cash: Money
    variance: Money
    previous_grand_total: Money
    grand_total: Money


def _aware(at: datetime, what: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidShiftEntry(f"{what} must be an aware datetime")


def _entry(shift: Shift, at: datetime, *amounts: Money) -> None:
    if not shift.is_open:
        raise ShiftClosed(shift.shift_id)
    _aware(at, "the time")
    if at < shift.opened_at:
        raise InvalidShiftEntry("a time before the shift opened")
    for amount in amounts:
        if amount.currency != shift.currency:
            raise InvalidShiftEntry(f"{amount} is not in the shift's {shift.currency}")


def _non_negative(amount: Money, what: str) -> None:
    if amount.is_negative():
        raise InvalidShiftEntry(f"{what} cannot be negative")


def open_shift(
    current: Shift | None,
    *,
    shift_id: str,
    till_id: str,
    staff_code: str,
    at: datetime,
    opening_float: CashCount,
) -> Shift:
    """Open a shift at `till_id` with the float counted by denomination. `current` is the
    till's latest shift (None for its first). Raises ShiftAlreadyOpen if `current` is open,
    InvalidShiftEntry for a naive time."""
    if current is not None and current.is_open:
        raise ShiftAlreadyOpen(till_id, current.shift_id)
    _aware(at, "the opening time")
    totals = ShiftTotals.empty(opening_float.total)
    return Shift(shift_id, till_id, staff_code, at, opening_float, totals)


def require_open_shift(shift: Shift | None, till_id: str) -> Shift:
    """The till's open shift, for the till to call before every sale. Raises NoOpenShift when
    `shift` is None or closed."""
    if shift is None or not shift.is_open:
        raise NoOpenShift(till_id)
    return shift


def record_sale(shift: Shift, sale: SaleRecord) -> Shift:
    """Count a completed sale (total >= 0) or return (total < 0) into the shift.

    Raises ShiftClosed, InvalidShiftEntry (currency, time, negative change or discount,
    tenders less change that are not the total, negative overrides).
    """
    return record_sales(shift, (sale,))


def _check_sale(shift: Shift, sale: SaleRecord, discounts: Money) -> None:
    amounts = [sale.total, sale.change, *(a for _, a in sale.tenders)]
    amounts += [m for line in sale.tax for m in (line.net, line.tax)]
    _entry(shift, sale.at, *amounts, discounts)
    _non_negative(sale.change, "change")
    _non_negative(discounts, "a discount")
    if sale.overrides < 0:
        raise InvalidShiftEntry("overrides cannot be negative")
    paid = sum(a.minor for _, a in sale.tenders) - sale.change.minor
    if paid != sale.total.minor:
        raise InvalidShiftEntry(
            f"tenders less change {Money.from_minor(paid, shift.currency)} are not the total "
            f"{sale.total}"
        )


def record_sales(shift: Shift, sales: Iterable[SaleRecord]) -> Shift:
    """Count completed sales and returns into the shift in the order given: exactly what
    `record_sale` one at a time gives, summed in integer minor units in one pass (a busy
    day's X or Z, or the dashboard's day, folds thousands). Raises what `record_sale`
    raises, for the first sale that fails (nothing is counted then)."""
    currency = shift.currency
    zero = Money.zero(currency)
    t = shift.totals
    counts = [t.sales_count, t.returns_count, t.overrides_count]
    sums = {"sales": t.sales.minor, "returns": t.returns.minor,
            "discounts": t.discounts.minor, "change": t.change_given.minor}  # fmt: skip
    tax = {line.rate: [line.net.minor, line.tax.minor] for line in t.tax}
    tenders = {name: amount.minor for name, amount in t.tenders}
    first, last = shift.first_receipt_number, shift.last_receipt_number
    for sale in sales:
        discounts = sale.discounts or zero
        _check_sale(shift, sale, discounts)
        total = sale.total.minor
        if total < 0:
            counts[1] += 1
            sums["returns"] += total
        else:
            counts[0] += 1
            sums["sales"] += total
        counts[2] += sale.overrides
        sums["discounts"] += discounts.minor
        sums["change"] += sale.change.minor
        for line in sale.tax:
            held = tax.setdefault(line.rate, [0, 0])
            held[0] += line.net.minor
            held[1] += line.tax.minor
        for name, amount in sale.tenders:
            tenders[name] = tenders.get(name, 0) + amount.minor
        first = first or sale.receipt_number
        last = sale.receipt_number

    def money(minor: int) -> Money:
        return Money.from_minor(minor, currency)

    totals = replace(
        t,
        sales_count=counts[0],
        sales=money(sums["sales"]),
        returns_count=counts[1],
        returns=money(sums["returns"]),
        discounts=money(sums["discounts"]),
        overrides_count=counts[2],
        tax=tuple(
            TaxAtRate(rate, money(net), money(vat)) for rate, (net, vat) in sorted(tax.items())
        ),
        tenders=tuple((name, money(amount)) for name, amount in sorted(tenders.items())),
        change_given=money(sums["change"]),
    )
    return replace(shift, totals=totals, first_receipt_number=first, last_receipt_number=last)


def record_void(shift: Shift, at: datetime, amount: Money) -> Shift:
    """Count a voided line or cart of value `amount` (>= 0); the voids total goes down by it."""
    _entry(shift, at, amount)
    _non_negative(amount, "a void")
    t = shift.totals
    totals = replace(t, voids_count=t.voids_count + 1, voids=t.voids - amount)
    return replace(shift, totals=totals)


def record_no_sale(shift: Shift, at: datetime) -> Shift:
    """Count a no-sale drawer open."""
    _entry(shift, at)
    return replace(
        shift, totals=replace(shift.totals, no_sales_count=shift.totals.no_sales_count + 1)
    )


def record_cash_movement(
    shift: Shift, at: datetime, kind: CashMovementKind, amount: Money
) -> Shift:
    """Count cash in (paid-in, float top-up) or out (paid-out, pickup) of `amount` (> 0).
    Raises ShiftClosed, InvalidShiftEntry (zero or negative, currency, time)."""
    _entry(shift, at, amount)
    if amount.is_negative() or amount.is_zero():
        raise InvalidShiftEntry("a cash movement is a positive amount")
    t = shift.totals
    name = {
        CashMovementKind.PAID_IN: "paid_in",
        CashMovementKind.PAID_OUT: "paid_out",
        CashMovementKind.PICKUP: "pickups",
        CashMovementKind.FLOAT: "float_cash",
    }[kind]
    totals = replace(t, **{name: getattr(t, name) + amount})
    return replace(shift, totals=totals)


def x_report(shift: Shift, at: datetime) -> XReport:
    """A read-only snapshot of `shift` at `at` (open or closed; nothing changes)."""
    _aware(at, "the report time")
    return XReport(
        shift.shift_id,
        shift.till_id,
        shift.opened_by,
        shift.opened_at,
        at,
        shift.first_receipt_number,
        shift.last_receipt_number,
        shift.totals,
        shift.totals.expected_cash,
    )


def close_shift(
    shift: Shift,
    *,
    at: datetime,
    staff_code: str,
    role: Role,
    counted: CashCount,
    z_number: int,
    previous_grand_total: Money | None,
    counted_total: Money | None = None,
) -> tuple[Shift, ZReport]:
    """Close `shift` with a blind count; returns the closed shift and its Z report. The count
    is `counted` by denomination, or `counted_total` alone (then `counted` is empty and the
    Z holds no denominations: none were counted).

    `z_number` and `previous_grand_total` (None for the till's first Z) come from the
    repository, which must take the next number and commit the Z in one transaction
    (docs/counter.md). Raises ShiftClosed (closed twice), NotPermitted (another cashier's
    shift without close_other_shift), InvalidShiftEntry (time, currency, Z number below 1).
    """
    if not shift.is_open:
        raise ShiftClosed(shift.shift_id)
    if staff_code != shift.opened_by and not allows(role, Permission.CLOSE_OTHER_SHIFT):
        raise NotPermitted(staff_code, role, Permission.CLOSE_OTHER_SHIFT)
    previous = previous_grand_total or Money.zero(shift.currency)
    if counted_total is not None and counted.counts:
        raise InvalidShiftEntry("a count is by denomination or a total, not both")
    counted_cash = counted.total if counted_total is None else counted_total
    _entry(shift, at, counted_cash, previous)
    if isinstance(z_number, bool) or not isinstance(z_number, int) or z_number < 1:
        raise InvalidShiftEntry("Z numbers are whole numbers from 1")
    totals = shift.totals
    expected = totals.expected_cash
    report = ZReport(
        z_number=z_number,
        shift_id=shift.shift_id,
        till_id=shift.till_id,
        opened_by=shift.opened_by,
        closed_by=staff_code,
        period_start=shift.opened_at,
        period_end=at,
        first_receipt_number=shift.first_receipt_number,
        last_receipt_number=shift.last_receipt_number,
        totals=totals,
        counted=counted,
        counted_cash=counted_cash,
        expected_cash=expected,
        variance=counted_cash - expected,
        previous_grand_total=previous,
        grand_total=previous + totals.net_sales,
    )
    return replace(shift, closed_at=at), report


def business_day(at: datetime, tz: tzinfo, cutoff: time) -> date:
    """The store's business day that `at` falls in: the local date in `tz`, or the day before
    when the local time is before `cutoff` (a 04:00 cut-off puts 02:30 in yesterday)."""
    _aware(at, "the time")
    local = at.astimezone(tz)
    return local.date() - timedelta(days=1) if local.time() < cutoff else local.date()


def is_overdue(shift: Shift, now: datetime, tz: tzinfo, cutoff: time) -> bool:
    """True if `shift` is still open at or after the end of the business day it opened in: the
    next local day's `cutoff` in the store's time zone `tz` (store settings)."""
    if not shift.is_open:
        return False
    _aware(now, "now")
    day = business_day(shift.opened_at, tz, cutoff)
    end = datetime.combine(day + timedelta(days=1), cutoff, tzinfo=tz)
    return now >= end
