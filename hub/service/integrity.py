"""End-of-day integrity: a node's day totals against the hub's ledger, and alerts on mismatch.

Comparing three sums per day (documents, signed total, hash of event ids) finds a lost, doubled
or quarantined sale without comparing rows. The node sends its totals only for days whose
events are all acknowledged, so a mismatch is never an upload in flight.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.adapters.unit_of_work import HubUnitOfWork
from hub.domain.integrity import IntegrityAlert
from hub.errors import AlertNotFound, AlreadyResolved, PermissionDenied, ProtocolVersionMismatch
from hub.service.stores import AuthenticatedNode
from sync.messages import (
    PROTOCOL_VERSION,
    ChecksumRequest,
    ChecksumResponse,
    DayChecksumV1,
    DayVerdict,
)
from sync.protocol import day_totals


@dataclass(frozen=True, slots=True)
class CompareChecksums:
    """Check `checksums`, the day totals `node` (the caller, by its credential) reported."""

    node: AuthenticatedNode
    checksums: ChecksumRequest


async def compare_checksums(command: CompareChecksums, uow: HubUnitOfWork) -> ChecksumResponse:
    """The hub's totals for each day, matched or not; mismatches become alerts (once per
    distinct pair of figures). Raises ProtocolVersionMismatch, PermissionDenied.
    """
    request, node = command.checksums, command.node
    if request.protocol_version != PROTOCOL_VERSION:
        raise ProtocolVersionMismatch(request.protocol_version, PROTOCOL_VERSION)
    if (request.store_id, request.node_id) != (node.store_id, node.node_id):
        raise PermissionDenied(
            f"credential of node {node.node_id} cannot report for {request.node_id}"
        )
    days = [day.business_day for day in request.days]
    verdicts = []
    async with uow.write() as tx:
        documents = await tx.ledger.event_totals(node.node_id, days)
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
                await tx.integrity.raise_once(node.store_id, node.node_id, edge, hub, uow.now())
            verdicts.append(
                DayVerdict(
                    business_day=edge.business_day,
                    status="matched" if matched else "mismatch",
                    hub=hub,
                )
            )
    return ChecksumResponse(protocol_version=PROTOCOL_VERSION, days=verdicts)


async def list_alerts(
    *, store_id: str | None = None, limit: int = 100, uow: HubUnitOfWork
) -> list[IntegrityAlert]:
    """Open integrity alerts, oldest first."""
    async with uow.read() as tx:
        return await tx.integrity.open_alerts(store_id, limit)


@dataclass(frozen=True, slots=True)
class ResolveAlert:
    """Close alert `alert_id` with `resolution`: what was found and done (a resent sale, a
    restored backup...)."""

    alert_id: int
    resolution: str


async def resolve_alert(command: ResolveAlert, uow: HubUnitOfWork) -> IntegrityAlert:
    """Close an open alert; returns it closed. The same resolution again (a retry) returns the
    alert as closed the first time; a mismatch seen again later raises a new alert. Raises
    AlertNotFound, AlreadyResolved (closed before with another resolution).
    """
    async with uow.write() as tx:
        alert = await tx.integrity.resolve(command.alert_id, command.resolution, uow.now())
    if alert is None:
        raise AlertNotFound(command.alert_id)
    if alert.resolution != command.resolution:
        raise AlreadyResolved("integrity alert", command.alert_id, alert.resolution)
    return alert


async def open_alert_count(uow: HubUnitOfWork) -> int:
    async with uow.read() as tx:
        return await tx.integrity.count_open()
