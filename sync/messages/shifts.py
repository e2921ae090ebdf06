"""Shifts: the Z report that closed a till's shift (`shift.closed`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from shared.bounds import Count, Int32, LedgerDecimal, Percent, Reference, StaffCode
from sync.messages.base import CurrencyCode, Payload, ShortText, TillId

# A note or coin as text in the currency's units ("20", "0.50").
Denomination = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}(\.[0-9]{1,2})?$")]


class TaxAtRateV1(Payload):
    """VAT at one rate over a shift: `rate` in percent (20 for 20 %), net + tax = gross,
    signed (returns take it down)."""

    rate: Percent
    net: LedgerDecimal
    tax: LedgerDecimal


class TenderTotalV1(Payload):
    """One tender's signed sum over a shift (a cash refund is a negative cash tender)."""

    kind: ShortText
    amount: LedgerDecimal


class ZReportV1(Payload):
    """The Z report that closed a till's shift (edge.domain.shifts.ZReport), as the till made
    it, offline or not. Money as decimal strings, gross (VAT included): `returns` and `voids`
    negative, `net_sales` = sales + returns. `expected_cash` = opening float + float top-ups
    + cash tenders - change + paid-in - paid-out - pickups; `variance` = counted - expected;
    `grand_total` = the till's previous grand total + `net_sales` (never reset). Z numbers are
    consecutive per till from 1; the hub keeps each Z once (by `shift_id`)."""

    shift_id: UUID
    till_id: TillId
    z_number: Int32
    opened_by: StaffCode
    closed_by: StaffCode
    period_start: AwareDatetime
    period_end: AwareDatetime
    business_day: date = Field(description="The business day the shift opened in")
    currency: CurrencyCode
    first_receipt_number: Reference | None = None
    last_receipt_number: Reference | None = None
    sales_count: Count
    sales: LedgerDecimal
    returns_count: Count
    returns: LedgerDecimal
    net_sales: LedgerDecimal
    voids_count: Count
    voids: LedgerDecimal
    discounts: LedgerDecimal
    overrides_count: Count
    no_sales_count: Count
    tax: list[TaxAtRateV1] = Field(default_factory=list, max_length=100)
    tenders: list[TenderTotalV1] = Field(default_factory=list, max_length=100)
    opening_float: LedgerDecimal
    float_cash: LedgerDecimal = Field(description="Opening float plus float top-ups")
    change_given: LedgerDecimal
    paid_in: LedgerDecimal
    paid_out: LedgerDecimal
    pickups: LedgerDecimal
    counted: dict[Denomination, Count] = Field(
        default_factory=dict, max_length=50, description="The blind count: denomination -> count"
    )
    counted_cash: LedgerDecimal
    expected_cash: LedgerDecimal
    variance: LedgerDecimal
    previous_grand_total: LedgerDecimal
    grand_total: LedgerDecimal
