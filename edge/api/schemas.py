"""Request and response bodies of the edge's till API. Money is decimal strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from edge.domain.cart import Cart, CartLine, PricedItem
from edge.domain.documents import (
    B2BLine,
    CashMovement,
    Return,
    ReturnLine,
    Sale,
    SaleLine,
    StoredB2BOrder,
    StoredRefundRequest,
    Tender,
    TenderPlan,
)
from edge.domain.reports import DaySummary
from edge.wire import terms_payload
from shared.money import DecimalText, Money
from sync.messages import LineTermsV1

TillId = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
]
SkuText = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=64)]


# Sanity caps, not business limits: far beyond any till, and with MAX_LINE_QUANTITY every
# amount stays well inside the 64-bit minor units SQLite and PostgreSQL store.
MAX_UNIT_PRICE = Decimal(10_000_000)
MAX_AMOUNT = Decimal(1_000_000_000)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineIn(Body):
    sku: SkuText
    quantity: int = Field(description="Units; negative gives a unit back inside the sale")
    line_id: UUID | None = Field(
        None, description="Client-chosen id: a retried scan is not doubled"
    )
    unit_price: DecimalText | None = Field(
        None, le=MAX_UNIT_PRICE, description="Price override (replaces the catalogue price)"
    )


class CartIn(Body):
    till_id: TillId
    cart_id: UUID | None = Field(
        None, description="Client-chosen id: a retried request returns the same cart"
    )
    customer_id: Reference | None = None
    lines: list[LineIn] = Field(default_factory=list, max_length=2000)


class LinesIn(Body):
    lines: list[LineIn] = Field(min_length=1, max_length=2000)


class TenderIn(Body):
    kind: Literal["cash"] = "cash"
    amount: DecimalText = Field(
        le=MAX_AMOUNT, description="Amount handed over, in the store's currency"
    )


class CheckoutIn(Body):
    tenders: list[TenderIn] = Field(default_factory=list, max_length=20)
    external_reference: Reference | None = Field(None, description="An order number from elsewhere")


class ReturnLineIn(Body):
    sku: SkuText
    quantity: int = Field(gt=0, description="Units taken back")
    unit_price: DecimalText | None = Field(
        None, le=MAX_UNIT_PRICE, description="Without a receipt: refund price per unit"
    )
    original_line_no: int | None = Field(None, ge=1, description="With a receipt: its line number")


class ReturnIn(Body):
    till_id: TillId
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=2000)
    return_id: UUID | None = Field(
        None, description="Client-chosen id: a retried request is not doubled"
    )
    original_sale_id: UUID | None = None
    original_receipt_number: Reference | None = None
    customer_id: Reference | None = None
    external_reference: Reference | None = None


class RefundRequestIn(ReturnIn):
    """The refund asked for, as a return would be recorded (`return_id` is not used)."""

    requested_by: Reference = Field(description="Staff id of the cashier or manager asking")
    request_id: UUID | None = Field(
        None, description="Client-chosen id: a retried request is not doubled"
    )
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)


class CompleteRefundIn(Body):
    till_id: TillId
    return_id: UUID | None = Field(
        None, description="Client-chosen id: a retried request is not doubled"
    )


class RefundLineOut(BaseModel):
    sku: str
    description: str | None
    quantity: int
    unit_price: DecimalText
    line_total: DecimalText
    original_line_no: int | None


class RefundRequestOut(BaseModel):
    request_id: UUID
    status: str = Field(
        description="pending, approved, rejected, expired (no decision in time), executed "
        "(refund made) or lapsed (approved but not made in time)"
    )
    heard_from_hub: bool = Field(description="False until the hub's answer reaches this node")
    till_id: str
    requested_by: str
    reason: str
    currency: str
    amount: DecimalText
    original_sale_id: UUID | None
    original_receipt_number: str | None
    customer_id: str | None
    lines: list[RefundLineOut]
    business_time: AwareDatetime
    decided_by: str | None
    decided_at: AwareDatetime | None
    notes: str | None
    executed_return_id: UUID | None

    @classmethod
    def of(cls, stored: StoredRefundRequest) -> RefundRequestOut:
        request = stored.request
        return cls(
            request_id=request.request_id,
            status=stored.status,
            heard_from_hub=stored.version > 0,
            till_id=request.till_id,
            requested_by=request.requested_by,
            reason=request.reason,
            currency=request.amount.currency,
            amount=request.amount.amount,
            original_sale_id=request.original_sale_id,
            original_receipt_number=request.original_receipt_number,
            customer_id=request.customer_id,
            lines=[
                RefundLineOut(
                    sku=line.sku,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    line_total=line.line_total.amount,
                    original_line_no=line.original_line_no,
                )
                for line in request.lines
            ],
            business_time=request.business_time,
            decided_by=stored.decided_by,
            decided_at=stored.decided_at,
            notes=stored.notes,
            executed_return_id=stored.executed_return_id,
        )


class B2BLineIn(Body):
    sku: SkuText
    quantity: int = Field(description="Units ordered, more than zero")


class B2BOrderIn(Body):
    """A trade customer's cart, priced by the till as it would sell it, for HQ to approve."""

    till_id: TillId
    customer_id: Reference = Field(description="The trade customer")
    submitted_by: Reference = Field(description="Staff id of whoever submits the cart")
    lines: list[B2BLineIn] = Field(min_length=1, max_length=500)
    reference: Reference | None = Field(None, description="The customer's PO number")
    order_id: UUID | None = Field(
        None, description="Client-chosen id: a retried request is not doubled"
    )


class B2BTenderIn(Body):
    kind: Literal["cash", "on_account"] = Field(
        description="cash: taken at the handover; on_account: charged to the customer's account"
    )
    amount: DecimalText = Field(
        le=MAX_AMOUNT, description="More than zero, exact to the currency's minor unit"
    )


class B2BPaymentIn(Body):
    """How an approved cart will be paid: the tenders add up to the order's total."""

    composed_by: Reference = Field(description="Staff id of whoever composes the payment")
    tenders: list[B2BTenderIn] = Field(min_length=1, max_length=10)


class B2BCompleteIn(Body):
    till_id: TillId
    cash_tendered: DecimalText | None = Field(
        None,
        le=MAX_AMOUNT,
        description="Cash handed over for the cash part of the payment (the rest is change); "
        "default: exactly the cash part",
    )
    sale_id: UUID | None = Field(
        None, description="Client-chosen id: a retried request is not doubled"
    )


class B2BLineOut(BaseModel):
    line_no: int
    sku: str
    description: str | None
    quantity: int
    unit_price: DecimalText
    line_total: DecimalText
    price_version: int | None
    terms: LineTermsV1 | None = Field(None, description="None: no promotion and no tax")

    @classmethod
    def of(cls, line: B2BLine) -> B2BLineOut:
        return cls(
            line_no=line.line_no,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total.amount,
            price_version=line.price_version,
            terms=terms_payload(line.terms, line.line_total.currency),
        )


class B2BTenderOut(BaseModel):
    kind: str
    amount: DecimalText

    @classmethod
    def of(cls, tender: TenderPlan) -> B2BTenderOut:
        return cls(kind=tender.kind, amount=tender.amount.amount)


class B2BOrderOut(BaseModel):
    order_id: UUID
    status: str = Field(
        description="cart_submitted, cart_approved, cart_rejected, payment_composed, "
        "payment_approved, placed (ready to hand over), blocked (a price changed: submit "
        "again), fulfilled (handed over), expired (no decision in time) or lapsed (not "
        "paid or handed over in time)"
    )
    heard_from_hub: bool = Field(description="False until the hub's answer reaches this node")
    till_id: str
    customer_id: str
    submitted_by: str
    reference: str | None
    currency: str
    total: DecimalText
    tax: DecimalText = Field(description="Tax included in the total")
    discount: DecimalText = Field(description="Taken off by promotions")
    lines: list[B2BLineOut]
    business_time: AwareDatetime = Field(description="When the cart was submitted")
    tenders: list[B2BTenderOut] = Field(description="The payment composed; empty before")
    composed_by: str | None
    cart_decided_by: str | None
    payment_decided_by: str | None
    payment_rejections: int
    notes: str | None = Field(description="HQ's last note, or why the order ended")
    order_number: str | None = Field(description="HQ's order number, once placed")
    fulfilled_sale_id: UUID | None = Field(description="The sale of this node that handed it over")

    @classmethod
    def of(cls, stored: StoredB2BOrder) -> B2BOrderOut:
        order = stored.order
        currency = order.total.currency
        return cls(
            order_id=order.order_id,
            status=stored.status,
            heard_from_hub=stored.version > 0,
            till_id=order.till_id,
            customer_id=order.customer_id,
            submitted_by=order.submitted_by,
            reference=order.reference,
            currency=currency,
            total=order.total.amount,
            tax=Money.from_minor(
                sum(line.terms.tax_minor for line in order.lines), currency
            ).amount,
            discount=Money.from_minor(
                sum(line.terms.discount_minor for line in order.lines), currency
            ).amount,
            lines=[B2BLineOut.of(line) for line in order.lines],
            business_time=order.business_time,
            tenders=[B2BTenderOut.of(tender) for tender in stored.tenders],
            composed_by=stored.composed_by,
            cart_decided_by=stored.cart_decided_by,
            payment_decided_by=stored.payment_decided_by,
            payment_rejections=stored.payment_rejections,
            notes=stored.notes,
            order_number=stored.order_number,
            fulfilled_sale_id=stored.fulfilled_sale_id,
        )


class CashMovementIn(Body):
    till_id: TillId
    kind: Literal["float", "paid_in", "paid_out", "pickup"]
    amount: DecimalText = Field(
        le=MAX_AMOUNT, description="Positive, exact to the currency's minor unit"
    )
    reason: Annotated[str, StringConstraints(max_length=200)] = ""
    movement_id: UUID | None = Field(
        None, description="Client-chosen id: a retried request is not doubled"
    )


class ClockIn(Body):
    now: AwareDatetime


class CartLineOut(BaseModel):
    line_id: UUID
    position: int
    sku: str
    description: str | None
    quantity: int
    unit_price: DecimalText
    line_total: DecimalText
    price_version: int | None
    price_source: str
    voided: bool
    terms: LineTermsV1 | None = Field(None, description="None: no promotion and no tax")

    @classmethod
    def of(cls, line: CartLine, currency: str) -> CartLineOut:
        return cls(
            line_id=line.line_id,
            position=line.position,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.total(currency).amount,
            price_version=line.price_version,
            price_source=line.price_source,
            voided=line.voided,
            terms=terms_payload(line.terms, currency),
        )


class CartOut(BaseModel):
    cart_id: UUID
    till_id: str
    status: str
    currency: str
    customer_id: str | None
    opened_at: AwareDatetime
    lines: list[CartLineOut]
    total: DecimalText
    sale_id: UUID | None

    @classmethod
    def of(cls, cart: Cart) -> CartOut:
        return cls(
            cart_id=cart.cart_id,
            till_id=cart.till_id,
            status=cart.status,
            currency=cart.currency,
            customer_id=cart.customer_id,
            opened_at=cart.opened_at,
            lines=[CartLineOut.of(line, cart.currency) for line in cart.lines],
            total=cart.total().amount,
            sale_id=cart.sale_id,
        )


class LinesOut(BaseModel):
    """The lines of the request, and the cart's running total (no full cart: scans stay cheap)."""

    cart_id: UUID
    lines: list[CartLineOut]
    line_count: int
    total: DecimalText


class TenderOut(BaseModel):
    tender_no: int
    kind: str
    amount: DecimalText
    tendered: DecimalText
    change: DecimalText

    @classmethod
    def of(cls, tender: Tender) -> TenderOut:
        return cls(
            tender_no=tender.tender_no,
            kind=tender.kind,
            amount=tender.amount.amount,
            tendered=tender.tendered.amount,
            change=tender.change.amount,
        )


class DocumentLineOut(BaseModel):
    line_no: int
    sku: str
    description: str | None
    quantity: int
    unit_price: DecimalText
    line_total: DecimalText
    price_version: int | None
    terms: LineTermsV1 | None = Field(None, description="None: no promotion and no tax")

    @classmethod
    def of(cls, line: SaleLine | ReturnLine) -> DocumentLineOut:
        return cls(
            line_no=line.line_no,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total.amount,
            price_version=line.price_version,
            terms=terms_payload(line.terms, line.line_total.currency),
        )


def _tax_and_discount(
    lines: tuple[SaleLine, ...] | tuple[ReturnLine, ...], currency: str
) -> tuple[DecimalText, DecimalText]:
    tax = sum(line.terms.tax_minor for line in lines)
    discount = sum(line.terms.discount_minor for line in lines)
    return (
        Money.from_minor(tax, currency).amount,
        Money.from_minor(discount, currency).amount,
    )


class SaleOut(BaseModel):
    sale_id: UUID
    receipt_number: str
    cart_id: UUID | None
    till_id: str
    business_time: AwareDatetime
    business_day: date
    currency: str
    customer_id: str | None
    external_reference: str | None
    lines: list[DocumentLineOut]
    tenders: list[TenderOut]
    total: DecimalText
    change: DecimalText
    tax: DecimalText = Field(description="Tax included in the total")
    discount: DecimalText = Field(description="Taken off by promotions")
    b2b_order_id: UUID | None = Field(None, description="The B2B order this sale handed over")

    @classmethod
    def of(cls, sale: Sale) -> SaleOut:
        change = Money.sum((tender.change for tender in sale.tenders), sale.currency).amount
        tax, discount = _tax_and_discount(sale.lines, sale.currency)
        return cls(
            b2b_order_id=sale.b2b_order_id,
            tax=tax,
            discount=discount,
            sale_id=sale.sale_id,
            receipt_number=sale.receipt_number,
            cart_id=sale.cart_id,
            till_id=sale.till_id,
            business_time=sale.business_time,
            business_day=sale.business_day,
            currency=sale.currency,
            customer_id=sale.customer_id,
            external_reference=sale.external_reference,
            lines=[DocumentLineOut.of(line) for line in sale.lines],
            tenders=[TenderOut.of(tender) for tender in sale.tenders],
            total=sale.total.amount,
            change=change,
        )


class B2BHandoverOut(SaleOut):
    """The sale that handed a B2B order over (as a checkout returns it), and the order."""

    order: B2BOrderOut

    @classmethod
    def of_handover(cls, sale: Sale, stored: StoredB2BOrder) -> B2BHandoverOut:
        return cls(**dict(SaleOut.of(sale)), order=B2BOrderOut.of(stored))


class ReturnOut(BaseModel):
    return_id: UUID
    receipt_number: str
    till_id: str
    original_sale_id: UUID | None
    business_time: AwareDatetime
    business_day: date
    currency: str
    reason: str
    lines: list[DocumentLineOut]
    refunds: list[TenderOut]
    total: DecimalText
    tax: DecimalText = Field(description="Tax included in the refund")
    refund_request_id: UUID | None = Field(
        None, description="The refund HQ approved that this return made"
    )

    @classmethod
    def of(cls, document: Return) -> ReturnOut:
        return cls(
            refund_request_id=document.refund_request_id,
            tax=_tax_and_discount(document.lines, document.currency)[0],
            return_id=document.return_id,
            receipt_number=document.receipt_number,
            till_id=document.till_id,
            original_sale_id=document.original_sale_id,
            business_time=document.business_time,
            business_day=document.business_day,
            currency=document.currency,
            reason=document.reason,
            lines=[DocumentLineOut.of(line) for line in document.lines],
            refunds=[TenderOut.of(tender) for tender in document.refunds],
            total=document.total.amount,
        )


class CatalogueItemOut(BaseModel):
    sku: str
    description: str | None
    unit_price: DecimalText | None = Field(
        description="None: no price; sells only with an override"
    )
    price_version: int | None
    tax_code: str | None = None
    tax_rate: DecimalText | None = Field(None, description="Percent, included in the price")
    promotion_id: str | None = Field(None, description="The best promotion in force now")
    percent_off: DecimalText | None = None
    on_hand: int | None = Field(
        None,
        description="The hub's count for this store as of the last sync (sales not yet "
        "uploaded are not in it); null when it has none",
    )

    @classmethod
    def of(cls, item: PricedItem, on_hand: int | None = None) -> CatalogueItemOut:
        return cls(
            on_hand=on_hand,
            sku=item.sku,
            description=item.description,
            unit_price=item.unit_price,
            price_version=item.price_version,
            tax_code=item.tax.code if item.tax else None,
            tax_rate=item.tax.rate if item.tax else None,
            promotion_id=item.promotion.promotion_id if item.promotion else None,
            percent_off=item.promotion.percent_off if item.promotion else None,
        )


class OutboxOut(BaseModel):
    last_seq: int
    acked_seq: int
    pending: int
    oldest_pending_created_at: str | None
    quarantined: int = Field(
        description="Events the hub stored but could not apply (see /v1/sync/quarantine)"
    )


class QuarantinedOut(BaseModel):
    seq: int
    event_id: str
    kind: str
    occurred_at: str
    reason: str | None


class SyncOut(BaseModel):
    online: bool | None
    last_success_at: AwareDatetime | None
    last_error: str | None
    last_error_at: AwareDatetime | None
    consecutive_failures: int
    next_attempt_in_s: float
    skew_ms: int | None = Field(description="Hub clock minus this node's clock at the last push")
    credential_rejected: bool
    feed_cursor: str | None


class IntegrityOut(BaseModel):
    matched_days: int = Field(description="Business days whose totals matched the hub's")
    mismatched_days: int = Field(description="Business days the hub's ledger disagrees with")


class DayChecksumOut(BaseModel):
    business_day: str
    count: int
    total_minor: int
    hub_count: int
    hub_total_minor: int
    checked_at: str


class StatusOut(BaseModel):
    enrolled: bool
    store_id: str | None
    node_id: str | None
    store_name: str | None
    timezone: str | None
    currency: str | None
    clock: AwareDatetime
    clock_mode: str
    catalogue: dict[str, int]
    outbox: OutboxOut
    sync: SyncOut
    integrity: IntegrityOut


class DaySummaryOut(BaseModel):
    business_day: date
    sales: int
    returns: int
    lines: int
    units: int
    revenue: DecimalText
    returns_total: DecimalText
    cash_in: DecimalText = Field(description="Floats and paid-ins put into the drawers")
    cash_out: DecimalText = Field(description="Paid-outs and pickups taken out of the drawers")

    @classmethod
    def of(cls, business_day: date, summary: DaySummary, currency: str) -> DaySummaryOut:
        return cls(
            business_day=business_day,
            sales=summary.sales,
            returns=summary.returns,
            lines=summary.lines,
            units=summary.units,
            revenue=Money.from_minor(summary.revenue_minor, currency).amount,
            returns_total=Money.from_minor(summary.returns_minor, currency).amount,
            cash_in=Money.from_minor(summary.cash_in_minor, currency).amount,
            cash_out=Money.from_minor(summary.cash_out_minor, currency).amount,
        )


class CashMovementOut(BaseModel):
    movement_id: UUID
    till_id: str
    kind: str
    amount: DecimalText
    currency: str
    drawer_effect: DecimalText = Field(description="Signed: what the drawer gained or lost")
    reason: str
    business_time: AwareDatetime
    business_day: date

    @classmethod
    def of(cls, movement: CashMovement) -> CashMovementOut:
        return cls(
            movement_id=movement.movement_id,
            till_id=movement.till_id,
            kind=movement.kind,
            amount=movement.amount.amount,
            currency=movement.amount.currency,
            drawer_effect=movement.drawer_effect.amount,
            reason=movement.reason,
            business_time=movement.business_time,
            business_day=movement.business_day,
        )
