"""Bodies of the refund approval routes: asking HQ, its decision, making the refund."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from edge.api.schemas.common import Body, Reference, TillId
from edge.api.schemas.till import RefundIn, ReturnIn, ReturnLineIn
from edge.domain.documents import StoredRefundRequest
from shared.money import DecimalText


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
    refund: RefundIn | None = Field(
        None,
        description="Without a receipt: cash (default) or store credit. With one, each "
        "original tender is paid back in proportion (store credit: the cash part)",
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
