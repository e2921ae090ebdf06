"""Staff as HQ holds them, and the tills' audit entries as the hub keeps them.

A staff member works at some stores (`stores`, current) and may have worked at others
(`former_stores`): each store's feed carries them as the entity `staff` (sync.messages.StaffV1),
active only where they work now. Their PIN is not here: only its argon2id hash, as the shared
record `staff_pin` (hub.service.staff), and never a PIN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sync.messages import StaffRole, StaffV1


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """A staff member: `active` False means they left (no store lets them sign in);
    `version` is one more per change published to the feed."""

    staff_code: str
    name: str
    role: StaffRole
    active: bool
    stores: tuple[str, ...]
    version: int
    created_at: datetime
    updated_at: datetime
    former_stores: tuple[str, ...] = ()

    def feed_payload(self, store_id: str) -> StaffV1:
        """What `store_id`'s feed says of them: active there only if active and working
        there now (a store taken off their list gets `active: false`)."""
        return StaffV1(
            staff_code=self.staff_code,
            name=self.name,
            role=self.role,
            stores=list(self.stores),
            active=self.active and store_id in self.stores,
        )


@dataclass(frozen=True, slots=True)
class TillAuditEntry:
    """One audited action at a till (`audit.recorded`), as the hub keeps it: which store,
    node and event it came in, and when the hub received it. `entry_id` orders the entries
    (the paging cursor); 0 before it is stored."""

    entry_id: int
    audit_id: UUID
    event_id: UUID
    store_id: str
    node_id: str
    kind: str
    till_id: str | None
    staff_code: str | None
    staff_name: str | None
    approver_code: str | None
    approver_name: str | None
    at: datetime
    business_day: date
    subject: str | None
    details: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True, slots=True)
class TillAuditFilter:
    """Which till audit entries to list: each given criterion must hold. `staff` matches
    who did it or who approved it; `since` included, `until` excluded (the till's time)."""

    store_id: str | None = None
    staff: str | None = None
    kind: str | None = None
    till_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
