"""The shift's calls from the till: the X report, the close with the blind count into the Z,
printing either report, a no-sale, and cash paid in or out (docs/api.md "Shifts, X and Z",
"Cash movements"). Functions take the `TillClient`; they raise what `TillClient.call` raises
(`EdgeRefused`, `EdgeUnreachable`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pos_ui.client import TillClient
from pos_ui.models import Answer


class TaxLine(Answer):
    rate: Decimal
    net: Decimal
    tax: Decimal


class Totals(Answer):
    """A shift's figures (money in the store's currency)."""

    currency: str
    sales_count: int
    sales: Decimal
    returns_count: int
    returns: Decimal
    net_sales: Decimal
    voids_count: int
    voids: Decimal
    discounts: Decimal
    overrides_count: int
    no_sales_count: int
    tax: list[TaxLine]
    tenders: dict[str, Decimal]
    float_cash: Decimal
    change_given: Decimal
    paid_in: Decimal
    paid_out: Decimal
    pickups: Decimal
    expected_cash: Decimal


class XReport(Answer):
    """`GET /v1/shifts/{id}/x-report`: the shift's figures now."""

    shift_id: str
    till_id: str
    opened_by: str
    period_start: datetime
    at: datetime
    first_receipt_number: str | None
    last_receipt_number: str | None
    overdue: bool
    totals: Totals
    expected_cash: Decimal


class ZReport(Answer):
    """`POST /v1/shifts/{id}/close`: the Z, with what was counted and the variance
    (counted - expected: negative is a shortage)."""

    z_number: int
    shift_id: str
    till_id: str
    opened_by: str
    closed_by: str
    period_start: datetime
    period_end: datetime
    totals: Totals
    counted: dict[str, int]
    counted_cash: Decimal
    expected_cash: Decimal
    variance: Decimal
    grand_total: Decimal


class ReportPrint(Answer):
    """`POST /v1/shifts/{id}/print`: the report as text, and whether the printer took it."""

    shift_id: str
    report: Literal["x", "z"]
    text: str
    printed: bool
    printer: str | None = None
    error: str | None = None
    detail: str | None = None


class CashMovement(Answer):
    """`POST /v1/cash-movements`: one paid-in or paid-out as recorded."""

    movement_id: UUID
    till_id: str
    kind: str
    amount: Decimal
    drawer_effect: Decimal
    reason: str


async def current_shift_id(client: TillClient) -> str | None:
    """The id of the till's open shift, or None."""
    shift = await client.current_shift()
    return None if shift is None else shift.shift_id


async def x_report(client: TillClient, shift_id: str) -> XReport:
    """The X report of `shift_id` (read-only, any time)."""
    return await client.call(XReport, "GET", f"/v1/shifts/{shift_id}/x-report")


@dataclass(frozen=True, slots=True)
class Count:
    """A blind count: `counts` by denomination ({"20": 3, "0.50": 4}), or `total` alone."""

    counts: Mapping[str, int] | None
    total: Decimal | None


async def close_shift(
    client: TillClient,
    shift_id: str,
    count: Count,
    headers: Mapping[str, str] | None = None,
) -> ZReport:
    """Close `shift_id` with the blind `count` (by denomination, or the total alone); the
    same count sent again answers the same Z. 409 `carts_open`, `shift_closed`; 403
    `not_permitted` (another cashier's shift: resend with a manager's override `headers`)."""
    if count.counts is not None:
        body: dict[str, object] = {"counted": dict(count.counts)}
    else:
        body = {"counted_total": str(count.total if count.total is not None else Decimal(0))}
    return await client.call(
        ZReport,
        "POST",
        f"/v1/shifts/{shift_id}/close",
        json=body,
        headers=dict(headers or {}),
    )


async def print_report(client: TillClient, shift_id: str, report: Literal["x", "z"]) -> ReportPrint:
    """Print the X (now) or the Z (a closed shift's) at this till's printer; the answer
    carries the text either way (a till without a printer: `printed` False, `no_printer`)."""
    return await client.call(
        ReportPrint, "POST", f"/v1/shifts/{shift_id}/print", params={"report": report}
    )


async def no_sale(
    client: TillClient, no_sale_id: UUID, headers: Mapping[str, str] | None = None
) -> None:
    """Open the drawer with no sale (a supervisor's, or a manager's override `headers`; else
    403 `not_permitted`). Counted in the shift's X and Z once per `no_sale_id` (a retry
    with the same id counts nothing more), audited."""
    await client.request(
        "POST",
        f"/v1/tills/{client.till_id}/no-sale",
        json={"no_sale_id": str(no_sale_id)},
        headers=dict(headers or {}),
    )


async def cash_movement(
    client: TillClient,
    kind: Literal["paid_in", "paid_out"],
    amount: Decimal,
    reason: str,
    movement_id: UUID,
    headers: Mapping[str, str] | None = None,
) -> CashMovement:
    """Record cash paid in or out of the drawer; `movement_id` makes a retry the same
    movement. 403 `not_permitted` for a cashier's paid-out (resend with override `headers`);
    422 `invalid_cash_movement` (no reason, zero, too many places); 409 `no_open_shift`."""
    body = {
        "till_id": client.till_id,
        "kind": kind,
        "amount": f"{amount:.2f}",
        "reason": reason,
        "movement_id": str(movement_id),
    }
    return await client.call(
        CashMovement, "POST", "/v1/cash-movements", json=body, headers=dict(headers or {})
    )
