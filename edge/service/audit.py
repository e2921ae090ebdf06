"""Writing the audit trail: one `Audited` event in the outbox per audited till action, in the
caller's transaction (edge.domain.audit)."""

from __future__ import annotations

from collections.abc import Mapping

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import EMPTY, Acting, Audited, Authorized
from edge.domain.node import NodeIdentity
from edge.domain.staff import StaffMember
from shared.ids import new_id
from sync.messages.staff import AuditKind


def record_audit(
    uow: EdgeUnitOfWork,
    kind: AuditKind,
    *,
    identity: NodeIdentity,
    till_id: str | None,
    staff: StaffMember | None,
    approver: StaffMember | None = None,
    subject: str | None = None,
    details: Mapping[str, str] = EMPTY,
) -> Audited:
    """Append one audit event (time: the node's clock; business day: the store's calendar
    date then) to the outbox in the caller's write transaction, and return it. Raises
    RuntimeError in a read transaction."""
    at = uow.now()
    event = Audited(
        audit_id=new_id(),
        kind=kind,
        at=at,
        business_day=identity.business_day(at),
        till_id=till_id,
        staff_code=staff.staff_code if staff else None,
        staff_name=staff.name if staff else None,
        approver_code=approver.staff_code if approver else None,
        approver_name=approver.name if approver else None,
        subject=subject,
        details=dict(details),
    )
    uow.emit(event)
    return event


def audit_action(
    uow: EdgeUnitOfWork,
    kind: AuditKind,
    who: Acting | Authorized,
    *,
    identity: NodeIdentity,
    subject: str | None = None,
    details: Mapping[str, str] = EMPTY,
) -> Audited:
    """Audit an action of the signed-in staff member (`Acting`), or one allowed to them
    (`Authorized`: with the approver of an override). See `record_audit`."""
    acting = who.acting if isinstance(who, Authorized) else who
    approver = who.approver if isinstance(who, Authorized) else None
    return record_audit(
        uow,
        kind,
        identity=identity,
        till_id=acting.till_id,
        staff=acting.staff,
        approver=approver,
        subject=subject,
        details=details,
    )
