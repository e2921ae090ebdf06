"""Use cases of a till's shift: open it with a float, read its X report, record a no-sale,
close it with a blind count into a Z report, list the Z reports (edge.domain.shifts).

The X and Z figures are built from this node's own records of the shift (sales, returns,
voided lines and carts, no-sales, cash movements: each stamped with the till's open shift when
written), so they are right offline and after a restart. Closing takes the till's next Z
number and writes the Z, the closed shift, the `shift.closed` outbox event and the audit
record in ONE transaction: a crash before the commit leaves none of them, and the number is
taken again by the next close (docs/counter.md, "Shifts, X and Z reports").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from edge.adapters.repositories.shifts import StoredShift, cash_count_of_total
from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain import shifts as rules
from edge.domain.audit import Acting, Authorized
from edge.domain.cash_count import CashCount, InvalidCashCount
from edge.domain.documents import ZReportMade
from edge.domain.node import NodeIdentity
from edge.domain.shifts import NoOpenShift, Shift, ShiftClosed, XReport, ZReport
from edge.domain.staff import Permission
from edge.errors import Conflict, Invalid, NotFound
from edge.service.audit import audit_action
from edge.service.staff import OverrideRequest, authorize, require_till
from edge.wire import z_report_of, z_report_payload
from shared.errors import InvalidAmount
from shared.ids import new_id
from shared.money import Money
from sync.messages import ZReportV1

# The business day is the store's local calendar date (NodeIdentity.business_day), as for
# sales: a shift opened on one day is overdue from the next local midnight.
BUSINESS_DAY_CUTOFF = time(0)


class ShiftNotFound(NotFound):
    code = "shift_not_found"

    def __init__(self, shift_id: str) -> None:
        super().__init__(f"no shift {shift_id} on this node")


class CartsStillOpen(Conflict):
    """The till still has carts open: check them out or void them before closing its shift
    (a manager closing while a cashier still sells)."""

    code = "carts_open"

    def __init__(self, till_id: str, cart_ids: list[str]) -> None:
        super().__init__(
            f"till {till_id} still has {len(cart_ids)} open cart(s): {', '.join(cart_ids)}; "
            "check them out or void them first"
        )
        self.cart_ids = cart_ids


class InvalidFloat(Invalid):
    """A float given both by denomination and as a total, or neither, or a total the store's
    currency cannot hold."""

    code = "invalid_float"


class ShiftIdReused(Conflict):
    code = "id_reused"

    def __init__(self, shift_id: str) -> None:
        super().__init__(f"shift {shift_id} exists at another till")


@dataclass(frozen=True, slots=True)
class OpenShift:
    """Open a shift at `till_id` with the float counted by denomination (`float_counts`,
    {"20": 3, "0.50": 4}) or as a `float_total`; `shift_id` makes a retry harmless."""

    till_id: str
    float_counts: Mapping[str, int] | None = None
    float_total: Decimal | None = None
    shift_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class CloseShift:
    """Close shift `shift_id` with the blind count by denomination (`counted`) or as the
    drawer's total alone (`counted_total`): one of the two."""

    shift_id: str
    counted: Mapping[str, int] | None = None
    counted_total: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ShiftView:
    """A shift with its totals as its records stand, and whether it is overdue (still open
    past the end of the business day it opened in)."""

    stored: StoredShift
    shift: Shift
    overdue: bool


def _float(command: OpenShift, currency: str) -> tuple[CashCount, bool]:
    if (command.float_counts is None) == (command.float_total is None):
        raise InvalidFloat("give the float either by denomination or as a total, not both")
    if command.float_counts is not None:
        return CashCount.of(currency, command.float_counts), True
    assert command.float_total is not None
    total = _cash_total(command.float_total, currency, InvalidFloat, "a float")
    return cash_count_of_total(total), False


def _count(command: CloseShift, currency: str) -> tuple[CashCount, Money | None]:
    """The blind count of `command`: by denomination (total None), or a total alone with an
    empty count. Raises InvalidCashCount (neither or both; a bad count or total)."""
    if (command.counted is None) == (command.counted_total is None):
        raise InvalidCashCount("give the count either by denomination or as a total, not both")
    if command.counted is not None:
        return CashCount.of(currency, command.counted), None
    assert command.counted_total is not None
    total = _cash_total(command.counted_total, currency, InvalidCashCount, "a count")
    return CashCount.of(currency, {}), total


def _cash_total(
    amount: Decimal, currency: str, refused: Callable[[str], Invalid], what: str
) -> Money:
    """`amount` of drawer cash in `currency`; raises `refused(reason)` when the currency
    cannot hold it exactly or it is negative (`what`: "a float", "a count")."""
    try:
        total = Money.exact(amount, currency)
    except InvalidAmount as error:
        raise refused(str(error)) from None
    if total.is_negative():
        raise refused(f"{what} cannot be negative")
    return total


def open_shift(
    command: OpenShift, uow: EdgeUnitOfWork, acting: Acting, *, identity: NodeIdentity
) -> tuple[ShiftView, bool]:
    """Open a shift at the till (audited `shift_open`); (shift, created). A `shift_id` seen
    before at this till returns that shift (created=False). Raises ShiftAlreadyOpen (409),
    InvalidFloat, InvalidCashCount (422), ShiftIdReused."""
    if command.shift_id is not None:
        existing = uow.shifts.get(str(command.shift_id))
        if existing is not None:
            if existing.shift.till_id != command.till_id:
                raise ShiftIdReused(str(command.shift_id))
            return _view(existing, uow, identity), False
    opening_float, counted = _float(command, identity.currency)
    current = uow.shifts.open_at(command.till_id)
    at = uow.now()
    shift = rules.open_shift(
        current.shift if current else None,
        shift_id=str(command.shift_id or new_id()),
        till_id=command.till_id,
        staff_code=acting.staff.staff_code,
        at=at,
        opening_float=opening_float,
    )
    day = rules.business_day(at, identity.zone, BUSINESS_DAY_CUTOFF)
    uow.shifts.add(shift, business_day=day, float_counted=counted, opened_by_name=acting.staff.name)
    audit_action(
        uow,
        "shift_open",
        acting,
        identity=identity,
        subject=shift.shift_id,
        details={"float": str(opening_float.total.amount)},
    )
    stored = uow.shifts.get(shift.shift_id)
    assert stored is not None
    return _view(stored, uow, identity), True


def require_open_shift(uow: EdgeUnitOfWork, till_id: str) -> Shift:
    """The till's open shift, before a sale, return or cash movement. Raises NoOpenShift."""
    stored = uow.shifts.open_at(till_id)
    return rules.require_open_shift(stored.shift if stored else None, till_id)


def current_shift(till_id: str, uow: EdgeUnitOfWork, *, identity: NodeIdentity) -> ShiftView:
    """The till's open shift with its totals so far. Raises NoOpenShift."""
    stored = uow.shifts.open_at(till_id)
    if stored is None:
        raise NoOpenShift(till_id)
    return _view(stored, uow, identity)


def get_shift(shift_id: str, uow: EdgeUnitOfWork, *, identity: NodeIdentity) -> ShiftView:
    """A shift of this node, open or closed, with its totals. Raises ShiftNotFound."""
    stored = uow.shifts.get(shift_id)
    if stored is None:
        raise ShiftNotFound(shift_id)
    return _view(stored, uow, identity)


def x_report(
    shift_id: str, uow: EdgeUnitOfWork, *, identity: NodeIdentity
) -> tuple[XReport, ShiftView]:
    """The shift's X report now (read-only; open or closed shift). Raises ShiftNotFound."""
    view = get_shift(shift_id, uow, identity=identity)
    return rules.x_report(view.shift, max(uow.now(), view.shift.opened_at)), view


def record_no_sale(
    till_id: str,
    uow: EdgeUnitOfWork,
    who: Authorized,
    *,
    identity: NodeIdentity,
    no_sale_id: UUID | None = None,
) -> ShiftView:
    """A drawer opened with no sale (`who` allowed by Permission.NO_SALE), counted in the
    shift and audited `no_sale`. A `no_sale_id` recorded before is a retry: counted once.
    Raises NoOpenShift."""
    if no_sale_id is not None and uow.shifts.has_no_sale(no_sale_id):
        return current_shift(till_id, uow, identity=identity)
    shift = require_open_shift(uow, till_id)
    at = max(uow.now(), shift.opened_at)
    rules.record_no_sale(shift, at)
    uow.shifts.add_no_sale(
        no_sale_id or new_id(), shift.shift_id, till_id, who.acting.staff.staff_code, at
    )
    audit_action(uow, "no_sale", who, identity=identity, subject=shift.shift_id)
    return current_shift(till_id, uow, identity=identity)


def close_shift(
    command: CloseShift, uow: EdgeUnitOfWork, who: Acting | Authorized, *, identity: NodeIdentity
) -> tuple[ZReport, bool]:
    """Close the shift with the blind count into its Z report; (Z, created). A shift closed
    before with the same count returns its Z (created=False: a retry).

    `who` closes their own shift as `Acting`; another cashier's shift needs an `Authorized`
    for Permission.CLOSE_OTHER_SHIFT (by role or override). The Z number is the till's last +
    1, taken and written with the Z, the closed shift, its `shift.closed` event and the
    `shift_close` audit record in the caller's one transaction. Raises ShiftNotFound,
    CartsStillOpen (409), ShiftClosed (closed before with another count), NotPermitted,
    InvalidCashCount."""
    stored = uow.shifts.get(command.shift_id)
    if stored is None:
        raise ShiftNotFound(command.shift_id)
    counted, counted_total = _count(command, stored.shift.currency)
    if not stored.shift.is_open:
        kept = uow.shifts.z_of_shift(stored.shift.shift_id)
        if kept is not None:
            report = z_report_of(ZReportV1.model_validate(kept))
            same_total = counted_total is None or report.counted_cash == counted_total
            if report.counted == counted and same_total:
                return report, False
        raise ShiftClosed(stored.shift.shift_id)
    acting = who.acting if isinstance(who, Authorized) else who
    approver = who.approver if isinstance(who, Authorized) else None
    till_id = stored.shift.till_id
    carts = uow.shifts.open_carts(till_id)
    if carts:
        raise CartsStillOpen(till_id, carts)
    shift = _with_totals(stored, uow)
    z_number, previous = uow.shifts.next_z(till_id, shift.currency)
    closed, report = rules.close_shift(
        shift,
        at=max(uow.now(), shift.opened_at),
        staff_code=acting.staff.staff_code,
        role=approver.role if approver is not None else acting.staff.role,
        counted=counted,
        z_number=z_number,
        previous_grand_total=previous,
        counted_total=counted_total,
    )
    opening_float = stored.shift.opening_float.total
    seq = uow.emit(ZReportMade(report, stored.business_day, opening_float))
    uow.shifts.add_z(
        till_id=till_id,
        z_number=z_number,
        shift_id=shift.shift_id,
        business_day=stored.business_day,
        closed_at=report.period_end,
        net_sales=report.totals.net_sales,
        grand_total=report.grand_total,
        report=z_report_payload(report, stored.business_day, opening_float).model_dump(mode="json"),
        event_seq=seq,
    )
    assert closed.closed_at is not None
    uow.shifts.close(shift.shift_id, closed.closed_at, acting.staff.staff_code, z_number)
    audit_action(
        uow,
        "shift_close",
        who,
        identity=identity,
        subject=shift.shift_id,
        details={
            "z_number": str(z_number),
            "counted": str(report.counted_cash.amount),
            "expected": str(report.expected_cash.amount),
            "variance": str(report.variance.amount),
        },
    )
    return report, True


def z_reports(
    uow: EdgeUnitOfWork,
    *,
    till_id: str | None,
    first_day: date | None,
    last_day: date | None,
    limit: int,
    offset: int,
) -> list[ZReport]:
    """This node's Z reports, by till and Z number; business days inclusive; a page."""
    return [
        z_report_of(ZReportV1.model_validate(kept))
        for kept in uow.shifts.z_reports(till_id, first_day, last_day, limit, offset)
    ]


def _with_totals(stored: StoredShift, uow: EdgeUnitOfWork) -> Shift:
    """The shift with its running totals folded from its records, in the order they were
    made (times before the opening, from a clock set back, count at the opening)."""
    shift = replace(stored.shift, closed_at=None)
    opened = shift.opened_at
    records = uow.shifts.records(shift.shift_id, shift.currency)
    shift = rules.record_sales(
        shift, (replace(sale, at=max(sale.at, opened)) for sale in records.sales)
    )
    for at, amount in records.voids:
        shift = rules.record_void(shift, max(at, opened), amount)
    for at in records.no_sales:
        shift = rules.record_no_sale(shift, max(at, opened))
    for at, kind, amount in records.movements:
        shift = rules.record_cash_movement(shift, max(at, opened), kind, amount)
    return replace(shift, closed_at=stored.shift.closed_at)


def _view(stored: StoredShift, uow: EdgeUnitOfWork, identity: NodeIdentity) -> ShiftView:
    shift = _with_totals(stored, uow)
    now: datetime = uow.now()
    overdue = rules.is_overdue(shift, now, identity.zone, BUSINESS_DAY_CUTOFF)
    return ShiftView(stored, shift, overdue)


def close_at_till(
    command: CloseShift,
    acting: Acting,
    override: OverrideRequest | None,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
) -> tuple[ZReport, bool]:
    """`close_shift` by the signed-in `acting`: their own shift, or another cashier's with
    Permission.CLOSE_OTHER_SHIFT (a manager, or `override`). Raises what those raise."""
    stored = uow.shifts.get(command.shift_id)
    if stored is None:
        raise ShiftNotFound(command.shift_id)
    who: Acting | Authorized = acting
    if stored.shift.opened_by != acting.staff.staff_code:
        who = authorize(uow, acting, Permission.CLOSE_OTHER_SHIFT, override, identity=identity)
    return close_shift(command, uow, who, identity=identity)


def no_sale_at_till(
    till_id: str,
    acting: Acting,
    override: OverrideRequest | None,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    no_sale_id: UUID | None = None,
) -> ShiftView:
    """`record_no_sale` at the signed-in till, with Permission.NO_SALE (a supervisor, or
    `override`). Raises TillMismatch and what those raise."""
    require_till(acting, till_id)
    who = authorize(uow, acting, Permission.NO_SALE, override, identity=identity)
    return record_no_sale(till_id, uow, who, identity=identity, no_sale_id=no_sale_id)


def report_to_print(
    shift_id: str, which: str, uow: EdgeUnitOfWork, *, identity: NodeIdentity
) -> XReport | ZReport:
    """The shift's X report now (`which` "x") or its Z report ("z": closed shifts only).
    Raises ShiftNotFound, NoZReport."""
    if which == "x":
        return x_report(shift_id, uow, identity=identity)[0]
    get_shift(shift_id, uow, identity=identity)
    kept = uow.shifts.z_of_shift(shift_id)
    if kept is None:
        raise NoZReport(shift_id)
    return z_report_of(ZReportV1.model_validate(kept))


class NoZReport(Conflict):
    code = "no_z_report"

    def __init__(self, shift_id: str) -> None:
        super().__init__(f"shift {shift_id} is still open: it has no Z report yet (print its X)")
