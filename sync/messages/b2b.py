"""B2B orders: a till's cart and payment, and where HQ's approval of the order stands."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.bounds import Count, Int32, LedgerDecimal, Reference
from sync.messages.base import CurrencyCode, LongText, Payload, ShortText, Sku, TillId
from sync.messages.sales import LineTermsV1


class B2BLineV1(Payload):
    """One line of a B2B cart, priced by the till as it would sell it (sale line terms)."""

    line_no: Int32
    sku: Sku
    description: LongText | None = None
    quantity: int = Field(gt=0, le=10**9)
    unit_price: LedgerDecimal
    line_total: LedgerDecimal = Field(
        description="quantity x unit_price rounded HALF_UP, less terms.discount"
    )
    price_version: Int32 | None = None
    terms: LineTermsV1 | None = None


class B2BCartSubmittedV1(Payload):
    """Phase 1 of a B2B order: a till submits a trade customer's cart for HQ's approval.
    Nothing leaves the store until HQ has approved the cart and its payment and placed it."""

    order_id: UUID
    till_id: TillId
    customer_id: Reference
    submitted_by: ShortText = Field(description="Staff id of whoever submitted the cart")
    reference: ShortText | None = Field(default=None, description="The customer's PO number")
    currency: CurrencyCode
    total: LedgerDecimal = Field(description="Sum of the line totals, positive")
    lines: list[B2BLineV1] = Field(min_length=1, max_length=500)
    business_time: AwareDatetime


B2BTenderKind = Literal["cash", "on_account"]


class B2BTenderPlanV1(Payload):
    """One part of a B2B order's payment: `cash` taken at the handover, or `on_account`."""

    kind: B2BTenderKind
    amount: LedgerDecimal = Field(description="Positive")


class B2BPaymentComposedV1(Payload):
    """Phase 3: the till composes how an approved cart will be paid; HQ approves it next."""

    order_id: UUID
    composed_by: ShortText
    tenders: list[B2BTenderPlanV1] = Field(min_length=1, max_length=10)
    total: LedgerDecimal = Field(description="Sum of the tenders: the approved cart's total")
    business_time: AwareDatetime


B2BStatus = Literal[
    "cart_submitted",
    "cart_approved",
    "cart_rejected",
    "payment_composed",
    "payment_approved",
    "placed",
    "blocked",
    "fulfilled",
    "expired",
    "lapsed",
]


class B2BApprovalV1(Payload):
    """Where a B2B order stands in HQ's four-phase approval, with the order itself, so that any
    till of the store can go on with it.

    cart_submitted -> cart_approved (or cart_rejected) -> payment_composed -> payment_approved
    -> placed -> fulfilled (a till handed it over). A rejected payment returns the order to
    cart_approved (`payment_rejections` counts them) for the till to compose another. `blocked`:
    a price changed after the cart was approved (the order must be submitted again); `expired`:
    HQ did not decide in time; `lapsed`: the till did not compose the payment, or hand the
    order over, in time. cart_rejected, blocked, fulfilled, expired and lapsed are final."""

    order_id: UUID
    status: B2BStatus
    till_id: TillId
    customer_id: ShortText
    submitted_by: ShortText
    reference: ShortText | None = None
    currency: CurrencyCode
    total: LedgerDecimal
    lines: list[B2BLineV1]
    business_time: AwareDatetime = Field(description="When the till submitted the cart")
    cart_decided_by: ShortText | None = None
    cart_decided_at: AwareDatetime | None = None
    tenders: list[B2BTenderPlanV1] = Field(
        default_factory=list, description="The payment composed (empty before, or once rejected)"
    )
    composed_by: ShortText | None = None
    payment_decided_by: ShortText | None = None
    payment_decided_at: AwareDatetime | None = None
    payment_rejections: Count = 0
    notes: LongText | None = Field(default=None, description="HQ's last note, or why it ended")
    order_number: ShortText | None = Field(default=None, description="Given when placed")
    fulfilled_sale_id: UUID | None = None
