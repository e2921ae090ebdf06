"""The tills' audit trail at the hub: each `audit.recorded` event kept once, listed for HQ.

A till writes one event per audited action (edge.service.audit) in the action's own
transaction; ingest keeps each once by its audit id (a re-sent or re-emitted event adds
nothing) with the store and node it came from. HQ lists them with GET /v1/audit (source
`store`), beside its own actions (source `hq`, hub.service.audit).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.staff import TillAuditEntry, TillAuditFilter
from sync.messages import AuditRecorded, RawEvent


def audit_entry_of(raw: RawEvent, event: AuditRecorded, received_at: datetime) -> TillAuditEntry:
    """The entry the hub keeps of `event` (uploaded as `raw`), received at `received_at`."""
    audit = event.payload
    return TillAuditEntry(
        entry_id=0,
        audit_id=audit.audit_id,
        event_id=raw.event_id,
        store_id=raw.store_id,
        node_id=raw.node_id,
        kind=audit.kind,
        till_id=audit.till_id,
        staff_code=audit.staff_code,
        staff_name=audit.staff_name,
        approver_code=audit.approver_code,
        approver_name=audit.approver_name,
        at=audit.at,
        business_day=audit.business_day,
        subject=audit.subject,
        details=dict(audit.details),
        received_at=received_at,
    )


async def keep_audit_entry(entry: TillAuditEntry, tx: HubTransaction) -> bool:
    """Keep `entry` in the caller's transaction; False if its audit id is held already."""
    return await tx.till_audit.add(entry)


async def keep_audit_entries(entries: Sequence[TillAuditEntry], tx: HubTransaction) -> None:
    """Keep each of `entries` whose audit id is not held yet, in order, in the caller's
    transaction, at once."""
    await tx.till_audit.add_all(entries)


async def till_audit_trail(
    where: TillAuditFilter, *, after_id: int = 0, limit: int = 100, uow: HubUnitOfWork
) -> list[TillAuditEntry]:
    """Entries meeting `where` after `after_id` (the last `entry_id` seen), in the order the
    hub received them, at most `limit`."""
    async with uow.read() as tx:
        return await tx.till_audit.page(where, after_id=after_id, limit=limit)
