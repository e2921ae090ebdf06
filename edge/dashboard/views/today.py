"""Today (or any business day): the day's figures as cards, tax per rate, each tender, sales by
hour as a chart, top items and by cashier (edge.service.dashboard_day); and the day's sales
and returns as CSV, one row per document."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from edge.dashboard.auth import ManagerDep
from edge.dashboard.charts import bar_chart
from edge.dashboard.web import (
    calendar_day,
    error_page,
    format_minor,
    identity_of,
    reads,
    render,
    runtime_of,
)
from edge.domain.audit import Acting
from edge.domain.node import NodeIdentity
from edge.service import dashboard_day
from shared.money import Money

router = APIRouter()


class BadDay(ValueError):
    """A `day` that is not a calendar date written YYYY-MM-DD."""


def parse_day(text: str | None, identity: NodeIdentity, request: Request) -> date:
    """`text` as a date (YYYY-MM-DD), or the store's business day now when it is None or
    empty. Raises BadDay."""
    if not text:
        return identity.business_day(runtime_of(request).clock.now())
    try:
        return calendar_day(text)
    except ValueError as error:
        raise BadDay(str(error)) from None


def bad_day(request: Request, error: BadDay, manager: Acting) -> HTMLResponse:
    return error_page(request, 422, "Not a day", str(error), manager=manager)


@router.get("/today", response_class=HTMLResponse)
async def today(request: Request, manager: ManagerDep, day: str | None = None) -> HTMLResponse:
    """The business day's figures (default: today in the store's zone). 422 page for a bad
    `day`."""
    identity = identity_of(request)
    try:
        business_day = parse_day(day, identity, request)
    except BadDay as error:
        return bad_day(request, error, manager)
    runtime = runtime_of(request)
    figures = await runtime.read(
        lambda uow: reads(request).read(
            ("figures", business_day),
            uow,
            lambda: dashboard_day.day_figures(business_day, uow, identity=identity),
        )
    )
    currency = identity.currency
    chart = bar_chart(
        [(f"{hour.hour:02d}", hour.net_sales_minor) for hour in figures.hours],
        title=f"Net sales by hour on {business_day.isoformat()} ({currency})",
        label=lambda minor: format_minor(minor, currency),
    )
    return render(
        request,
        "today.html",
        {
            "day": figures,
            "business_day": business_day,
            "previous_day": business_day - timedelta(days=1),
            "next_day": business_day + timedelta(days=1),
            "is_today": business_day == identity.business_day(runtime.clock.now()),
            "chart": chart,
        },
        manager=manager,
        active="today",
    )


def _text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@router.get("/today.csv")
async def today_csv(request: Request, manager: ManagerDep, day: str | None = None) -> Response:
    """The day's sales and returns, one row per document in the order made: receipt number,
    store-local time, till, cashier, type, total, tax, discounts, then each tender kind's
    amount net of change; amounts as decimal text, returns negative. An attachment."""
    identity = identity_of(request)
    try:
        business_day = parse_day(day, identity, request)
    except BadDay as error:
        return bad_day(request, error, manager)
    rows = await runtime_of(request).read(
        lambda uow: reads(request).read(
            ("documents", business_day),
            uow,
            lambda: dashboard_day.day_documents(business_day, uow, identity=identity),
        )
    )
    currency = identity.currency
    kinds = sorted({kind for row in rows for kind in row.tenders})

    def amount(minor: int) -> str:
        return str(Money.from_minor(minor, currency).amount)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["receipt_number", "time", "till", "cashier_code", "cashier", "type",
         "total", "tax", "discounts", *(f"tender_{kind}" for kind in kinds)]
    )  # fmt: skip
    for row in rows:
        writer.writerow(
            [_text(row.receipt_number), row.at.strftime("%Y-%m-%d %H:%M:%S"), _text(row.till_id),
             _text(row.cashier_code), _text(row.cashier_name), row.kind,
             amount(row.total_minor), amount(row.tax_minor), amount(row.discounts_minor),
             *(amount(row.tenders.get(kind, 0)) for kind in kinds)]
        )  # fmt: skip
    name = f"sales-{identity.store_id}-{business_day.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
