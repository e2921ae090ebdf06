"""End-of-day integrity: a node's day totals against the hub's ledger, and alerts on mismatch.

Comparing three sums per day (documents, signed total, hash of event ids) finds a lost, doubled
or quarantined sale without comparing rows. The node sends its totals only for days whose
events are all acknowledged, so a mismatch is never an upload in flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hub.adapters.database import HubDatabase
from hub.adapters.repository import IntegrityRepository, LedgerRepository
from hub.errors import AlertNotFound, AlreadyResolved, PermissionDenied, ProtocolVersionMismatch
from hub.service.stores import AuthenticatedNode
from shared.clock import Clock
from sync.messages import (
    PROTOCOL_VERSION,
    ChecksumRequest,
    ChecksumResponse,
    DayChecksumV1,
    DayVerdict,
)
from sync.protocol import day_totals


async def compare_checksums(
    request: ChecksumRequest, node: AuthenticatedNode, db: HubDatabase, clock: Clock
) -> ChecksumResponse:
    """The hub's totals for each day, matched or not; mismatches become alerts (once per
    distinct pair of figures). Raises ProtocolVersionMismatch, PermissionDenied.
    """
    if request.protocol_version != PROTOCOL_VERSION:
        raise ProtocolVersionMismatch(request.protocol_version, PROTOCOL_VERSION)
    if (request.store_id, request.node_id) != (node.store_id, node.node_id):
        raise PermissionDenied(
            f"credential of node {node.node_id} cannot report for {request.node_id}"
        )
    days = [day.business_day for day in request.days]
    verdicts = []
    async with db.write() as connection:
        documents = await LedgerRepository(connection).event_totals(node.node_id, days)
        alerts = IntegrityRepository(connection)
        for edge in request.days:
            totals = day_totals(documents.get(edge.business_day, []))
            hub = DayChecksumV1(
                business_day=edge.business_day,
                count=totals.count,
                total_minor=totals.total_minor,
                id_hash=totals.id_hash,
            )
            matched = (edge.count, edge.total_minor, edge.id_hash) == (
                hub.count,
                hub.total_minor,
                hub.id_hash,
            )
            if not matched:
                await alerts.raise_once(node.store_id, node.node_id, edge, hub, clock.now())
            verdicts.append(
                DayVerdict(
                    business_day=edge.business_day,
                    status="matched" if matched else "mismatch",
                    hub=hub,
                )
            )
    return ChecksumResponse(protocol_version=PROTOCOL_VERSION, days=verdicts)


@dataclass(frozen=True, slots=True)
class IntegrityAlert:
    alert_id: int
    store_id: str
    node_id: str
    business_day: date
    edge: DayChecksumV1
    hub: DayChecksumV1
    created_at: datetime
    resolved_at: datetime | None = None
    resolution: str | None = None


def _alert(row: Any) -> IntegrityAlert:
    return IntegrityAlert(
        alert_id=row.alert_id,
        store_id=row.store_id,
        node_id=row.node_id,
        business_day=row.business_day,
        edge=DayChecksumV1(
            business_day=row.business_day,
            count=row.edge_count,
            total_minor=row.edge_total_minor,
            id_hash=row.edge_id_hash,
        ),
        hub=DayChecksumV1(
            business_day=row.business_day,
            count=row.hub_count,
            total_minor=row.hub_total_minor,
            id_hash=row.hub_id_hash,
        ),
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
    )


async def list_alerts(
    db: HubDatabase, *, store_id: str | None = None, limit: int = 100
) -> list[IntegrityAlert]:
    """Open integrity alerts, oldest first."""
    async with db.read() as connection:
        rows = await IntegrityRepository(connection).open_alerts(store_id, limit)
    return [_alert(row) for row in rows]


async def resolve_alert(
    alert_id: int, resolution: str, db: HubDatabase, clock: Clock
) -> IntegrityAlert:
    """Close an alert with what was found and done (a resent sale, a restored backup...). The
    same resolution again (a retry) returns the alert as closed the first time; a mismatch
    seen again later raises a new alert. Raises AlertNotFound, AlreadyResolved.
    """
    async with db.write() as connection:
        row = await IntegrityRepository(connection).resolve(alert_id, resolution, clock.now())
    if row is None:
        raise AlertNotFound(alert_id)
    if row.resolution != resolution:
        raise AlreadyResolved("integrity alert", alert_id, row.resolution)
    return _alert(row)


async def open_alert_count(db: HubDatabase) -> int:
    async with db.read() as connection:
        return await IntegrityRepository(connection).count_open()
