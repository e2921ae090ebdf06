"""What the till's screens read from the edge: the parts of the edge API's answers a cashier
sees (docs/api.md, "Edge node API"). Unknown fields are ignored, so a newer edge stays
readable; money stays `Decimal` (the edge sends decimal strings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Staff(Answer):
    staff_code: str
    name: str
    role: str


class Session(Answer):
    """A till session: `token` goes in `Authorization: Bearer` on every till request."""

    token: str
    session_id: UUID
    till_id: str
    staff: Staff


class ShiftTotals(Answer):
    sales_count: int = 0
    net_sales: Decimal = Decimal(0)
    expected_cash: Decimal = Decimal(0)


class Shift(Answer):
    shift_id: str
    till_id: str
    business_day: str
    status: str
    opened_at: datetime
    z_number: int | None = None


class CartLine(Answer):
    line_id: UUID
    position: int
    sku: str
    description: str | None
    quantity: Decimal
    unit: str = "each"
    unit_price: Decimal
    line_total: Decimal
    voided: bool = False
    manual_discount: Decimal = Decimal(0)


class Cart(Answer):
    cart_id: UUID
    till_id: str
    status: str
    customer_id: str | None
    lines: list[CartLine]
    total: Decimal


class Scanned(Answer):
    """A scan's answer: the line it rang up and the cart's total after it."""

    cart_id: UUID
    line: CartLine
    line_count: int
    total: Decimal


class CardDetails(Answer):
    status: str
    brand: str | None = None
    last4: str | None = None
    deadline: datetime | None = None


class Tender(Answer):
    tender_no: int
    kind: str
    amount: Decimal
    tendered: Decimal
    change: Decimal
    account: str | None = None
    card: CardDetails | None = None


class PrintStatus(Answer):
    """Whether a receipt reached the till's printer (`error`: no_printer,
    printer_unavailable, ...; `detail`: the printer's own words)."""

    printed: bool
    printer: str | None = None
    error: str | None = None
    detail: str | None = None


class Sale(Answer):
    sale_id: UUID
    receipt_number: str
    total: Decimal
    change: Decimal
    tax: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    tenders: list[Tender]
    receipt: PrintStatus | None = None


class Outbox(Answer):
    pending: int
    oldest_pending_created_at: datetime | None = None
    quarantined: int = 0


class Link(Answer):
    online: bool | None = None


class NodeStatus(Answer):
    """`GET /v1/status`: the node, its clock, its outbox and its link to the hub."""

    store_name: str | None = None
    currency: str | None = None
    clock: datetime
    outbox: Outbox
    sync: Link


class OfflineCards(Answer):
    """`GET /v1/tills/{till}/tenders`: the till's cards taken offline and its headroom."""

    card_terminal: bool
    headroom: Decimal
    outstanding: Decimal
    stored: int
    oldest_deadline: datetime | None = None
