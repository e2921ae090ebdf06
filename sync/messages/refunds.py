"""Refunds above a store's limit: a till's request and HQ's decision, as the feed carries it."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.bounds import Int32, LedgerDecimal
from sync.messages.base import CurrencyCode, LongText, Payload, ShortText, Sku, TillId


class RefundLineV1(Payload):
    """One line of a refund asked for: what the till will take back, priced as it will be."""

    sku: Sku
    description: LongText | None = None
    quantity: int = Field(gt=0, le=10**9)
    unit_price: LedgerDecimal = Field(description="Refund per unit before any share of terms")
    line_total: LedgerDecimal = Field(description="Refund for the line, positive")
    original_line_no: Int32 | None = None


class RefundRequestedV1(Payload):
    """A till asks HQ to approve a refund above the store's limit. Nothing has left the
    drawer yet: the refund is made (as a `return.recorded` of version 3) once HQ approves."""

    request_id: UUID
    till_id: TillId
    requested_by: ShortText = Field(description="Staff id of the cashier or manager asking")
    reason: LongText
    currency: CurrencyCode
    amount: LedgerDecimal = Field(description="Refund total asked for, positive")
    original_sale_id: UUID | None = None
    original_receipt_number: ShortText | None = None
    customer_id: ShortText | None = None
    lines: list[RefundLineV1] = Field(min_length=1, max_length=500)
    business_time: AwareDatetime


RefundStatus = Literal["pending", "approved", "rejected", "expired", "executed", "lapsed"]


class RefundDecisionV1(Payload):
    """What became of a refund request, with the request itself, so that any till of the
    store can make an approved refund. `approved` is final until the refund is `executed`
    (by a till) or `lapsed` (not made in time); `rejected` and `expired` (no decision in time)
    are final."""

    request_id: UUID
    status: RefundStatus
    till_id: TillId
    requested_by: ShortText
    reason: LongText
    currency: CurrencyCode
    amount: LedgerDecimal
    original_sale_id: UUID | None = None
    original_receipt_number: ShortText | None = None
    customer_id: ShortText | None = None
    lines: list[RefundLineV1]
    business_time: AwareDatetime = Field(description="When the till asked")
    decided_by: ShortText | None = None
    decided_at: AwareDatetime | None = None
    notes: LongText | None = None
    executed_return_id: UUID | None = None
