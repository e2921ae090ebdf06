"""Reports for HQ: sales (invoices, lines, net units, net revenue, returns) and the drawers'
cash movements, per store and business day."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from hub.adapters.unit_of_work import HubUnitOfWork
from shared.money import Money, minor_units
from shared.quantity import KG_PLACES

GroupBy = Literal["day", "store", "store_day"]


@dataclass(frozen=True, slots=True)
class SalesRow:
    """One group of the report. `revenue` is net of returns; `returns` is positive; `tax` is
    included in `revenue` and `discounts` already taken off it, both net of refunds; `tenders`
    splits `revenue` by tender kind (net of refunds; sums to `revenue`)."""

    store_id: str | None
    business_day: date | None
    invoices: int
    lines: int
    units: int
    revenue: Money
    returns: Money
    tax: Money
    discounts: Money
    weight_kg: Decimal = Decimal("0.000")  # weighed items, net of returns; `units` counts none
    tenders: Mapping[str, Money] = field(default_factory=dict)  # hub.domain.ledger.tender_split


async def sales_report(
    group_by: GroupBy,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
    store_id: str | None = None,
    currency: str = "GBP",
    uow: HubUnitOfWork,
) -> list[SalesRow]:
    """Totals of the ledger's documents in `currency`, grouped by day, store, or both; days
    are inclusive. Exact: sums of integer minor units; no conversion between currencies.
    Raises UnknownCurrency.
    """
    minor_units(currency)
    async with uow.read() as tx:
        groups = await tx.ledger.sales_report(group_by, first_day, last_day, store_id, currency)
    return [
        SalesRow(
            store_id=group.store_id,
            business_day=group.business_day,
            invoices=group.invoices,
            lines=group.lines,
            units=group.units,
            revenue=Money.from_minor(group.revenue_minor, currency),
            returns=Money.from_minor(group.returns_minor, currency),
            tax=Money.from_minor(group.tax_minor, currency),
            discounts=Money.from_minor(group.discount_minor, currency),
            weight_kg=Decimal(group.weight_g).scaleb(-KG_PLACES),
            tenders={
                kind: Money.from_minor(amount, currency)
                for kind, amount in group.tender_minor.items()
            },
        )
        for group in groups
    ]


@dataclass(frozen=True, slots=True)
class CashRow:
    """A store's drawer movements on one business day; amounts positive, `net` signed (what
    the drawers gained: floats and paid-ins less paid-outs and pickups)."""

    store_id: str
    business_day: date
    movements: int
    floats: Money
    paid_in: Money
    paid_out: Money
    pickups: Money

    @property
    def net(self) -> Money:
        return self.floats + self.paid_in - self.paid_out - self.pickups


async def cash_report(
    *,
    first_day: date | None = None,
    last_day: date | None = None,
    store_id: str | None = None,
    currency: str = "GBP",
    uow: HubUnitOfWork,
) -> list[CashRow]:
    """Cash movements in `currency` per store and business day (inclusive). Raises
    UnknownCurrency."""
    minor_units(currency)
    async with uow.read() as tx:
        days = await tx.cash.report(first_day, last_day, store_id, currency)
    return [
        CashRow(
            store_id=day.store_id,
            business_day=day.business_day,
            movements=day.movements,
            floats=Money.from_minor(day.float_minor, currency),
            paid_in=Money.from_minor(day.paid_in_minor, currency),
            paid_out=Money.from_minor(day.paid_out_minor, currency),
            pickups=Money.from_minor(day.pickup_minor, currency),
        )
        for day in days
    ]
