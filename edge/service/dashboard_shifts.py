"""Read models and the one action of the dashboard's shifts view: the tills' open shifts with
their live X, a business day's Z reports with their cash variance, a Z as the till printed it,
Z reports of a date range (the CSV), and a Z's reprint (audited `reprint`).

Every figure is the X's or the Z's own (edge.service.shifts: `x_report` folds the shift's
records now; a Z is the `z_report` row's stored report), never recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting
from edge.domain.node import NodeIdentity
from edge.domain.shifts import XReport, ZReport
from edge.errors import Invalid
from edge.receipts.document import ShiftReport
from edge.service import shifts
from edge.service.audit import audit_action
from edge.service.receipts import shift_report_document

# A Z export covers at most a quarter (93 days: any three calendar months).
MAX_RANGE_DAYS = 93
ALL_OF_THEM = 1_000_000  # no page: a store closes a few Z reports a day


class RangeTooLong(Invalid):
    """A Z report export of more days than MAX_RANGE_DAYS, or one that ends before it starts."""

    code = "range_invalid"


@dataclass(frozen=True, slots=True)
class OpenShiftX:
    """A till's open shift now: its X report (totals so far, expected cash in the drawer),
    who opened it (code and name) and whether it is overdue (open past its business day)."""

    x: XReport
    opened_by_name: str | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class ShiftsOfDay:
    """The open shifts of every till now, and the Z reports of `business_day` by till and Z
    number."""

    business_day: date
    open: tuple[OpenShiftX, ...]
    closed: tuple[ZReport, ...]


def shifts_of_day(
    business_day: date, uow: EdgeUnitOfWork, *, identity: NodeIdentity
) -> ShiftsOfDay:
    """The tills' open shifts with their live X, and `business_day`'s Z reports."""
    open_now = []
    for stored in uow.shifts.open_shifts():
        x, view = shifts.x_report(stored.shift.shift_id, uow, identity=identity)
        open_now.append(OpenShiftX(x, stored.opened_by_name, view.overdue))
    closed = shifts.z_reports(
        uow,
        till_id=None,
        first_day=business_day,
        last_day=business_day,
        limit=ALL_OF_THEM,
        offset=0,
    )
    return ShiftsOfDay(business_day, tuple(open_now), tuple(closed))


def z_of_shift(shift_id: str, uow: EdgeUnitOfWork, *, identity: NodeIdentity) -> ZReport:
    """The shift's Z report as stored when the till closed it. Raises ShiftNotFound,
    NoZReport (the shift is still open)."""
    report = shifts.report_to_print(shift_id, "z", uow, identity=identity)
    assert isinstance(report, ZReport)
    return report


def check_range(first_day: date, last_day: date) -> None:
    """Raises RangeTooLong unless first_day <= last_day and the range is at most
    MAX_RANGE_DAYS days, both inclusive."""
    if last_day < first_day:
        raise RangeTooLong(f"the range ends ({last_day}) before it starts ({first_day})")
    if last_day - first_day >= timedelta(days=MAX_RANGE_DAYS):
        raise RangeTooLong(f"a Z export covers at most {MAX_RANGE_DAYS} days")


def z_reports_between(first_day: date, last_day: date, uow: EdgeUnitOfWork) -> list[ZReport]:
    """The Z reports of business days `first_day`..`last_day` (inclusive), by till and Z
    number. Raises RangeTooLong."""
    check_range(first_day, last_day)
    return shifts.z_reports(
        uow,
        till_id=None,
        first_day=first_day,
        last_day=last_day,
        limit=ALL_OF_THEM,
        offset=0,
    )


def z_to_reprint(
    shift_id: str, uow: EdgeUnitOfWork, manager: Acting, *, identity: NodeIdentity
) -> tuple[ShiftReport, str]:
    """The shift's Z as the till printed it, for the dashboard's `manager` to reprint at the
    shift's till: (the document, the till id). Audited `reprint` (subject the shift, details
    the Z number and till) in this write transaction, before the printer is tried, as a
    receipt's copy is. Raises ShiftNotFound, NoZReport."""
    report = z_of_shift(shift_id, uow, identity=identity)
    document = shift_report_document(report, uow, identity=identity, staff_name=manager.staff.name)
    audit_action(
        uow,
        "reprint",
        manager,
        identity=identity,
        subject=shift_id,
        details={"document": "z", "z_number": str(report.z_number), "till_id": report.till_id},
    )
    return document, report.till_id
