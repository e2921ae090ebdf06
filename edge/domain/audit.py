"""The audit trail of a till: who did what, when, approved by whom.

Every audited action (sign-in, failed PIN, lockout, override, void, discount, price
override, no-sale, paid-in/out, reprint, shift open and close, park and recall ...) becomes
one append-only `Audited` event in the outbox, in the transaction of the action itself, so an
action and its audit record exist together or not at all. The hub keeps each once
(`audit.recorded`, sync.messages.staff) and HQ lists them (`GET /v1/audit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from uuid import UUID

from edge.domain.staff import StaffMember
from sync.messages.staff import AuditKind


@dataclass(frozen=True, slots=True)
class Acting:
    """Who does a till action: the staff member signed in at `till_id` in session
    `session_id`. Routes get it from the till session (edge.api.session); services take it."""

    till_id: str
    staff: StaffMember
    session_id: UUID


@dataclass(frozen=True, slots=True)
class Authorized:
    """An action allowed: by the signed-in staff member's own role (`approver` None), or by a
    supervisor's or manager's override for this one action (`approver`, with both names in
    the audit record)."""

    acting: Acting
    approver: StaffMember | None = None


EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Audited:
    """Event: an audited action. `staff_code`/`staff_name`: who did it; `approver_*`: who
    approved it by override; `subject`: what it was done to (a cart, line, sale or shift id);
    `details`: figures as text (amounts as decimal strings, reason codes), at most 20."""

    audit_id: UUID
    kind: AuditKind
    at: datetime
    business_day: date
    till_id: str | None = None
    staff_code: str | None = None
    staff_name: str | None = None
    approver_code: str | None = None
    approver_name: str | None = None
    subject: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
