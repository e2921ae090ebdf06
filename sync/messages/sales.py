"""Payloads of sales and returns: their lines, the terms a line was priced with, and tenders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from shared.bounds import QUANTITY, Int32, Int64, LedgerDecimal, Percent, plain
from sync.messages.base import CurrencyCode, LongText, Payload, ShortText, Sku, TillId
from sync.messages.tenders import CardTenderV1, TenderKind


class LineTermsV1(Payload):
    """The promotion and the tax a line was priced with. Amounts carry the line's sign."""

    discount: LedgerDecimal = Field(
        default=Decimal(0), description="Taken off quantity x unit_price by the promotion"
    )
    promotion_id: ShortText | None = None
    promotion_version: Int32 | None = None
    tax: LedgerDecimal = Field(
        default=Decimal(0), description="Tax included in line_total (prices include tax)"
    )
    tax_code: ShortText | None = None
    tax_rate: Percent | None = Field(default=None, description="Percent: 20 is 20 %")
    tax_version: Int32 | None = None


class SaleLineV1(Payload):
    line_no: Int32
    sku: Sku
    description: LongText | None = None
    quantity: int = Field(
        ge=-(10**9),
        le=10**9,
        description="Units sold; negative for a line given back inside a sale",
    )
    unit_price: LedgerDecimal
    line_total: LedgerDecimal = Field(description="quantity x unit_price, rounded HALF_UP")
    price_version: Int32 | None = Field(
        default=None, description="Catalogue price version in force"
    )
    price_source: Literal["catalogue", "override"] = "catalogue"


class SaleLineV2(SaleLineV1):
    """Version 2 adds `terms`; `line_total` is then quantity x unit_price less the discount, so
    a reader of version 1 would misread it (hence the new version, not a new optional field)."""

    line_total: LedgerDecimal = Field(
        description="quantity x unit_price rounded HALF_UP, less terms.discount"
    )
    terms: LineTermsV1 | None = Field(default=None, description="Absent: no promotion, no tax")


class TenderV1(Payload):
    tender_no: Int32
    kind: Literal["cash"]
    amount: LedgerDecimal = Field(description="Amount applied to the document")
    tendered: LedgerDecimal = Field(description="Amount handed over (cash)")
    change: LedgerDecimal = Field(description="Change given back")


class SaleCompletedV1(Payload):
    sale_id: UUID
    receipt_number: ShortText
    till_id: TillId
    business_day: date = Field(description="The store's trading day the sale belongs to")
    business_time: AwareDatetime
    currency: CurrencyCode
    customer_id: ShortText | None = None
    external_reference: ShortText | None = None
    lines: list[SaleLineV1] = Field(min_length=1)
    tenders: list[TenderV1]
    total: LedgerDecimal


class SaleCompletedV2(SaleCompletedV1):
    """A sale whose lines carry their promotion and tax (`SaleLineV2`)."""

    # A list, not a Sequence: pydantic checks a Sequence with a slow isinstance per event.
    lines: list[SaleLineV2] = Field(min_length=1)  # type: ignore[assignment]


class TenderV2(TenderV1):
    """Version 2 adds `on_account`: charged to a trade customer's account, invoiced by HQ (only
    in a B2B order's handover). Nothing is handed over: `tendered` equals `amount`, no change."""

    kind: Literal["cash", "on_account"]  # type: ignore[assignment]


class SaleCompletedV3(SaleCompletedV2):
    """A sale that may hand over a B2B order HQ placed (`b2b_order_id`) and charge a trade
    account (`on_account` tenders, TenderV2; the hub flags one outside a handover). A reader of
    version 2 would refuse the tender kind, or record the sale without closing the order, which
    could then be handed over again: hence a new version. Tills write it only for handovers;
    the order id is optional so that later versions need not name one."""

    b2b_order_id: UUID | None = None
    tenders: list[TenderV2]  # type: ignore[assignment]


class ReturnLineV1(Payload):
    line_no: Int32
    sku: Sku
    description: LongText | None = None
    quantity: int = Field(gt=0, le=10**9, description="Units taken back")
    unit_price: LedgerDecimal
    line_total: LedgerDecimal = Field(description="Refund for the line, positive")
    original_line_no: Int32 | None = None
    price_version: Int32 | None = None


class ReturnLineV2(ReturnLineV1):
    terms: LineTermsV1 | None = Field(
        default=None, description="The refunded share of the sold line's discount and tax"
    )


class ReturnRecordedV1(Payload):
    return_id: UUID
    receipt_number: ShortText
    till_id: TillId
    business_day: date
    business_time: AwareDatetime
    currency: CurrencyCode
    customer_id: ShortText | None = None
    original_sale_id: UUID | None = None
    external_reference: ShortText | None = None
    reason: LongText
    lines: list[ReturnLineV1] = Field(min_length=1)
    refunds: list[TenderV1]
    total: LedgerDecimal = Field(description="Refund total, positive")


class ReturnRecordedV2(ReturnRecordedV1):
    """A return whose lines carry the refunded share of their promotion and tax."""

    lines: list[ReturnLineV2] = Field(min_length=1)  # type: ignore[assignment]


class ReturnRecordedV3(ReturnRecordedV2):
    """A return that completes a refund HQ approved (`refund_request_id`). A reader of version
    2 would record it without closing the approval, which could then be used again: hence a
    new version, written only for such returns."""

    refund_request_id: UUID


# Version 4: weighed items. A line's quantity is decimal text in its unit ("0.735" kg, "3"
# units); a reader of version 3 would refuse the text, or read a weight as whole units, so
# it is a new version. Tills write it only for documents with a weighed line (edge.wire), so
# integer data travels as before. Two fields are reserved for the cart operations (a manual
# line discount and a price override's reason code); tills send their defaults until then.

# Decimal text ("0.735"; a whole JSON number is read too, a float never), at most 3 places.
DecimalLineQuantity = Annotated[
    Decimal,
    BeforeValidator(QUANTITY.parse),
    PlainSerializer(plain, return_type=str, when_used="json"),
    WithJsonSchema(QUANTITY.schema),
]


class SaleLineV4(SaleLineV2):
    """A line whose quantity is decimal text in its unit (`each`: a whole number)."""

    quantity: DecimalLineQuantity = Field(  # type: ignore[assignment]
        description="In `unit`: whole units, or kg to 3 places; negative: given back"
    )
    unit: Literal["each", "kg"] = "each"
    manual_discount_minor: Int64 = Field(
        default=0,
        description="The part of terms.discount a cashier gave the line by hand, in minor "
        "units with the line's sign (already off line_total, like the promotion's)",
    )
    override_reason: ShortText | None = Field(
        default=None,
        description="The reason code of a price override (price_match, damaged, "
        "mispriced_shelf, manager_discretion, other)",
    )


class SaleCompletedV4(SaleCompletedV3):
    """A sale that may hold weighed lines (`SaleLineV4`)."""

    lines: list[SaleLineV4] = Field(min_length=1)  # type: ignore[assignment]


class ReturnLineV4(ReturnLineV2):
    """A returned line whose quantity is decimal text in its unit, more than zero."""

    quantity: DecimalLineQuantity = Field(  # type: ignore[assignment]
        gt=0, description="Taken back, in `unit`: whole units, or kg to 3 places"
    )
    unit: Literal["each", "kg"] = "each"
    manual_discount_minor: Int64 = Field(
        default=0, description="Reserved: the refunded share of a manual line discount"
    )
    override_reason: ShortText | None = Field(
        default=None, description="Reserved: the reason code of a price override"
    )


class ReturnRecordedV4(ReturnRecordedV3):
    """A return that may hold weighed lines; it makes an approved refund only when
    `refund_request_id` is given."""

    lines: list[ReturnLineV4] = Field(min_length=1)  # type: ignore[assignment]
    refund_request_id: UUID | None = None  # type: ignore[assignment]


# Version 5: tenders beyond cash (issue 14). A tender may be a card, a gift card or store
# credit (`TenderV3`), and a line may activate a gift card (`SaleLineV5.gift_card_number`); a
# reader of version 4 would refuse the tender kinds, or record a gift card sold without
# activating it: hence a new version. Tills write it only for documents with such a tender or
# line (edge.wire), so cash data travels as before.


class TenderV3(TenderV2):
    """A tender of any kind. `tender_id` keys what it moves (the acquirer's idempotency key,
    the gift-card or store-credit ledger movement); `account` is the gift card's number or
    the store-credit customer's id; a refund names the sale's tender it refunds."""

    kind: TenderKind  # type: ignore[assignment]
    tender_id: UUID | None = Field(
        default=None, description="Set for card, gift_card and store_credit tenders"
    )
    account: ShortText | None = Field(
        default=None, description="gift_card: the card's number; store_credit: the customer id"
    )
    card: CardTenderV1 | None = Field(default=None, description="Set for card tenders")
    original_tender_no: Int32 | None = Field(
        default=None, description="A refund: the original sale's tender it pays back"
    )


class SaleLineV5(SaleLineV4):
    """A line that may activate a gift card (`gift_card_number`; its line_total loads it)."""

    gift_card_number: ShortText | None = Field(
        default=None, description="A gift-card item: the number of the card this line loads"
    )


class SaleCompletedV5(SaleCompletedV4):
    """A sale with tenders of any kind (`TenderV3`) and lines that may load gift cards."""

    lines: list[SaleLineV5] = Field(min_length=1)  # type: ignore[assignment]
    tenders: list[TenderV3]  # type: ignore[assignment]


class ReturnRecordedV5(ReturnRecordedV4):
    """A return whose refunds may go back to a card, a gift card or store credit."""

    refunds: list[TenderV3]  # type: ignore[assignment]
