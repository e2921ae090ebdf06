"""Reports for HQ."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hub.api.deps import HqCaller, RuntimeDep
from hub.api.schemas import CashReportOut, CashRowOut, SalesReportOut, SalesRowOut
from hub.service.reports import GroupBy, cash_report, sales_report
from shared.bounds import CurrencyCode, Day, Identifier

router = APIRouter(prefix="/v1/reports", tags=["Reports"])


@router.get("/sales", response_model=SalesReportOut)
async def sales(
    runtime: RuntimeDep,
    _: HqCaller,
    group_by: GroupBy = "store_day",
    first_day: Annotated[Day | None, Query(alias="from")] = None,
    last_day: Annotated[Day | None, Query(alias="to")] = None,
    store_id: Annotated[Identifier | None, Query()] = None,
    currency: Annotated[CurrencyCode, Query()] = "GBP",
) -> SalesReportOut:
    """Invoices, lines, net units, net revenue and returns by business day, store, or both.

    `from` and `to` are inclusive business days. Money as decimal strings.
    """
    rows = await sales_report(
        group_by,
        first_day=first_day,
        last_day=last_day,
        store_id=store_id,
        currency=currency,
        uow=runtime.uow,
    )
    return SalesReportOut(
        group_by=group_by,
        first_day=first_day,
        last_day=last_day,
        currency=currency,
        generated_at=runtime.clock.now(),
        rows=[
            SalesRowOut(
                store_id=row.store_id,
                business_day=row.business_day,
                invoices=row.invoices,
                lines=row.lines,
                units=row.units,
                revenue=row.revenue.amount,
                returns=row.returns.amount,
                tax=row.tax.amount,
                discounts=row.discounts.amount,
                weight_kg=format(row.weight_kg, "f"),
                tenders={kind: amount.amount for kind, amount in row.tenders.items()},
            )
            for row in rows
        ],
    )


@router.get("/cash", response_model=CashReportOut)
async def cash(
    runtime: RuntimeDep,
    _: HqCaller,
    first_day: Annotated[Day | None, Query(alias="from")] = None,
    last_day: Annotated[Day | None, Query(alias="to")] = None,
    store_id: Annotated[Identifier | None, Query()] = None,
    currency: Annotated[CurrencyCode, Query()] = "GBP",
) -> CashReportOut:
    """The drawers' floats, paid-ins, paid-outs and pickups per store and business day."""
    rows = await cash_report(
        first_day=first_day,
        last_day=last_day,
        store_id=store_id,
        currency=currency,
        uow=runtime.uow,
    )
    return CashReportOut(
        first_day=first_day,
        last_day=last_day,
        currency=currency,
        generated_at=runtime.clock.now(),
        rows=[
            CashRowOut(
                store_id=row.store_id,
                business_day=row.business_day,
                movements=row.movements,
                floats=row.floats.amount,
                paid_in=row.paid_in.amount,
                paid_out=row.paid_out.amount,
                pickups=row.pickups.amount,
                net=row.net.amount,
            )
            for row in rows
        ],
    )
