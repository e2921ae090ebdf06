"""The download: feed and snapshot pages, the entities they carry and the payload model of each."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from shared.bounds import Seq
from sync.messages.b2b import B2BApprovalV1
from sync.messages.base import Message, Payload
from sync.messages.catalogue import PriceV1, ProductV1, PromotionV1, StockLevelV1, TaxRateV1
from sync.messages.refunds import RefundDecisionV1
from sync.messages.staff import StaffV1
from sync.messages.till_limits import StoreFeedConfigV1


class EventStatusV1(Payload):
    """HQ retried an event the hub had quarantined; `status` is what became of it."""

    event_id: UUID
    seq: Seq
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
    "staff",
    "staff_pin",
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
    "store": StoreFeedConfigV1,
    "event_status": EventStatusV1,
    "tax_rate": TaxRateV1,
    "promotion": PromotionV1,
    "refund_decision": RefundDecisionV1,
    "b2b_approval": B2BApprovalV1,
    "staff": StaffV1,
}
