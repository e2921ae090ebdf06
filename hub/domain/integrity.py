"""Integrity alerts: a node's day totals that did not match the hub's ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sync.messages import DayChecksumV1

# The node id of a card settlement's alert (hub.domain.settlements): its "edge" figures are
# the acquirer's, its `business_day` the UTC day settled.
SETTLEMENT_NODE = "acquirer"


@dataclass(frozen=True, slots=True)
class IntegrityAlert:
    """A node's business day whose totals (`edge`) differ from the ledger's (`hub`); open
    until resolved with what was found and done. A Z report's alert names its `till_id` and
    `z_number`; its count and total are the Z's documents and net sales, and `details` says
    which figures differ (hub.domain.z_reports). A card settlement's alert has node_id
    `acquirer` (SETTLEMENT_NODE): `edge` is the acquirer's count and net card money of the UTC
    day, `hub` the ledger's, and `details` both sides' captured and refunded."""

    alert_id: int
    store_id: str
    node_id: str
    business_day: date
    edge: DayChecksumV1
    hub: DayChecksumV1
    created_at: datetime
    resolved_at: datetime | None = None
    resolution: str | None = None
    till_id: str | None = None
    z_number: int | None = None
    details: str | None = None
