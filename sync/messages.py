"""Wire messages of the sync protocol (pydantic v2), version `PROTOCOL_VERSION`.

An upload is a `PushRequest` holding `RawEvent`s: envelopes whose payload is still a plain
dict, so one event the hub cannot understand never spoils the batch it travels in. The hub
turns each into a typed `Event` with `parse_event`, a discriminated union on `kind`.

Evolution rule: only add fields (with defaults) or new kinds; never reuse a name for a new
meaning. A payload change that breaks readers gets a new `schema_version` for its kind.

Money and unit prices travel as decimal strings ("2.55"); JSON numbers with a fraction are
refused, because a float is not money.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from shared.clock import HLCTimestamp
from shared.money import DecimalText
from sync.errors import MalformedEvent, UnknownEventKind, UnsupportedSchemaVersion
from sync.records import check_fields

PROTOCOL_VERSION = 1


Sku = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ShortText = Annotated[str, StringConstraints(max_length=64)]
TillId = Annotated[str, StringConstraints(min_length=1, max_length=32)]
LongText = Annotated[str, StringConstraints(max_length=500)]
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Message(BaseModel):
    """Base of every wire message. Unknown fields are ignored: a newer peer may add fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Payload(BaseModel):
    """Base of event payloads. Unknown fields are ignored so newer writers stay readable."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# --- event payloads -----------------------------------------------------------------------


class LineTermsV1(Payload):
    """The promotion and the tax a line was priced with. Amounts carry the line's sign."""

    discount: DecimalText = Field(
        default=Decimal(0), description="Taken off quantity x unit_price by the promotion"
    )
    promotion_id: ShortText | None = None
    promotion_version: int | None = Field(default=None, ge=1)
    tax: DecimalText = Field(
        default=Decimal(0), description="Tax included in line_total (prices include tax)"
    )
    tax_code: ShortText | None = None
    tax_rate: DecimalText | None = Field(default=None, description="Percent: 20 is 20 %")
    tax_version: int | None = Field(default=None, ge=1)


class SaleLineV1(Payload):
    line_no: int = Field(ge=1)
    sku: Sku
    description: LongText | None = None
    quantity: int = Field(
        ge=-(10**9),
        le=10**9,
        description="Units sold; negative for a line given back inside a sale",
    )
    unit_price: DecimalText
    line_total: DecimalText = Field(description="quantity x unit_price, rounded HALF_UP")
    price_version: int | None = Field(default=None, description="Catalogue price version in force")
    price_source: Literal["catalogue", "override"] = "catalogue"


class SaleLineV2(SaleLineV1):
    """Version 2 adds `terms`; `line_total` is then quantity x unit_price less the discount, so
    a reader of version 1 would misread it (hence the new version, not a new optional field)."""

    line_total: DecimalText = Field(
        description="quantity x unit_price rounded HALF_UP, less terms.discount"
    )
    terms: LineTermsV1 | None = Field(default=None, description="Absent: no promotion, no tax")


class TenderV1(Payload):
    tender_no: int = Field(ge=1)
    kind: Literal["cash"]
    amount: DecimalText = Field(description="Amount applied to the document")
    tendered: DecimalText = Field(description="Amount handed over (cash)")
    change: DecimalText = Field(description="Change given back")


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
    total: DecimalText


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
    line_no: int = Field(ge=1)
    sku: Sku
    description: LongText | None = None
    quantity: int = Field(gt=0, le=10**9, description="Units taken back")
    unit_price: DecimalText
    line_total: DecimalText = Field(description="Refund for the line, positive")
    original_line_no: int | None = None
    price_version: int | None = None


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
    total: DecimalText = Field(description="Refund total, positive")


class ReturnRecordedV2(ReturnRecordedV1):
    """A return whose lines carry the refunded share of their promotion and tax."""

    lines: list[ReturnLineV2] = Field(min_length=1)  # type: ignore[assignment]


class ReturnRecordedV3(ReturnRecordedV2):
    """A return that completes a refund HQ approved (`refund_request_id`). A reader of version
    2 would record it without closing the approval, which could then be used again: hence a
    new version, written only for such returns."""

    refund_request_id: UUID


class RefundLineV1(Payload):
    """One line of a refund asked for: what the till will take back, priced as it will be."""

    sku: Sku
    description: LongText | None = None
    quantity: int = Field(gt=0, le=10**9)
    unit_price: DecimalText = Field(description="Refund per unit before any share of terms")
    line_total: DecimalText = Field(description="Refund for the line, positive")
    original_line_no: int | None = Field(default=None, ge=1)


class RefundRequestedV1(Payload):
    """A till asks HQ to approve a refund above the store's limit. Nothing has left the
    drawer yet: the refund is made (as a `return.recorded` of version 3) once HQ approves."""

    request_id: UUID
    till_id: TillId
    requested_by: ShortText = Field(description="Staff id of the cashier or manager asking")
    reason: LongText
    currency: CurrencyCode
    amount: DecimalText = Field(description="Refund total asked for, positive")
    original_sale_id: UUID | None = None
    original_receipt_number: ShortText | None = None
    customer_id: ShortText | None = None
    lines: list[RefundLineV1] = Field(min_length=1, max_length=500)
    business_time: AwareDatetime


class B2BLineV1(Payload):
    """One line of a B2B cart, priced by the till as it would sell it (sale line terms)."""

    line_no: int = Field(ge=1)
    sku: Sku
    description: LongText | None = None
    quantity: int = Field(gt=0, le=10**9)
    unit_price: DecimalText
    line_total: DecimalText = Field(
        description="quantity x unit_price rounded HALF_UP, less terms.discount"
    )
    price_version: int | None = None
    terms: LineTermsV1 | None = None


class B2BCartSubmittedV1(Payload):
    """Phase 1 of a B2B order: a till submits a trade customer's cart for HQ's approval.
    Nothing leaves the store until HQ has approved the cart and its payment and placed it."""

    order_id: UUID
    till_id: TillId
    customer_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    submitted_by: ShortText = Field(description="Staff id of whoever submitted the cart")
    reference: ShortText | None = Field(default=None, description="The customer's PO number")
    currency: CurrencyCode
    total: DecimalText = Field(description="Sum of the line totals, positive")
    lines: list[B2BLineV1] = Field(min_length=1, max_length=500)
    business_time: AwareDatetime


B2BTenderKind = Literal["cash", "on_account"]


class B2BTenderPlanV1(Payload):
    """One part of a B2B order's payment: `cash` taken at the handover, or `on_account`."""

    kind: B2BTenderKind
    amount: DecimalText = Field(description="Positive")


class B2BPaymentComposedV1(Payload):
    """Phase 3: the till composes how an approved cart will be paid; HQ approves it next."""

    order_id: UUID
    composed_by: ShortText
    tenders: list[B2BTenderPlanV1] = Field(min_length=1, max_length=10)
    total: DecimalText = Field(description="Sum of the tenders: the approved cart's total")
    business_time: AwareDatetime


CashMovementKind = Literal["float", "paid_in", "paid_out", "pickup"]


class CashMovedV1(Payload):
    """Cash put into or taken out of a till's drawer other than by a sale or a refund: the
    opening float, a paid-in, a paid-out (a window cleaner paid from the till), a pickup (notes
    taken to the safe). An append-only fact like a sale."""

    movement_id: UUID
    till_id: TillId
    kind: CashMovementKind
    amount: DecimalText = Field(description="Positive; the kind says which way it went")
    currency: CurrencyCode
    reason: LongText
    business_day: date
    business_time: AwareDatetime


# --- envelopes ----------------------------------------------------------------------------


class StampedValue(Payload):
    value: str | None = Field(max_length=200)
    hlc: str = Field(max_length=96)
    base: str | None = Field(
        default=None, max_length=96, description="Stamp of the value this edit replaced"
    )


class RecordUpdatedV1(Payload):
    """Fields of a record both sides may edit (sync.records), each with the HLC of its edit."""

    entity: str = Field(max_length=32)
    key: str = Field(min_length=1, max_length=64)
    fields: dict[str, StampedValue]


class EnvelopeFields(Message):
    """What every uploaded event carries besides its payload."""

    event_id: UUID
    store_id: Identifier
    node_id: Identifier
    seq: int = Field(ge=1, description="Gap-free per node, starting at 1")
    schema_version: int = Field(ge=1)
    hlc: str = Field(max_length=96, description="Hybrid logical clock, wall_ms-counter-node")
    occurred_at: AwareDatetime


class RawEvent(EnvelopeFields):
    """An envelope as it travels: the payload is not interpreted until `parse_event`."""

    kind: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    payload: dict[str, Any]


class SaleCompleted(EnvelopeFields):
    kind: Literal["sale.completed"]
    payload: SaleCompletedV1


class ReturnRecorded(EnvelopeFields):
    kind: Literal["return.recorded"]
    payload: ReturnRecordedV1


class RecordUpdated(EnvelopeFields):
    kind: Literal["record.updated"]
    payload: RecordUpdatedV1


class CashMoved(EnvelopeFields):
    kind: Literal["cash.moved"]
    payload: CashMovedV1


class RefundRequested(EnvelopeFields):
    kind: Literal["refund.requested"]
    payload: RefundRequestedV1


class B2BCartSubmitted(EnvelopeFields):
    kind: Literal["b2b.cart_submitted"]
    payload: B2BCartSubmittedV1


class B2BPaymentComposed(EnvelopeFields):
    kind: Literal["b2b.payment_composed"]
    payload: B2BPaymentComposedV1


Event = Annotated[
    SaleCompleted
    | ReturnRecorded
    | RecordUpdated
    | CashMoved
    | RefundRequested
    | B2BCartSubmitted
    | B2BPaymentComposed,
    Field(discriminator="kind"),
]
AnyEvent = (
    SaleCompleted
    | ReturnRecorded
    | RecordUpdated
    | CashMoved
    | RefundRequested
    | B2BCartSubmitted
    | B2BPaymentComposed
)

# The newest schema version of each kind this code understands.
SCHEMA_VERSIONS: dict[str, int] = {
    "sale.completed": 3,
    "return.recorded": 3,
    "record.updated": 1,
    "cash.moved": 1,
    "refund.requested": 1,
    "b2b.cart_submitted": 1,
    "b2b.payment_composed": 1,
}


def parse_event(raw: RawEvent) -> AnyEvent:
    """Type a raw envelope.

    Raises UnknownEventKind, UnsupportedSchemaVersion (newer than this code) or MalformedEvent
    (the payload does not validate); each carries the event id and seq.
    """
    supported = SCHEMA_VERSIONS.get(raw.kind)
    if supported is None:
        raise UnknownEventKind(raw.event_id, raw.seq, raw.kind)
    if raw.schema_version > supported:
        raise UnsupportedSchemaVersion(
            raw.event_id, raw.seq, raw.kind, raw.schema_version, supported
        )
    # The envelope was validated as a RawEvent already: only the payload needs typing.
    fields = {name: getattr(raw, name) for name in EnvelopeFields.model_fields}
    if raw.kind == "sale.completed":
        model: type[SaleCompletedV1] = (
            SaleCompletedV3
            if raw.schema_version >= 3
            else SaleCompletedV2
            if raw.schema_version == 2
            else SaleCompletedV1
        )
        return SaleCompleted.model_construct(
            **fields, kind="sale.completed", payload=_payload(model, raw)
        )
    if raw.kind == "record.updated":
        record = _payload(RecordUpdatedV1, raw)
        try:
            check_fields(record.entity, {name: item.value for name, item in record.fields.items()})
            for item in record.fields.values():
                HLCTimestamp.parse(item.hlc)
                if item.base is not None:
                    HLCTimestamp.parse(item.base)
        except ValueError as error:
            raise MalformedEvent(raw.event_id, raw.seq, str(error)) from None
        return RecordUpdated.model_construct(**fields, kind="record.updated", payload=record)
    if raw.kind == "cash.moved":
        movement = _payload(CashMovedV1, raw)
        if not movement.amount > 0:
            raise MalformedEvent(raw.event_id, raw.seq, "a cash movement must be more than zero")
        return CashMoved.model_construct(**fields, kind="cash.moved", payload=movement)
    if raw.kind == "refund.requested":
        request = _payload(RefundRequestedV1, raw)
        if not request.amount > 0:
            raise MalformedEvent(raw.event_id, raw.seq, "a refund asked for must be more than zero")
        return RefundRequested.model_construct(**fields, kind="refund.requested", payload=request)
    if raw.kind == "b2b.cart_submitted":
        cart = _payload(B2BCartSubmittedV1, raw)
        if not cart.total > 0:
            raise MalformedEvent(raw.event_id, raw.seq, "a B2B cart's total must be more than zero")
        if sum((line.line_total for line in cart.lines), Decimal(0)) != cart.total:
            raise MalformedEvent(raw.event_id, raw.seq, "a B2B cart's total is not its lines' sum")
        return B2BCartSubmitted.model_construct(**fields, kind="b2b.cart_submitted", payload=cart)
    if raw.kind == "b2b.payment_composed":
        payment = _payload(B2BPaymentComposedV1, raw)
        if any(not tender.amount > 0 for tender in payment.tenders):
            raise MalformedEvent(raw.event_id, raw.seq, "every tender must be more than zero")
        if sum((tender.amount for tender in payment.tenders), Decimal(0)) != payment.total:
            raise MalformedEvent(raw.event_id, raw.seq, "the tenders do not sum to the total")
        return B2BPaymentComposed.model_construct(
            **fields, kind="b2b.payment_composed", payload=payment
        )
    returned: type[ReturnRecordedV1] = (
        ReturnRecordedV3
        if raw.schema_version >= 3
        else ReturnRecordedV2
        if raw.schema_version == 2
        else ReturnRecordedV1
    )
    return ReturnRecorded.model_construct(
        **fields, kind="return.recorded", payload=_payload(returned, raw)
    )


PayloadT = TypeVar("PayloadT", bound=Payload)


def _payload(model: type[PayloadT], raw: RawEvent) -> PayloadT:
    try:
        return model.model_validate(raw.payload)
    except ValidationError as error:
        raise MalformedEvent(raw.event_id, raw.seq, _summarize(error)) from None


def _summarize(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        location = ".".join(str(part) for part in item["loc"])
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)


# --- upload -------------------------------------------------------------------------------


class RoundTripV1(Message):
    """A node's estimate of hub clock minus its own from the round trip of one push: the hub
    stamped `hub_time` half-way between the push's `sent_at` and the answer's receipt."""

    sent_at: AwareDatetime = Field(description="The sent_at of the push measured")
    skew_ms: int = Field(ge=-(10**15), le=10**15, description="Hub clock minus node clock, ms")


class PushRequest(Message):
    protocol_version: int
    store_id: Identifier
    node_id: Identifier
    sent_at: AwareDatetime = Field(description="The edge's clock when it sent the batch")
    previous_round_trip: RoundTripV1 | None = Field(
        default=None,
        description="The node's round-trip skew estimate of its previous push (absent before "
        "its first): the hub takes the transit out of its one-way measure with it",
    )
    events: list[RawEvent] = Field(max_length=2000)


class SeqRange(Message):
    first: int
    last: int


class RejectedEvent(Message):
    seq: int
    event_id: UUID
    reason: str


class PushResponse(Message):
    protocol_version: int
    acked_seq: int = Field(description="Highest seq such that every seq up to it is stored")
    accepted: int = Field(description="Events stored by this request")
    duplicates: int = Field(description="Events the hub already had")
    missing: list[SeqRange] = Field(description="Gaps below the highest seq received: re-send")
    rejected: list[RejectedEvent] = []
    hub_time: AwareDatetime


# --- download -----------------------------------------------------------------------------


class ProductV1(Payload):
    sku: Sku
    description: LongText | None = None
    kind: Literal["stock", "non_stock", "gift_card"] = "stock"
    track_inventory: bool = True
    gtin: str | None = None
    tax_code: ShortText | None = Field(default=None, description="A TaxRateV1 code; none: no tax")


class PriceV1(Payload):
    sku: Sku
    price_list: str = "default"
    unit_price: DecimalText
    currency: CurrencyCode
    version: int = Field(ge=1)


class TaxRateV1(Payload):
    """A tax code's rate in percent; prices of products with this code include it."""

    code: ShortText
    rate: DecimalText = Field(description="Percent, 0 to 100: 20 is 20 %")
    version: int = Field(ge=1)


class PromotionV1(Payload):
    """`percent_off` off the catalogue price of `skus` while `starts_at <= t < ends_at`.

    Promotions do not stack: a line gets the one in force that takes the most off.
    """

    promotion_id: Identifier
    name: LongText
    skus: list[Sku] = Field(max_length=10_000)
    percent_off: DecimalText = Field(description="0 < percent_off <= 100")
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    active: bool = True
    version: int = Field(ge=1)


class StockLevelV1(Payload):
    location_id: Identifier
    sku: Sku
    on_hand: int


class StoreConfigV1(Payload):
    store_id: Identifier
    name: str
    timezone: str
    currency: CurrencyCode
    refund_approval_over: DecimalText | None = Field(
        default=None,
        description="A refund above this needs HQ's approval; absent: no refund does",
    )


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
    amount: DecimalText
    original_sale_id: UUID | None = None
    original_receipt_number: ShortText | None = None
    customer_id: ShortText | None = None
    lines: list[RefundLineV1]
    business_time: AwareDatetime = Field(description="When the till asked")
    decided_by: ShortText | None = None
    decided_at: AwareDatetime | None = None
    notes: LongText | None = None
    executed_return_id: UUID | None = None


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
    total: DecimalText
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
    payment_rejections: int = 0
    notes: LongText | None = Field(default=None, description="HQ's last note, or why it ended")
    order_number: ShortText | None = Field(default=None, description="Given when placed")
    fulfilled_sale_id: UUID | None = None


class EventStatusV1(Payload):
    """HQ retried an event the hub had quarantined; `status` is what became of it."""

    event_id: UUID
    seq: int
    status: Literal["applied", "quarantined"]


# Entities a reader may meet; a reader skips entities it does not know (a newer hub's).
FEED_ENTITIES = (
    "product",
    "price",
    "stock_level",
    "store",
    "event_status",
    "customer",
    "store_settings",
    "tax_rate",
    "promotion",
    "refund_decision",
    "b2b_approval",
)


class FeedEntry(Message):
    cursor: str = Field(description="Opaque position of this entry; resume after it")
    entity: str = Field(max_length=32, description="One of FEED_ENTITIES, or newer: skip it")
    key: str
    op: Literal["upsert", "delete"]
    version: int
    payload: dict[str, Any]


class SnapshotItem(Message):
    """The current state of one entity, as a feed entry would carry it."""

    entity: str
    key: str
    version: int
    payload: dict[str, Any]


class SnapshotPage(Message):
    """One chunk of a store's snapshot. `position` (first chunk only) is the feed cursor to
    follow once every chunk is applied; `next_after` resumes after this chunk."""

    position: str | None
    items: list[SnapshotItem]
    next_after: str | None
    has_more: bool


class FeedPage(Message):
    entries: list[FeedEntry]
    next_cursor: str = Field(description="Pass back as `cursor` to continue")
    has_more: bool


FEED_PAYLOADS: dict[str, type[Payload]] = {
    "product": ProductV1,
    "price": PriceV1,
    "stock_level": StockLevelV1,
    "store": StoreConfigV1,
    "event_status": EventStatusV1,
    "tax_rate": TaxRateV1,
    "promotion": PromotionV1,
    "refund_decision": RefundDecisionV1,
    "b2b_approval": B2BApprovalV1,
}


# --- enrolment ----------------------------------------------------------------------------


class EnrolRequest(Message):
    protocol_version: int
    token: Annotated[str, StringConstraints(min_length=16, max_length=256)]
    node_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    attempt: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        None,
        description="The node's id for this enrolment; repeating it after a lost answer "
        "(within 15 minutes) gets the same node a new credential",
    )


class EnrolResponse(Message):
    protocol_version: int
    store: StoreConfigV1
    node_id: Identifier
    credential: str = Field(description="Bearer credential for every later sync request")


class CredentialRotated(Message):
    """A node's new credential (shown once); the old one works until this one is first used."""

    credential: str


class DayChecksumV1(Message):
    """One node's documents of one business day, as `sync.protocol.day_totals` sums them."""

    business_day: date
    count: int = Field(ge=0)
    total_minor: int
    id_hash: str = Field(pattern=r"^[0-9a-f]{16}$")


class ChecksumRequest(Message):
    protocol_version: int
    store_id: Identifier
    node_id: Identifier
    days: list[DayChecksumV1] = Field(max_length=400)


class DayVerdict(Message):
    business_day: date
    status: Literal["matched", "mismatch"]
    hub: DayChecksumV1


class ChecksumResponse(Message):
    protocol_version: int
    days: list[DayVerdict]


class ErrorBody(Message):
    """Body of every error response of the hub and the edge."""

    error: str = Field(description="Stable machine-readable code")
    detail: str
