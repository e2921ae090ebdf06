"""Bodies of the cart operations: park and recall, a new quantity, discounts, a price
override (docs/counter.md, "Cart operations")."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from edge.api.schemas.common import Body, TillId
from edge.api.schemas.till import PriceReason
from edge.domain.cart import ParkedCart
from edge.domain.discounts import Discount, DiscountKind
from shared.bounds import Amount, DecimalQuantity, Price, Reason
from shared.money import DecimalText


class QuantityIn(Body):
    quantity: DecimalQuantity = Field(
        description='The line\'s new quantity, non-zero: whole units, or kg as text ("0.500") '
        "for a weighed line"
    )


class DiscountIn(Body):
    kind: Literal["percent", "amount"]
    value: Amount = Field(
        description="A percent above 0 and up to 100 (2 places), or an amount above 0"
    )
    reason: Reason = Field(min_length=1, description="Why the discount is given")

    def discount(self) -> Discount:
        return Discount(DiscountKind(self.kind), self.value)


class PriceIn(Body):
    unit_price: Price = Field(description="The unit price to charge instead of the catalogue's")
    reason_code: PriceReason
    note: Reason | None = Field(None, description="Required with reason_code `other`")


class RecallIn(Body):
    till_id: TillId = Field(description="The till that takes the cart up (any till of the node)")


class ParkedCartOut(BaseModel):
    cart_id: UUID
    till_id: str = Field(description="The till it was parked at")
    customer_id: str | None
    parked_at: AwareDatetime
    parked_by_code: str
    parked_by_name: str
    total: DecimalText
    line_count: int = Field(description="Lines not voided")

    @classmethod
    def of(cls, parked: ParkedCart) -> ParkedCartOut:
        return cls(
            cart_id=parked.cart_id,
            till_id=parked.till_id,
            customer_id=parked.customer_id,
            parked_at=parked.parking.at,
            parked_by_code=parked.parking.staff_code,
            parked_by_name=parked.parking.staff_name,
            total=parked.total.amount,
            line_count=parked.line_count,
        )
