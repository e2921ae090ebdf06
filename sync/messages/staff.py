"""Staff at the stores: the `staff` feed entity and the `audit.recorded` event.

A staff member is an HQ record (name, code, role, the stores they work at), published to the
feed of each of their stores. Their PIN never travels: only its argon2id hash (shared.pins),
and that as the shared record `staff_pin` (field `pin_hash`, keyed by staff code), so a PIN
HQ resets and a PIN the staff member changes at a till converge by HLC like any shared
record (sync.records, docs/conflict-rules.md).

Every audited action at a till (sign-in, failed PIN, lockout, override, void, discount,
no-sale, paid-in/out, reprint, shift open/close ...) is an append-only `audit.recorded`
event in the outbox; the hub keeps each once and HQ lists them (`GET /v1/audit`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.bounds import Identifier, Name, Reference, ShortText, StaffCode
from sync.messages.base import Payload, TillId

StaffRole = Literal["cashier", "supervisor", "manager"]


class StaffV1(Payload):
    """The `staff` feed entity (key: the staff code). `active: false` means the staff member
    left: a till refuses their sign-in. The PIN hash travels apart, as `staff_pin`."""

    staff_code: StaffCode
    name: Name
    role: StaffRole
    stores: list[Identifier] = Field(max_length=1000)
    active: bool = True


# What a till audits (docs/counter.md, "Audit trail"). Only add kinds; never rename one.
AuditKind = Literal[
    "sign_in",
    "sign_out",
    "pin_failed",
    "locked",
    "unlocked",
    "pin_changed",
    "override",
    "line_void",
    "cart_void",
    "quantity_change",
    "discount",
    "price_override",
    "no_sale",
    "paid_in",
    "paid_out",
    "reprint",
    "shift_open",
    "shift_close",
    "cart_parked",
    "cart_recalled",
    "parked_cart_voided",
    "sale_reversed",
    # At the store manager's dashboard (till_id "dashboard"): a manager set a staff member's
    # new PIN (subject: their staff code), and edited the store's settings (details: fields).
    "pin_reset",
    "settings_edited",
]
AUDIT_KINDS: tuple[str, ...] = AuditKind.__args__  # type: ignore[attr-defined]

DetailValue = Annotated[str, Field(max_length=200)]


class AuditRecordedV1(Payload):
    """One audited action at a till, as it happened there. `staff_code` is who did it (the
    signed-in cashier, or the staff member who typed a wrong PIN); `approver_code` is the
    supervisor or manager who approved it by override (with both names, as the issue asks).
    `subject` names what it was done to (a cart, line, sale or shift id); `details` carries
    the figures (amounts as decimal strings, a reason code), at most 20 entries."""

    audit_id: UUID
    kind: AuditKind
    till_id: TillId | None = None
    staff_code: StaffCode | None = None
    staff_name: Name | None = None
    approver_code: StaffCode | None = None
    approver_name: Name | None = None
    at: AwareDatetime
    business_day: date
    subject: Reference | None = None
    details: dict[ShortText, DetailValue] = Field(default_factory=dict, max_length=20)
