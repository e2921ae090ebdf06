"""Completed documents of the till: sales, returns and their tenders, and the events they raise.

A document is immutable once made: corrections are new documents (a return), never edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from edge.domain.audit import Audited
from edge.domain.shifts import ZReport
from shared.money import Money
from shared.quantity import LineQuantity, Unit
from sync.records import FieldValue

PriceSource = Literal["catalogue", "override"]
# `on_account`: charged to a trade customer's account, invoiced by HQ; only a B2B order's
# handover takes it. `card`: a bank card through the payment terminal (edge.payments);
# `gift_card` and `store_credit`: balances kept as ledgers at the hub. Only cash is handed
# over with change: for every other kind `tendered` equals `amount`.
TenderKind = Literal["cash", "on_account", "card", "gift_card", "store_credit"]
ELECTRONIC_KINDS: frozenset[str] = frozenset({"card", "gift_card", "store_credit"})
CardStatus = Literal["captured", "refunded", "stored"]


@dataclass(frozen=True, slots=True)
class CardDetails:
    """A card tender as its document recorded it: `captured` (a sale) or `refunded` (a
    return) online, or `stored` offline until forwarded before `deadline` (then
    `card.settled` tells the hub the outcome). Never the card number: `last4` and `brand`."""

    status: CardStatus
    transaction_id: str | None = None
    brand: str | None = None
    last4: str | None = None
    deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class Tender:
    """One tender of a document. `amount` is applied to the total; `change` went back (cash
    only).

    `tender_id` keys what a card, gift-card or store-credit tender moves (the acquirer's
    idempotency key, the hub's ledger movement); `account` is the gift card's number or the
    store-credit customer's id; `card` is set for card tenders; a refund names the sale's
    tender it pays back (`original_tender_no`)."""

    tender_no: int
    kind: TenderKind
    amount: Money
    tendered: Money
    change: Money
    tender_id: UUID | None = None
    account: str | None = None
    card: CardDetails | None = None
    original_tender_no: int | None = None


@dataclass(frozen=True, slots=True)
class LineTerms:
    """The promotion and the tax a line was priced with (edge.domain.pricing), in minor units
    with the line's sign. `discount_minor` is already off the line's total; `tax_minor` is
    included in it (shelf prices include tax)."""

    discount_minor: int = 0
    promotion_id: str | None = None
    promotion_version: int | None = None
    tax_minor: int = 0
    tax_code: str | None = None
    tax_rate: Decimal | None = None
    tax_version: int | None = None


NO_TERMS = LineTerms()


@dataclass(frozen=True, slots=True)
class SaleLine:
    """`line_total` is quantity x unit_price less the discount of `terms`.

    `manual_discount_minor` is the part of `terms.discount_minor` a cashier gave by hand (a
    line discount, or the line's share of a cart discount), with `discount_reason`; the rest
    is the promotion's. `price_reason` (and `price_note`) say why a price was overridden
    (edge.domain.cart_changes.PRICE_REASONS)."""

    line_no: int
    sku: str
    description: str | None
    quantity: LineQuantity  # an int for `each`, a Decimal of kg (3 places) for `kg`
    unit_price: Decimal
    line_total: Money
    price_version: int | None
    price_source: PriceSource
    terms: LineTerms = NO_TERMS
    unit: Unit = "each"
    manual_discount_minor: int = 0
    discount_reason: str | None = None
    price_reason: str | None = None
    price_note: str | None = None
    gift_card_number: str | None = None  # a gift-card item: the card this line loads


@dataclass(frozen=True, slots=True)
class Sale:
    """A completed sale (a receipt). `total` is the sum of the line totals."""

    sale_id: UUID
    receipt_number: str
    cart_id: UUID | None
    till_id: str
    business_time: datetime
    business_day: date
    currency: str
    customer_id: str | None
    external_reference: str | None
    lines: tuple[SaleLine, ...]
    tenders: tuple[Tender, ...]
    total: Money
    b2b_order_id: UUID | None = None  # the B2B order HQ placed that this sale hands over

    def units(self) -> int:
        """Whole units sold (`each` lines); weighed lines are not units."""
        return sum(int(line.quantity) for line in self.lines if line.unit == "each")


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """Units taken back; `quantity` and `line_total` are positive (money paid out)."""

    line_no: int
    sku: str
    description: str | None
    quantity: LineQuantity  # an int for `each`, a Decimal of kg (3 places) for `kg`
    unit_price: Decimal
    line_total: Money
    original_line_no: int | None
    price_version: int | None
    terms: LineTerms = NO_TERMS
    unit: Unit = "each"


@dataclass(frozen=True, slots=True)
class Return:
    """A completed return. `total` is the refund, positive."""

    return_id: UUID
    receipt_number: str
    till_id: str
    original_sale_id: UUID | None
    business_time: datetime
    business_day: date
    currency: str
    customer_id: str | None
    external_reference: str | None
    reason: str
    lines: tuple[ReturnLine, ...]
    refunds: tuple[Tender, ...]
    total: Money
    refund_request_id: UUID | None = None  # the refund HQ approved that this return makes


@dataclass(frozen=True, slots=True)
class SaleCompleted:
    """Event: a sale was completed and paid."""

    sale: Sale


@dataclass(frozen=True, slots=True)
class ReturnRecorded:
    """Event: goods were taken back and refunded."""

    sales_return: Return


@dataclass(frozen=True, slots=True)
class RecordEdited:
    """Event: fields of a record both sides may edit were changed here (sync.records)."""

    entity: str
    key: str
    fields: dict[str, FieldValue]
    edited_at: datetime


CashMovementKind = Literal["float", "paid_in", "paid_out", "pickup"]

# Which way each kind moves the drawer's cash.
DRAWER_SIGN: dict[str, int] = {"float": 1, "paid_in": 1, "paid_out": -1, "pickup": -1}


@dataclass(frozen=True, slots=True)
class CashMovement:
    """Cash into or out of a till's drawer other than by a sale or refund; `amount` positive."""

    movement_id: UUID
    till_id: str
    kind: CashMovementKind
    amount: Money
    reason: str
    business_time: datetime
    business_day: date

    @property
    def drawer_effect(self) -> Money:
        return self.amount if DRAWER_SIGN[self.kind] > 0 else -self.amount


@dataclass(frozen=True, slots=True)
class CashMoved:
    """Event: cash was put into or taken out of a drawer."""

    movement: CashMovement


@dataclass(frozen=True, slots=True)
class RefundLine:
    """One line of a refund asked for, priced as the till will refund it."""

    sku: str
    description: str | None
    quantity: int
    unit_price: Decimal
    line_total: Money
    original_line_no: int | None


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """A refund above the store's limit, waiting for HQ (edge.service.refunds). `amount` is
    positive; nothing has left the drawer."""

    request_id: UUID
    till_id: str
    requested_by: str
    reason: str
    amount: Money
    original_sale_id: UUID | None
    original_receipt_number: str | None
    customer_id: str | None
    lines: tuple[RefundLine, ...]
    business_time: datetime


@dataclass(frozen=True, slots=True)
class StoredRefundRequest:
    """A refund request as this node knows it: pending, approved, rejected, expired,
    executed or lapsed (sync.messages.RefundDecisionV1); `version` 0 until the hub answers."""

    request: RefundRequest
    status: str
    version: int
    decided_by: str | None
    decided_at: datetime | None
    notes: str | None
    executed_return_id: UUID | None


@dataclass(frozen=True, slots=True)
class RefundRequested:
    """Event: a till asked HQ to approve a refund."""

    request: RefundRequest


@dataclass(frozen=True, slots=True)
class B2BLine:
    """One line of a B2B order, priced as the till sells it: `line_total` is quantity x
    unit_price less the discount of `terms` (as `SaleLine`). `quantity` is positive."""

    line_no: int
    sku: str
    description: str | None
    quantity: int
    unit_price: Decimal
    line_total: Money
    price_version: int | None
    terms: LineTerms = NO_TERMS


@dataclass(frozen=True, slots=True)
class TenderPlan:
    """One part of a B2B order's payment as composed (and approved): `cash` taken at the
    handover, or `on_account`. `amount` is positive."""

    kind: TenderKind
    amount: Money


@dataclass(frozen=True, slots=True)
class B2BOrder:
    """A trade customer's cart submitted for HQ's approval (edge.service.b2b). `total` is the
    sum of the line totals, positive; nothing leaves the store until HQ places the order."""

    order_id: UUID
    till_id: str
    customer_id: str
    submitted_by: str
    reference: str | None
    total: Money
    lines: tuple[B2BLine, ...]
    business_time: datetime


@dataclass(frozen=True, slots=True)
class StoredB2BOrder:
    """A B2B order as this node knows it. `status` is one of sync.messages.B2BStatus, as last
    heard from the hub, or as moved here (`payment_composed`, `fulfilled`); `version` is the
    hub's, 0 until it answers. `tenders` is the payment composed (empty before, or once HQ
    rejected it); `fulfilled_sale_id` is the sale of this node that handed the order over,
    None when no till of this node has (an order handed over at another node is `fulfilled`
    without one)."""

    order: B2BOrder
    status: str
    version: int
    tenders: tuple[TenderPlan, ...]
    composed_by: str | None
    cart_decided_by: str | None
    payment_decided_by: str | None
    payment_rejections: int
    notes: str | None
    order_number: str | None
    fulfilled_sale_id: UUID | None


@dataclass(frozen=True, slots=True)
class B2BCartSubmitted:
    """Event: a till submitted a trade customer's cart for HQ's approval."""

    order: B2BOrder


@dataclass(frozen=True, slots=True)
class B2BPaymentComposed:
    """Event: a till composed how an approved B2B cart will be paid; HQ approves it next.
    `total` is the tenders' sum, the order's total."""

    order_id: UUID
    composed_by: str
    tenders: tuple[TenderPlan, ...]
    total: Money
    business_time: datetime


@dataclass(frozen=True, slots=True)
class ZReportMade:
    """Event: a till's shift closed with its Z report. `business_day` is the day the shift
    opened in; `opening_float` the float it opened with (the Z's float includes top-ups)."""

    report: ZReport
    business_day: date
    opening_float: Money


@dataclass(frozen=True, slots=True)
class CardSettled:
    """Event: a card tender taken or refunded offline was forwarded (`outcome` captured,
    refunded, declined) or expired before it could be (edge.domain.card_payments)."""

    tender_id: UUID
    document_id: UUID
    document_kind: Literal["sale", "return"]
    tender_no: int
    till_id: str
    outcome: Literal["captured", "refunded", "declined", "expired"]
    amount: Money
    transaction_id: str | None
    decline_code: str | None
    taken_at: datetime
    deadline: datetime
    settled_at: datetime


DomainEvent = (
    Audited
    | CardSettled
    | ZReportMade
    | SaleCompleted
    | ReturnRecorded
    | RecordEdited
    | CashMoved
    | RefundRequested
    | B2BCartSubmitted
    | B2BPaymentComposed
)
