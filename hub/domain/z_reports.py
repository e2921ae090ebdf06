"""Z reports at the hub: a till's Z as received, and its check against the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from shared.money import Money
from sync.messages import ShiftClosed


@dataclass(frozen=True, slots=True)
class LedgerFigures:
    """What a Z and the ledger are compared on, in minor units: the documents (sales and
    returns), net sales (the signed sum of their lines), VAT, and the expected cash (opening
    float + cash tenders net of refunds + float top-ups + paid-in - paid-out - pickups)."""

    documents: int
    net_sales_minor: int
    tax_minor: int
    expected_cash_minor: int


@dataclass(frozen=True, slots=True)
class ZEntry:
    """A Z report as the hub keeps it."""

    shift_id: UUID
    event_id: UUID
    store_id: str
    node_id: str
    till_id: str
    z_number: int
    business_day: date
    period_start: datetime
    period_end: datetime
    currency: str
    figures: LedgerFigures
    opening_float_minor: int
    counted_cash_minor: int
    variance_minor: int
    grand_total_minor: int
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class KeptZReport:
    """A Z report the hub keeps (`payload`, as the till made it) and the ledger's figures for
    it (None while `status` is pending)."""

    store_id: str
    node_id: str
    currency: str
    payload: dict[str, Any]
    status: str
    ledger: LedgerFigures | None


def z_entry_of(event: ShiftClosed) -> ZEntry:
    """The Z of a `shift.closed` event. Raises SharedError (an unknown currency, an amount it
    cannot hold)."""
    z = event.payload

    def minor(amount: Any) -> int:
        return Money.exact(amount, z.currency).minor

    return ZEntry(
        shift_id=z.shift_id,
        event_id=event.event_id,
        store_id=event.store_id,
        node_id=event.node_id,
        till_id=z.till_id,
        z_number=z.z_number,
        business_day=z.business_day,
        period_start=z.period_start,
        period_end=z.period_end,
        currency=z.currency,
        figures=LedgerFigures(
            documents=z.sales_count + z.returns_count,
            net_sales_minor=minor(z.net_sales),
            tax_minor=sum(minor(line.tax) for line in z.tax),
            expected_cash_minor=minor(z.expected_cash),
        ),
        opening_float_minor=minor(z.opening_float),
        counted_cash_minor=minor(z.counted_cash),
        variance_minor=minor(z.variance),
        grand_total_minor=minor(z.grand_total),
        payload=z.model_dump(mode="json"),
    )


def differences(z: LedgerFigures, ledger: LedgerFigures) -> list[str]:
    """What differs between a Z's figures and the ledger's, as text (empty: confirmed)."""
    names = {
        "documents": "documents",
        "net_sales_minor": "net sales (minor units)",
        "tax_minor": "tax (minor units)",
        "expected_cash_minor": "expected cash (minor units)",
    }
    return [
        f"{label}: Z {getattr(z, name)}, ledger {getattr(ledger, name)}"
        for name, label in names.items()
        if getattr(z, name) != getattr(ledger, name)
    ]
