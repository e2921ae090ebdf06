"""Bodies of the till routes: carts, lines, checkout, returns, receipts, cash, the X report."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from edge.api.schemas.common import Body, Reference, SkuText, TillId
from edge.api.schemas.receipts import PrintStatusOut
from edge.domain.cart import Cart, CartLine
from edge.domain.documents import CashMovement, Return, ReturnLine, Sale, SaleLine, Tender
from edge.domain.reports import DaySummary
from edge.wire import terms_payload
from shared.bounds import (
    Amount,
    CardToken,
    DecimalQuantity,
    GiftCardNumber,
    Int32,
    PositiveDecimalQuantity,
    Price,
    Reason,
)
from shared.money import DecimalText, Money
from shared.quantity import weight_text
from sync.messages import LineTermsV1

# edge.domain.cart_changes.PRICE_REASONS (a unit test checks the two agree).
PriceReason = Literal["price_match", "damaged", "mispriced_shelf", "manager_discretion", "other"]


class LineIn(Body):
    sku: SkuText
    quantity: DecimalQuantity = Field(
        description='Whole units, or kg to 3 places as text ("0.735") for a product sold by '
        "weight; negative gives it back inside the sale"
    )
    line_id: UUID | None = Field(
        None, description="Client-chosen id: a retried scan is not doubled"
    )
    unit_price: Price | None = Field(
        None, description="Price override (replaces the catalogue price)"
    )
    price_reason: PriceReason | None = Field(
        None, description="Why the price is overridden: required when it differs"
    )
    price_note: Reason | None = Field(None, description="Required with price_reason `other`")
    gift_card_number: GiftCardNumber | None = Field(
        None, description="A gift-card item: the number of the card the line loads"
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
    kind: Literal["cash", "card", "gift_card", "store_credit"] = "cash"
    amount: Amount = Field(
        description="Cash: amount handed over (beyond the total is change); any other kind: "
        "the amount charged to it, exactly"
    )
    tender_id: UUID | None = Field(
        None,
        description="Client-chosen id of a card, gift-card or store-credit tender (its "
        "idempotency key); default: derived from the cart and the tender's place",
    )
    card: CardToken | None = Field(
        None, description="card: the card as the terminal read it (kept only until forwarded)"
    )
    account: Reference | None = Field(
        None,
        description="gift_card: the card's number; store_credit: the customer id (default: "
        "the cart's customer)",
    )


class RefundIn(Body):
    """How a return without a receipt is paid back: cash, or store credit to a customer."""

    kind: Literal["cash", "store_credit"] = "cash"
    account: Reference | None = Field(
        None, description="store_credit: the customer id (default: the return's customer)"
    )


class CheckoutIn(Body):
    tenders: list[TenderIn] = Field(default_factory=list, max_length=20)
    external_reference: Reference | None = Field(None, description="An order number from elsewhere")


class ReturnLineIn(Body):
    sku: SkuText
    quantity: PositiveDecimalQuantity = Field(
        description="Units taken back, or kg to 3 places as text for a weighed product"
    )
    unit_price: Price | None = Field(None, description="Without a receipt: refund price per unit")
    original_line_no: Int32 | None = Field(None, description="With a receipt: its line number")


class ReturnIn(Body):
    till_id: TillId
    reason: Reason = Field(min_length=1)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=2000)
    return_id: UUID | None = Field(
        None, description="Client-chosen id: a retried request is not doubled"
    )
    original_sale_id: UUID | None = None
    original_receipt_number: Reference | None = None
    customer_id: Reference | None = None
    external_reference: Reference | None = None
    refund: RefundIn | None = Field(
        None,
        description="Without a receipt: cash (default) or store credit. With one, each "
        "original tender is paid back in proportion",
    )


class CashMovementIn(Body):
    till_id: TillId
    kind: Literal["float", "paid_in", "paid_out", "pickup"]
    amount: Amount = Field(description="Positive, exact to the currency's minor unit")
    reason: Reason = ""
    movement_id: UUID | None = Field(
        None, description="Client-chosen id: a retried request is not doubled"
    )


class CartLineOut(BaseModel):
    line_id: UUID
    position: int
    sku: str
    description: str | None
    quantity: DecimalQuantity = Field(description='Whole units, or kg as text ("0.735")')
    unit: str = Field("each", description="`each` or `kg`")
    unit_price: DecimalText
    line_total: DecimalText
    price_version: int | None
    price_source: str
    voided: bool
    terms: LineTermsV1 | None = Field(None, description="None: no promotion and no tax")
    manual_discount: DecimalText = Field(
        Decimal(0), description="The part of terms.discount a cashier gave"
    )
    discount_reason: str | None = None
    price_reason: str | None = Field(None, description="Why the price was overridden")
    price_note: str | None = None

    @classmethod
    def of(cls, line: CartLine, currency: str) -> CartLineOut:
        return cls(
            line_id=line.line_id,
            position=line.position,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            line_total=line.total(currency).amount,
            price_version=line.price_version,
            price_source=line.price_source,
            voided=line.voided,
            terms=terms_payload(line.terms, currency),
            manual_discount=Money.from_minor(line.manual_discount_minor, currency).amount,
            discount_reason=line.discount_reason,
            price_reason=line.price_reason,
            price_note=line.price_note,
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
    parked_at: AwareDatetime | None = None
    parked_by_code: str | None = None
    parked_by_name: str | None = None

    @classmethod
    def of(cls, cart: Cart) -> CartOut:
        parked = cart.parked
        return cls(
            parked_at=parked.at if parked else None,
            parked_by_code=parked.staff_code if parked else None,
            parked_by_name=parked.staff_name if parked else None,
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


class CardOut(BaseModel):
    status: str = Field(description="captured, refunded, or stored (taken offline)")
    transaction_id: str | None
    brand: str | None
    last4: str | None
    deadline: datetime | None = Field(description="Stored offline: forward by then")


class TenderOut(BaseModel):
    tender_no: int
    kind: str
    amount: DecimalText
    tendered: DecimalText
    change: DecimalText
    tender_id: UUID | None = None
    account: str | None = Field(None, description="Gift card number or store-credit customer")
    card: CardOut | None = None
    original_tender_no: int | None = None

    @classmethod
    def of(cls, tender: Tender) -> TenderOut:
        card = tender.card
        return cls(
            tender_no=tender.tender_no,
            kind=tender.kind,
            amount=tender.amount.amount,
            tendered=tender.tendered.amount,
            change=tender.change.amount,
            tender_id=tender.tender_id,
            account=tender.account,
            card=None
            if card is None
            else CardOut(
                status=card.status,
                transaction_id=card.transaction_id,
                brand=card.brand,
                last4=card.last4,
                deadline=card.deadline,
            ),
            original_tender_no=tender.original_tender_no,
        )


class DocumentLineOut(BaseModel):
    line_no: int
    sku: str
    description: str | None
    quantity: DecimalQuantity = Field(description='Whole units, or kg as text ("0.735")')
    unit: str = Field("each", description="`each` or `kg`")
    unit_price: DecimalText
    line_total: DecimalText
    price_version: int | None
    terms: LineTermsV1 | None = Field(None, description="None: no promotion and no tax")
    manual_discount: DecimalText = Field(
        Decimal(0), description="The part of terms.discount a cashier gave (sales)"
    )
    discount_reason: str | None = None
    price_reason: str | None = Field(None, description="Why the price was overridden (sales)")
    price_note: str | None = None

    @classmethod
    def of(cls, line: SaleLine | ReturnLine) -> DocumentLineOut:
        if isinstance(line, SaleLine):
            manual = Money.from_minor(line.manual_discount_minor, line.line_total.currency)
            return cls(
                line_no=line.line_no,
                sku=line.sku,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total.amount,
                price_version=line.price_version,
                terms=terms_payload(line.terms, line.line_total.currency),
                manual_discount=manual.amount,
                discount_reason=line.discount_reason,
                price_reason=line.price_reason,
                price_note=line.price_note,
            )
        return cls(
            line_no=line.line_no,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
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
    discount: DecimalText = Field(description="Taken off by promotions and manual discounts")
    b2b_order_id: UUID | None = Field(None, description="The B2B order this sale handed over")
    receipt: PrintStatusOut | None = Field(
        None, description="At checkout: whether the receipt printed at the till's printer"
    )

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
    receipt: PrintStatusOut | None = Field(
        None, description="When recorded: whether the receipt printed at the till's printer"
    )
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


class DaySummaryOut(BaseModel):
    business_day: date
    sales: int
    returns: int
    lines: int
    units: int = Field(description="Whole units of items sold by the unit, net of returns")
    weight_kg: str = Field(
        "0.000", description="Kilograms of weighed items, net of returns, as decimal text"
    )
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
            weight_kg=weight_text(summary.weight_g),
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
