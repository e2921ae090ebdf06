"""Bodies of the node routes: status, sync state, catalogue look-up, the driven clock.

The outbox's, the quarantine's and the day checks' days and instants are strings, written
with `isoformat()` (`+00:00`, not pydantic's `Z`), as these bodies have always carried them.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from edge.api.schemas.common import Body
from edge.domain.cart import PricedItem
from edge.domain.reports import DayCheck, OutboxStats, QuarantinedEvent
from shared.money import DecimalText


class ClockIn(Body):
    now: AwareDatetime


class CatalogueItemOut(BaseModel):
    sku: str
    description: str | None
    unit_price: DecimalText | None = Field(
        description="None: no price; sells only with an override"
    )
    price_version: int | None
    tax_code: str | None = None
    tax_rate: DecimalText | None = Field(None, description="Percent, included in the price")
    promotion_id: str | None = Field(None, description="The best promotion in force now")
    percent_off: DecimalText | None = None
    on_hand: int | None = Field(
        None,
        description="The hub's count for this store as of the last sync (sales not yet "
        "uploaded are not in it); null when it has none",
    )

    @classmethod
    def of(cls, item: PricedItem, on_hand: int | None = None) -> CatalogueItemOut:
        return cls(
            on_hand=on_hand,
            sku=item.sku,
            description=item.description,
            unit_price=item.unit_price,
            price_version=item.price_version,
            tax_code=item.tax.code if item.tax else None,
            tax_rate=item.tax.rate if item.tax else None,
            promotion_id=item.promotion.promotion_id if item.promotion else None,
            percent_off=item.promotion.percent_off if item.promotion else None,
        )


class OutboxOut(BaseModel):
    last_seq: int
    acked_seq: int
    pending: int
    oldest_pending_created_at: str | None
    quarantined: int = Field(
        description="Events the hub stored but could not apply (see /v1/sync/quarantine)"
    )

    @classmethod
    def of(cls, stats: OutboxStats) -> OutboxOut:
        oldest = stats.oldest_pending_created_at
        return cls(
            last_seq=stats.last_seq,
            acked_seq=stats.acked_seq,
            pending=stats.pending,
            oldest_pending_created_at=oldest.isoformat() if oldest is not None else None,
            quarantined=stats.quarantined,
        )


class QuarantinedOut(BaseModel):
    seq: int
    event_id: str
    kind: str
    occurred_at: str
    reason: str | None

    @classmethod
    def of(cls, event: QuarantinedEvent) -> QuarantinedOut:
        return cls(
            seq=event.seq,
            event_id=str(event.event_id),
            kind=event.kind,
            occurred_at=event.occurred_at.isoformat(),
            reason=event.reason,
        )


class SyncOut(BaseModel):
    online: bool | None
    last_success_at: AwareDatetime | None
    last_error: str | None
    last_error_at: AwareDatetime | None
    consecutive_failures: int
    next_attempt_in_s: float
    skew_ms: int | None = Field(description="Hub clock minus this node's clock at the last push")
    credential_rejected: bool
    feed_cursor: str | None


class IntegrityOut(BaseModel):
    matched_days: int = Field(description="Business days whose totals matched the hub's")
    mismatched_days: int = Field(description="Business days the hub's ledger disagrees with")


class DayChecksumOut(BaseModel):
    business_day: str
    count: int
    total_minor: int
    hub_count: int
    hub_total_minor: int
    checked_at: str

    @classmethod
    def of(cls, check: DayCheck) -> DayChecksumOut:
        return cls(
            business_day=check.business_day.isoformat(),
            count=check.count,
            total_minor=check.total_minor,
            hub_count=check.hub_count,
            hub_total_minor=check.hub_total_minor,
            checked_at=check.checked_at.isoformat(),
        )


class StatusOut(BaseModel):
    enrolled: bool
    store_id: str | None
    node_id: str | None
    store_name: str | None
    timezone: str | None
    currency: str | None
    clock: AwareDatetime
    clock_mode: str
    catalogue: dict[str, int]
    outbox: OutboxOut
    sync: SyncOut
    integrity: IntegrityOut
