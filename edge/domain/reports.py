"""What the node reports about itself: the X report, the outbox, day checks, conflicts.

Plain values read from the node's file by the read models (edge.service.reports); amounts in
integer minor units of the store's currency; business days are dates and instants aware
datetimes (the repositories read and write their text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DaySummary:
    """The X report of one trading day on this node: document counts and minor-unit sums.

    `units` (whole units of `each` items), `weight_g` (thousandths of a kg of weighed items)
    and `revenue_minor` are net of returns; `cash_in_minor` counts floats and paid-ins,
    `cash_out_minor` paid-outs and pickups.
    """

    sales: int
    returns: int
    lines: int
    units: int
    revenue_minor: int
    returns_minor: int
    cash_in_minor: int
    cash_out_minor: int
    weight_g: int = 0


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """Where the outbox stands: the last seq written, the last the hub acknowledged, how many
    wait between the two and when the oldest of them was written (aware, the node's clock),
    and how many the hub stored but could not apply."""

    last_seq: int
    acked_seq: int
    pending: int
    oldest_pending_created_at: datetime | None
    quarantined: int = 0


@dataclass(frozen=True, slots=True)
class QuarantinedEvent:
    """An event of this node the hub stored but could not apply, with the hub's reason."""

    seq: int
    event_id: UUID
    kind: str
    occurred_at: datetime
    reason: str | None


@dataclass(frozen=True, slots=True)
class DayCheck:
    """This node's totals of a business day, the hub's, the verdict (`matched` or
    `mismatch`) and when it was given (aware, the node's clock)."""

    business_day: date
    count: int
    total_minor: int
    id_hash: str
    status: str
    hub_count: int
    hub_total_minor: int
    hub_id_hash: str
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class CheckedDays:
    """How many business days matched the hub's ledger and how many did not."""

    matched: int
    mismatched: int


@dataclass(frozen=True, slots=True)
class RecordConflict:
    """A value of a shared record that lost a merge to a concurrent edit of the same field;
    `recorded_at` is when this node logged it (aware, the node's clock)."""

    conflict_id: int
    entity: str
    key: str
    field: str
    kept_value: str | None
    kept_hlc: str
    lost_value: str | None
    lost_hlc: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class NodeState:
    """The node's own state for /v1/status: outbox, catalogue counts, feed position, checks."""

    outbox: OutboxStats
    catalogue: dict[str, int]
    feed_cursor: str | None
    checked: CheckedDays


@dataclass(frozen=True, slots=True)
class MetricsFigures:
    """What the metrics endpoint reads from the file at each scrape."""

    outbox: OutboxStats
    mismatched_days: int
    record_conflicts: int
