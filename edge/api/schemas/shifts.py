"""Bodies of the shift routes: open (the float), close (the blind count), X and Z reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from edge.api.schemas.common import Body, TillId
from edge.domain.cash_count import CashCount
from edge.domain.shifts import ShiftTotals, XReport, ZReport
from edge.service.shifts import ShiftView
from shared.bounds import Amount, Count
from shared.money import DecimalText

# A denomination as text in the currency's units ("20", "0.50"); its count of notes or coins.
Denomination = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}(\.[0-9]{1,2})?$")]
Counts = Annotated[dict[Denomination, Count], Field(max_length=40)]


class OpenShiftIn(Body):
    till_id: TillId
    float_counts: Counts | None = Field(
        None, description='The opening float by denomination, {"20": 3, "0.50": 4}'
    )
    float_total: Amount | None = Field(None, description="Or the float as one total")
    shift_id: UUID | None = Field(None, description="Client-chosen: a retry opens nothing more")


class CloseShiftIn(Body):
    counted: Counts | None = Field(
        None, description='The blind count of the drawer by denomination, {"20": 3, "0.50": 4}'
    )
    counted_total: Amount | None = Field(
        None, description="Or the drawer's total alone (the Z then holds no denominations)"
    )


class NoSaleIn(Body):
    no_sale_id: UUID | None = Field(
        None, description="Client-chosen: the same id again is a retry, counted once"
    )


def _counts(count: CashCount) -> dict[str, int]:
    return {str(value): number for value, number in sorted(count.counts.items()) if number}


class TaxOut(BaseModel):
    rate: DecimalText
    net: DecimalText
    tax: DecimalText


class TotalsOut(BaseModel):
    """A shift's figures (money as decimal strings in the store's currency)."""

    currency: str
    sales_count: int
    sales: DecimalText
    returns_count: int
    returns: DecimalText
    net_sales: DecimalText
    voids_count: int
    voids: DecimalText
    discounts: DecimalText
    overrides_count: int
    no_sales_count: int
    tax: list[TaxOut]
    tenders: dict[str, DecimalText]
    float_cash: DecimalText
    change_given: DecimalText
    paid_in: DecimalText
    paid_out: DecimalText
    pickups: DecimalText
    expected_cash: DecimalText

    @classmethod
    def of(cls, totals: ShiftTotals) -> TotalsOut:
        return cls(
            currency=totals.currency,
            sales_count=totals.sales_count,
            sales=totals.sales.amount,
            returns_count=totals.returns_count,
            returns=totals.returns.amount,
            net_sales=totals.net_sales.amount,
            voids_count=totals.voids_count,
            voids=totals.voids.amount,
            discounts=totals.discounts.amount,
            overrides_count=totals.overrides_count,
            no_sales_count=totals.no_sales_count,
            tax=[TaxOut(rate=t.rate, net=t.net.amount, tax=t.tax.amount) for t in totals.tax],
            tenders={kind: amount.amount for kind, amount in totals.tenders},
            float_cash=totals.float_cash.amount,
            change_given=totals.change_given.amount,
            paid_in=totals.paid_in.amount,
            paid_out=totals.paid_out.amount,
            pickups=totals.pickups.amount,
            expected_cash=totals.expected_cash.amount,
        )


class ShiftOut(BaseModel):
    shift_id: str
    till_id: str
    opened_by: str
    opened_by_name: str | None
    opened_at: AwareDatetime
    business_day: str
    status: str = Field(description="open or closed")
    overdue: bool = Field(description="Still open past the end of its business day")
    opening_float: dict[str, int]
    closed_at: datetime | None
    z_number: int | None
    totals: TotalsOut

    @classmethod
    def of(cls, view: ShiftView) -> ShiftOut:
        stored, shift = view.stored, view.shift
        return cls(
            shift_id=shift.shift_id,
            till_id=shift.till_id,
            opened_by=shift.opened_by,
            opened_by_name=stored.opened_by_name,
            opened_at=shift.opened_at,
            business_day=stored.business_day.isoformat(),
            status="open" if shift.is_open else "closed",
            overdue=view.overdue,
            opening_float=_counts(shift.opening_float),
            closed_at=shift.closed_at,
            z_number=stored.z_number,
            totals=TotalsOut.of(shift.totals),
        )


class XReportOut(BaseModel):
    shift_id: str
    till_id: str
    opened_by: str
    period_start: AwareDatetime
    at: AwareDatetime
    first_receipt_number: str | None
    last_receipt_number: str | None
    overdue: bool
    totals: TotalsOut
    expected_cash: DecimalText

    @classmethod
    def of(cls, report: XReport, view: ShiftView) -> XReportOut:
        return cls(
            shift_id=report.shift_id,
            till_id=report.till_id,
            opened_by=report.opened_by,
            period_start=report.period_start,
            at=report.at,
            first_receipt_number=report.first_receipt_number,
            last_receipt_number=report.last_receipt_number,
            overdue=view.overdue,
            totals=TotalsOut.of(report.totals),
            expected_cash=report.expected_cash.amount,
        )


class ZReportOut(BaseModel):
    z_number: int
    shift_id: str
    till_id: str
    opened_by: str
    closed_by: str
    period_start: AwareDatetime
    period_end: AwareDatetime
    first_receipt_number: str | None
    last_receipt_number: str | None
    totals: TotalsOut
    counted: dict[str, int]
    counted_cash: DecimalText
    expected_cash: DecimalText
    variance: DecimalText = Field(description="counted - expected: negative is a shortage")
    previous_grand_total: DecimalText
    grand_total: DecimalText = Field(description="Net sales over all the till's Z reports")

    @classmethod
    def of(cls, report: ZReport) -> ZReportOut:
        return cls(
            z_number=report.z_number,
            shift_id=report.shift_id,
            till_id=report.till_id,
            opened_by=report.opened_by,
            closed_by=report.closed_by,
            period_start=report.period_start,
            period_end=report.period_end,
            first_receipt_number=report.first_receipt_number,
            last_receipt_number=report.last_receipt_number,
            totals=TotalsOut.of(report.totals),
            counted=_counts(report.counted),
            counted_cash=report.counted_cash.amount,
            expected_cash=report.expected_cash.amount,
            variance=report.variance.amount,
            previous_grand_total=report.previous_grand_total.amount,
            grand_total=report.grand_total.amount,
        )
