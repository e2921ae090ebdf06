"""Shifts: every till's open shift with its live X, a business day's Z reports with their cash
variance, a printable Z (the Z the till printed, from its stored report), reprinting a Z at
its till, and Z reports of a date range as CSV (edge.service.dashboard_shifts)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from edge.api.routes.receipts import send_to_printer
from edge.dashboard.auth import CsrfDep, ManagerDep
from edge.dashboard.views.today import BadDay, bad_day, parse_day
from edge.dashboard.web import error_page, identity_of, render, runtime_of
from edge.domain.audit import Acting
from edge.domain.shifts import ZReport
from edge.errors import EdgeError
from edge.service import dashboard_shifts
from edge.service.shifts import NoZReport, ShiftNotFound
from shared.money import Money

router = APIRouter()


@router.get("/shifts", response_class=HTMLResponse)
async def shifts_page(
    request: Request, manager: ManagerDep, day: str | None = None
) -> HTMLResponse:
    """Open shifts now with their X; the Z reports of `day` (default: today) with variance."""
    identity = identity_of(request)
    try:
        business_day = parse_day(day, identity, request)
    except BadDay as error:
        return bad_day(request, error, manager)
    seen = await runtime_of(request).read(
        lambda uow: dashboard_shifts.shifts_of_day(business_day, uow, identity=identity)
    )
    return render(
        request,
        "shifts.html",
        {
            "shifts": seen,
            "business_day": business_day,
            "previous_day": business_day - timedelta(days=1),
            "next_day": business_day + timedelta(days=1),
            "first_of_range": business_day - timedelta(days=30),
        },
        manager=manager,
        active="shifts",
    )


def _not_found(request: Request, error: EdgeError, manager: Acting) -> HTMLResponse:
    if isinstance(error, NoZReport):
        return error_page(
            request, 409, "No Z report yet",
            "This shift is still open: it has no Z report until the till closes it. Its live "
            "figures (the X) are on the Shifts page.", manager=manager,
        )  # fmt: skip
    return error_page(
        request, 404, "No such shift",
        "This store has no shift with that id. Pick a Z report from the Shifts page.",
        manager=manager,
    )  # fmt: skip


async def _z_page(
    request: Request,
    manager: Acting,
    shift_id: str,
    *,
    outcome: dict[str, object] | None = None,
) -> HTMLResponse:
    identity = identity_of(request)
    try:
        report = await runtime_of(request).read(
            lambda uow: dashboard_shifts.z_of_shift(shift_id, uow, identity=identity)
        )
    except (ShiftNotFound, NoZReport) as error:
        return _not_found(request, error, manager)
    return render(
        request,
        "z_report.html",
        {
            "z": report,
            "outcome": outcome,
            "printer": runtime_of(request).settings.printer_for(report.till_id),
        },
        manager=manager,
        active="shifts",
    )


@router.get("/shifts/{shift_id}/z", response_class=HTMLResponse)
async def z_page(request: Request, manager: ManagerDep, shift_id: str) -> HTMLResponse:
    """The shift's Z as the till printed it, for the browser's print (404: no such shift;
    409: still open)."""
    return await _z_page(request, manager, shift_id)


@router.post("/shifts/{shift_id}/z/print", response_class=HTMLResponse)
async def reprint_z(
    request: Request, manager: ManagerDep, _: CsrfDep, shift_id: str
) -> HTMLResponse:
    """Print the Z again at its till's printer (audited `reprint`); the page says whether it
    printed or what the printer answered."""
    runtime = runtime_of(request)
    identity = identity_of(request)
    try:
        document, till_id = await runtime.write(
            lambda uow: dashboard_shifts.z_to_reprint(shift_id, uow, manager, identity=identity)
        )
    except (ShiftNotFound, NoZReport) as error:
        return _not_found(request, error, manager)
    status, _error = await send_to_printer(runtime, document, till_id)
    return await _z_page(request, manager, shift_id, outcome=status.model_dump())


def _money(report: ZReport, attribute: str) -> str:
    return str(getattr(report, attribute).amount)


@router.get("/shifts/z.csv")
async def z_csv(
    request: Request,
    manager: ManagerDep,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    """Z reports of business days `from`..`to` (inclusive, at most 93 days; default today),
    one row per Z as the till kept it (tenders as tendered, with the change given): amounts as
    decimal text. A bad date or range: a 422 page."""
    identity = identity_of(request)
    try:
        first_day = parse_day(first, identity, request)
        last_day = parse_day(last, identity, request)
        dashboard_shifts.check_range(first_day, last_day)
    except BadDay as error:
        return bad_day(request, error, manager)
    except dashboard_shifts.RangeTooLong as error:
        return error_page(request, 422, "Range refused", str(error), manager=manager)
    reports = await runtime_of(request).read(
        lambda uow: dashboard_shifts.z_reports_between(first_day, last_day, uow)
    )
    tenders = sorted({kind for z in reports for kind, _ in z.totals.tenders})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["till", "z_number", "shift_id", "opened_by", "closed_by", "opened_at", "closed_at",
         "first_receipt", "last_receipt", "sales_count", "sales", "returns_count", "returns",
         "net_sales", "discounts", "voids_count", "voids", "no_sales", "tax",
         *(f"tender_{kind}" for kind in tenders), "change_given", "float", "paid_in",
         "paid_out", "pickups", "expected_cash", "counted_cash", "variance", "grand_total"]
    )  # fmt: skip
    zone = identity.zone
    for z in reports:
        t = z.totals
        tendered = dict(t.tenders)
        writer.writerow(
            [z.till_id, z.z_number, z.shift_id, z.opened_by, z.closed_by,
             z.period_start.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
             z.period_end.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
             z.first_receipt_number or "", z.last_receipt_number or "",
             t.sales_count, t.sales.amount, t.returns_count, t.returns.amount,
             t.net_sales.amount, t.discounts.amount, t.voids_count, t.voids.amount,
             t.no_sales_count, Money.sum((rate.tax for rate in t.tax), t.currency).amount,
             *(tendered.get(kind, Money.zero(t.currency)).amount for kind in tenders),
             t.change_given.amount, t.float_cash.amount, t.paid_in.amount, t.paid_out.amount,
             t.pickups.amount, _money(z, "expected_cash"), _money(z, "counted_cash"),
             _money(z, "variance"), _money(z, "grand_total")]
        )  # fmt: skip
    name = f"z-reports-{identity.store_id}-{first_day.isoformat()}-{last_day.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
