"""Wire messages of the sync protocol (pydantic v2), version `PROTOCOL_VERSION`.

An upload is a `PushRequest` holding `RawEvent`s: envelopes whose payload is still a plain
dict, so one event the hub cannot understand never spoils the batch it travels in. The hub
turns each into a typed `Event` with `parse_event`, a discriminated union on `kind`.

Evolution rule: only add fields (with defaults) or new kinds; never reuse a name for a new
meaning. A payload change that breaks readers gets a new `schema_version` for its kind.

Money and unit prices travel as decimal strings ("2.55"); JSON numbers with a fraction are
refused, because a float is not money.

The models live by what they are about; import them from here:

    base        the protocol version, the base models, constrained texts
    events      envelopes, the union on `kind`, SCHEMA_VERSIONS, parse_event
    push        the upload and its acknowledgement
    feed        feed and snapshot pages, FEED_ENTITIES and their payload models
    sales       sales and returns, their lines, line terms and tenders
    tenders     card tenders, `card.settled`, stored-value balances
    cash        cash movements
    records     records both sides may edit
    refunds     refund requests and HQ's decisions
    b2b         B2B carts, payments and approvals
    staff       the `staff` feed entity and the `audit.recorded` event
    shifts      the Z report of a closed shift (`shift.closed`)
    till_limits the `store` feed entity: configuration and till limits
    catalogue   products, prices, tax rates, promotions, stock levels
    enrolment   enrolment, the store's configuration, credentials
    checksums   day checksums and verdicts
    error_body  the body of every error response
"""

from __future__ import annotations

from sync.messages.b2b import (
    B2BApprovalV1,
    B2BCartSubmittedV1,
    B2BLineV1,
    B2BPaymentComposedV1,
    B2BStatus,
    B2BTenderKind,
    B2BTenderPlanV1,
)
from sync.messages.base import (
    PROTOCOL_VERSION,
    CurrencyCode,
    Identifier,
    LongText,
    Message,
    Payload,
    ShortText,
    Sku,
    TillId,
)
from sync.messages.cash import CashMovedV1, CashMovementKind
from sync.messages.catalogue import PriceV1, ProductV1, PromotionV1, StockLevelV1, TaxRateV1
from sync.messages.checksums import ChecksumRequest, ChecksumResponse, DayChecksumV1, DayVerdict
from sync.messages.enrolment import CredentialRotated, EnrolRequest, EnrolResponse, StoreConfigV1
from sync.messages.error_body import ErrorBody
from sync.messages.events import (
    SCHEMA_VERSIONS,
    AnyEvent,
    AuditRecorded,
    B2BCartSubmitted,
    B2BPaymentComposed,
    CardSettled,
    CashMoved,
    EnvelopeFields,
    Event,
    RawEvent,
    RecordUpdated,
    RefundRequested,
    ReturnRecorded,
    SaleCompleted,
    ShiftClosed,
    parse_event,
)
from sync.messages.feed import (
    FEED_ENTITIES,
    FEED_PAYLOADS,
    EventStatusV1,
    FeedEntry,
    FeedPage,
    SnapshotItem,
    SnapshotPage,
)
from sync.messages.push import (
    MAX_PUSH_EVENTS,
    PushRequest,
    PushResponse,
    RejectedEvent,
    RoundTripV1,
    SeqRange,
)
from sync.messages.records import RecordUpdatedV1, StampedValue
from sync.messages.refunds import RefundDecisionV1, RefundLineV1, RefundRequestedV1, RefundStatus
from sync.messages.sales import (
    LineTermsV1,
    ReturnLineV1,
    ReturnLineV2,
    ReturnLineV4,
    ReturnRecordedV1,
    ReturnRecordedV2,
    ReturnRecordedV3,
    ReturnRecordedV4,
    ReturnRecordedV5,
    SaleCompletedV1,
    SaleCompletedV2,
    SaleCompletedV3,
    SaleCompletedV4,
    SaleCompletedV5,
    SaleLineV1,
    SaleLineV2,
    SaleLineV4,
    SaleLineV5,
    TenderV1,
    TenderV2,
    TenderV3,
)
from sync.messages.shifts import TaxAtRateV1, TenderTotalV1, ZReportV1
from sync.messages.staff import AUDIT_KINDS, AuditKind, AuditRecordedV1, StaffRole, StaffV1
from sync.messages.tenders import (
    CardOutcome,
    CardSettledV1,
    CardStatus,
    CardTenderV1,
    StoredValueBalanceV1,
    TenderKind,
)
from sync.messages.till_limits import StoreFeedConfigV1, TillLimitsV1

__all__ = [
    "MAX_PUSH_EVENTS",
    "CardOutcome",
    "CardSettledV1",
    "CardStatus",
    "CardTenderV1",
    "StoredValueBalanceV1",
    "TenderKind",
    "AUDIT_KINDS",
    "AuditKind",
    "AuditRecorded",
    "AuditRecordedV1",
    "StaffRole",
    "StaffV1",
    "ShiftClosed",
    "CardSettled",
    "TaxAtRateV1",
    "TenderTotalV1",
    "ZReportV1",
    "FEED_ENTITIES",
    "FEED_PAYLOADS",
    "PROTOCOL_VERSION",
    "SCHEMA_VERSIONS",
    "AnyEvent",
    "B2BApprovalV1",
    "B2BCartSubmitted",
    "B2BCartSubmittedV1",
    "B2BLineV1",
    "B2BPaymentComposed",
    "B2BPaymentComposedV1",
    "B2BStatus",
    "B2BTenderKind",
    "B2BTenderPlanV1",
    "CashMoved",
    "CashMovedV1",
    "CashMovementKind",
    "ChecksumRequest",
    "ChecksumResponse",
    "CredentialRotated",
    "CurrencyCode",
    "DayChecksumV1",
    "DayVerdict",
    "EnrolRequest",
    "EnrolResponse",
    "EnvelopeFields",
    "ErrorBody",
    "Event",
    "EventStatusV1",
    "FeedEntry",
    "FeedPage",
    "Identifier",
    "LineTermsV1",
    "LongText",
    "Message",
    "Payload",
    "PriceV1",
    "ProductV1",
    "PromotionV1",
    "PushRequest",
    "PushResponse",
    "RawEvent",
    "RecordUpdated",
    "RecordUpdatedV1",
    "RefundDecisionV1",
    "RefundLineV1",
    "RefundRequested",
    "RefundRequestedV1",
    "RefundStatus",
    "RejectedEvent",
    "ReturnLineV1",
    "ReturnLineV2",
    "ReturnLineV4",
    "ReturnRecorded",
    "ReturnRecordedV1",
    "ReturnRecordedV2",
    "ReturnRecordedV3",
    "ReturnRecordedV4",
    "ReturnRecordedV5",
    "RoundTripV1",
    "SaleCompleted",
    "SaleCompletedV1",
    "SaleCompletedV2",
    "SaleCompletedV3",
    "SaleCompletedV4",
    "SaleCompletedV5",
    "SaleLineV5",
    "TenderV3",
    "SaleLineV1",
    "SaleLineV2",
    "SaleLineV4",
    "SeqRange",
    "ShortText",
    "Sku",
    "SnapshotItem",
    "SnapshotPage",
    "StampedValue",
    "StockLevelV1",
    "StoreConfigV1",
    "StoreFeedConfigV1",
    "TaxRateV1",
    "TenderV1",
    "TenderV2",
    "TillLimitsV1",
    "TillId",
    "parse_event",
]
