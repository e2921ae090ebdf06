"""Reports for HQ: sales (invoices, lines, net units, net revenue, returns) and the drawers'
cash movements, per store and business day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from hub.adapters.database import HubDatabase
from hub.adapters.repository import CashRepository, LedgerRepository
from shared.money import Money, minor_units

GroupBy = Literal["day", "store", "store_day"]


@dataclass(frozen=True, slots=True)
class SalesRow:
    """One group of the report. `revenue` is net of returns; `returns` is positive; `tax` is
    included in `revenue` and `discounts` already taken off it, both net of refunds."""

    store_id: str | None
    business_day: date | None
    invoices: int
    lines: int
    units: int
    revenue: Money
    returns: Money
    tax: Money
    discounts: Money


async def sales_report(
    group_by: GroupBy,
    db: HubDatabase,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
    store_id: str | None = None,
    currency: str = "GBP",
) -> list[SalesRow]:
    """Totals of the ledger's documents in `currency`, grouped by day, store, or both; days
    are inclusive. Exact: sums of integer minor units; no conversion between currencies.
    Raises UnknownCurrency.
    """
    minor_units(currency)
    async with db.read() as connection:
        rows = await LedgerRepository(connection).sales_report(
            group_by, first_day, last_day, store_id, currency
        )
    return [
        SalesRow(
            store_id=row.get("store_id"),
            business_day=row.get("business_day"),
            invoices=int(row["invoices"]),
            lines=int(row["lines"]),
            units=int(row["units"]),
            revenue=Money.from_minor(int(row["revenue_minor"]), currency),
            returns=Money.from_minor(int(row["returns_minor"]), currency),
            tax=Money.from_minor(int(row["tax_minor"]), currency),
            discounts=Money.from_minor(int(row["discount_minor"]), currency),
        )
        for row in rows
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
    db: HubDatabase,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
    store_id: str | None = None,
    currency: str = "GBP",
) -> list[CashRow]:
    """Cash movements in `currency` per store and business day (inclusive). Raises
    UnknownCurrency."""
    minor_units(currency)
    async with db.read() as connection:
        rows = await CashRepository(connection).report(first_day, last_day, store_id, currency)
    return [
        CashRow(
            store_id=row.store_id,
            business_day=row.business_day,
            movements=int(row.movements),
            floats=Money.from_minor(int(row.float), currency),
            paid_in=Money.from_minor(int(row.paid_in), currency),
            paid_out=Money.from_minor(int(row.paid_out), currency),
            pickups=Money.from_minor(int(row.pickup), currency),
        )
        for row in rows
    ]
