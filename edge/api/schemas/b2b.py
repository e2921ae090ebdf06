"""Bodies of the B2B order routes: the cart for HQ, its payment, the handover."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from edge.api.schemas.common import Body, Reference, SkuText, TillId
from edge.api.schemas.till import SaleOut
from edge.domain.documents import B2BLine, Sale, StoredB2BOrder, TenderPlan
from edge.wire import terms_payload
from shared.bounds import Amount, Quantity
from shared.money import DecimalText, Money
from sync.messages import LineTermsV1


class B2BLineIn(Body):
    sku: SkuText
    quantity: Quantity = Field(description="Units ordered, more than zero")


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
    amount: Amount = Field(description="More than zero, exact to the currency's minor unit")


class B2BPaymentIn(Body):
    """How an approved cart will be paid: the tenders add up to the order's total."""

    composed_by: Reference = Field(description="Staff id of whoever composes the payment")
    tenders: list[B2BTenderIn] = Field(min_length=1, max_length=10)


class B2BCompleteIn(Body):
    till_id: TillId
    cash_tendered: Amount | None = Field(
        None,
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


class B2BHandoverOut(SaleOut):
    """The sale that handed a B2B order over (as a checkout returns it), and the order."""

    order: B2BOrderOut

    @classmethod
    def of_handover(cls, sale: Sale, stored: StoredB2BOrder) -> B2BHandoverOut:
        return cls(**dict(SaleOut.of(sale)), order=B2BOrderOut.of(stored))
