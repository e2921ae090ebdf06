"""The dashboard's "Staff and audit" and "Settings" pages: read models (the store's staff with
their locks; the audit trail of a business day from this node's outbox) and the manager's
actions (unlock, reset a PIN, edit the store's settings).

Everything works with HQ unreachable: staff, PIN hashes and settings are on this node, the
audit trail is the node's own outbox, and each action is written with its audit event in one
transaction; a PIN reset and a settings edit travel to HQ as shared-record edits (HLC,
sync.records) through the outbox. The dashboard acts as an `Acting` whose `till_id` is
"dashboard", so the trail shows where an action was taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain import staff as rules
from edge.domain.audit import Acting, Audited
from edge.domain.node import NodeIdentity
from edge.domain.staff import DiscountThreshold, LockoutPolicy, PinNotAccepted, Role, SignInState
from edge.domain.tender_limits import (
    DEFAULT_CARD_HOURS,
    DEFAULT_CARD_TILL_MAX,
    DEFAULT_CARD_TRANSACTION_MAX,
    DEFAULT_GIFT_CARD_MAX,
    DEFAULT_STORE_CREDIT_MAX,
)
from edge.errors import Forbidden, Invalid
from edge.service import staff
from edge.service.audit import record_audit
from edge.service.dashboard_stock import DEFAULT_LOW_STOCK_THRESHOLD as DEFAULT_LOW_STOCK
from edge.service.records import EditRecord
from edge.service.staff import StaffNotFound, StaffStatus
from shared.clock import Clock
from shared.pins import hash_pin, verify_pin
from sync.messages.staff import AUDIT_KINDS
from sync.records import MAX_FIELD_LENGTH, check_fields

PAGE_SIZE = 50

# What the trail's kinds are called on the page; every AuditKind has a label.
KIND_LABELS: Mapping[str, str] = {
    "sign_in": "Sign-ins",
    "sign_out": "Sign-outs",
    "pin_failed": "Failed PINs",
    "locked": "Lockouts",
    "unlocked": "Unlocks",
    "pin_changed": "PIN changes",
    "pin_reset": "PIN resets",
    "override": "Overrides",
    "line_void": "Line voids",
    "cart_void": "Cart voids",
    "quantity_change": "Quantity changes",
    "discount": "Discounts",
    "price_override": "Price overrides",
    "no_sale": "No-sales",
    "paid_in": "Paid-ins",
    "paid_out": "Paid-outs",
    "reprint": "Reprints",
    "shift_open": "Shifts opened",
    "shift_close": "Shifts closed",
    "cart_parked": "Carts parked",
    "cart_recalled": "Carts recalled",
    "parked_cart_voided": "Parked carts voided",
    "sale_reversed": "Sales reversed",
    "settings_edited": "Settings edits",
}
# What one entry of each kind is called in the list.
ENTRY_LABELS: Mapping[str, str] = {
    "sign_in": "Sign-in",
    "sign_out": "Sign-out",
    "pin_failed": "Wrong PIN",
    "locked": "Locked out",
    "unlocked": "Unlocked",
    "pin_changed": "PIN changed",
    "pin_reset": "PIN reset",
    "override": "Override",
    "line_void": "Line void",
    "cart_void": "Cart void",
    "quantity_change": "Quantity change",
    "discount": "Discount",
    "price_override": "Price override",
    "no_sale": "No-sale",
    "paid_in": "Paid-in",
    "paid_out": "Paid-out",
    "reprint": "Reprint",
    "shift_open": "Shift opened",
    "shift_close": "Shift closed",
    "cart_parked": "Cart parked",
    "cart_recalled": "Cart recalled",
    "parked_cart_voided": "Parked cart voided",
    "sale_reversed": "Sale reversed",
    "settings_edited": "Settings edited",
}
# The counts always shown (zero too), in this order; other kinds only when the day has some.
HEADLINE_KINDS = (
    "sign_in",
    "pin_failed",
    "locked",
    "override",
    "line_void",
    "cart_void",
    "no_sale",
    "price_override",
    "discount",
    "reprint",
    "paid_out",
)


class UnknownAuditKind(Invalid):
    code = "unknown_audit_kind"

    def __init__(self, kind: str) -> None:
        super().__init__(f"{kind!r} is not a kind of audit event")
        self.kind = kind


class ManagerOnly(Forbidden):
    """An action only a manager may take at the dashboard (a supervisor is signed in)."""

    code = "manager_only"

    def __init__(self, staff_code: str, action: str) -> None:
        super().__init__(f"only a manager may {action}: staff {staff_code} is not a manager")
        self.staff_code = staff_code
        self.action = action


class SettingsInvalid(Invalid):
    """Settings that cannot be saved: `errors` is field name -> what is wrong, for the form."""

    code = "settings_invalid"

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True, slots=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of a business day's audit trail, newest first: `counts` of the whole day per
    kind (unfiltered), `entries` matching `kind` and `staff_code`, `total` of them, `page`
    of `pages` (from 1; `pages` is at least 1)."""

    business_day: date
    kind: str | None
    staff_code: str | None
    counts: list[KindCount]
    entries: list[Audited]
    total: int
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class StaffOverview:
    staff: list[StaffStatus]
    audit: AuditPage


def audit_page(
    uow: EdgeUnitOfWork,
    business_day: date,
    *,
    kind: str | None = None,
    staff_code: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """The audit trail of `business_day` from this node's outbox: per-kind counts of the day
    and page `page` (a page past the last gives the last) of the entries of `kind` (None:
    all) done, approved or undergone by `staff_code` (None: anyone). Raises
    UnknownAuditKind."""
    if kind is not None and kind not in AUDIT_KINDS:
        raise UnknownAuditKind(kind)
    held = uow.dashboard_audit.kind_counts(business_day)
    shown = [*HEADLINE_KINDS, *(k for k in KIND_LABELS if k not in HEADLINE_KINDS and held.get(k))]
    counts = [KindCount(k, KIND_LABELS[k], held.get(k, 0)) for k in shown]
    total = uow.dashboard_audit.count(business_day, kind=kind, staff_code=staff_code)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    entries = uow.dashboard_audit.entries(
        business_day, kind=kind, staff_code=staff_code,
        offset=(page - 1) * page_size, limit=page_size,
    )  # fmt: skip
    return AuditPage(business_day, kind, staff_code, counts, entries, total, page, pages)


def staff_overview(
    uow: EdgeUnitOfWork,
    business_day: date,
    *,
    kind: str | None = None,
    staff_code: str | None = None,
    page: int = 1,
) -> StaffOverview:
    """The store's staff (role, active, locked until: edge.service.staff.staff_list) and the
    audit page of `business_day` (see `audit_page`), from one snapshot."""
    return StaffOverview(
        staff.staff_list(uow),
        audit_page(uow, business_day, kind=kind, staff_code=staff_code, page=page),
    )


def unlock_staff(
    staff_code: str, acting: Acting, uow: EdgeUnitOfWork, *, identity: NodeIdentity
) -> StaffStatus:
    """Lift `staff_code`'s lock from the dashboard (Permission.UNLOCK_STAFF: the permissions
    table decides; no override here), audited `unlocked` if they were locked. Raises
    NotPermitted (a role that may not), StaffNotFound."""
    return staff.unlock(staff_code, acting, None, uow, identity=identity)


def reset_pin(
    staff_code: str,
    new_pin: str,
    repeated_pin: str,
    acting: Acting,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
) -> StaffStatus:
    """A manager gives `staff_code` a new PIN (typed twice): the PIN rules of a change
    (edge.domain.staff.accept_new_pin) and not their current PIN. The hash is kept here and
    sent to HQ as the shared record `staff_pin` (HLC); the staff member's lock and count of
    wrong PINs are cleared; their open till sessions end (`end_reason` `pin_reset`: the
    tills ask for the new PIN); audited `pin_reset` (subject: the staff code; never the PIN).
    Raises ManagerOnly, StaffNotFound, PinNotAccepted."""
    if acting.staff.role != Role.MANAGER:
        raise ManagerOnly(acting.staff.staff_code, "reset a PIN")
    row = uow.staff.get(staff_code)
    if row is None:
        raise StaffNotFound(staff_code)
    if new_pin != repeated_pin:
        raise PinNotAccepted("the two PINs typed are not the same")
    rules.accept_new_pin(new_pin)
    if row.pin_hash is not None and verify_pin(row.pin_hash, new_pin):
        raise PinNotAccepted("it is the same as the current PIN")
    now = uow.now()
    was_locked = uow.staff.sign_in_state(staff_code).locked_at(now)
    uow.staff.save_sign_in_state(staff_code, SignInState())
    staff.save_pin_hash(uow, staff_code, hash_pin(new_pin))
    # A reset is often made because the PIN was seen: the sessions it opened end too.
    ended = uow.staff.end_sessions_of(staff_code, now, "pin_reset")
    record_audit(
        uow, "pin_reset", identity=identity, till_id=acting.till_id, staff=acting.staff,
        subject=staff_code, details={"lock_lifted": "yes" if was_locked else "no",
                                     "till_sessions_ended": str(ended)},
    )  # fmt: skip
    return StaffStatus(row.staff_code, row.name, str(row.role), row.active, None)


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """A field of the store's settings as the form shows it: `hint` says what it must be,
    `default` what the till uses while it is empty (None: nothing printed)."""

    name: str
    label: str
    hint: str
    default: str | None = None
    multiline: bool = False


_AMOUNT = "an amount such as 25.00 (at most 2 decimal places)"
SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("receipt_header", "Receipt header", "printed under the store's name, each line "
                f"as typed, at most {MAX_FIELD_LENGTH} characters in all", multiline=True),
    SettingSpec("receipt_footer", "Receipt footer", "printed at the foot of every receipt, each "
                f"line as typed, at most {MAX_FIELD_LENGTH} characters in all", multiline=True),
    SettingSpec("phone", "Phone", "printed on receipts after \"Tel\""),
    SettingSpec("manager_name", "Manager's name", "the store manager HQ should ask for"),
    SettingSpec("pin_max_failures", "Wrong PINs before a lock", "a whole number from 1 to 99",
                str(LockoutPolicy().max_failures)),
    SettingSpec("pin_lock_minutes", "Lock lasts (minutes)", "whole minutes from 1 to 9999; "
                "also the window the wrong PINs are counted in",
                str(int(LockoutPolicy().lock_for.total_seconds() // 60))),
    SettingSpec("discount_percent_max", "Largest % discount a cashier gives alone",
                "a percent from 0 to 100, at most 2 decimal places",
                str(DiscountThreshold().percent_max)),
    SettingSpec("discount_amount_max", "Largest amount discount a cashier gives alone",
                _AMOUNT, str(DiscountThreshold().amount_max)),
    SettingSpec("card_offline_transaction_max", "Offline card: most per sale", _AMOUNT,
                str(DEFAULT_CARD_TRANSACTION_MAX)),
    SettingSpec("card_offline_till_max", "Offline cards: most waiting per till", _AMOUNT,
                str(DEFAULT_CARD_TILL_MAX)),
    SettingSpec("card_offline_hours", "Offline card: hours to forward it",
                "whole hours from 1 to 72", str(DEFAULT_CARD_HOURS)),
    SettingSpec("gift_card_offline_max", "Gift card: most spent offline", _AMOUNT,
                str(DEFAULT_GIFT_CARD_MAX)),
    SettingSpec("store_credit_offline_max", "Store credit: most spent offline", _AMOUNT,
                str(DEFAULT_STORE_CREDIT_MAX)),
    SettingSpec("low_stock_threshold", "Low stock at or below (units)",
                "a whole number of units; the Stock page lists items at or below it as low",
                str(DEFAULT_LOW_STOCK)),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SettingField:
    """A settings field with its value held now ("" when empty: the default applies)."""

    spec: SettingSpec
    value: str


def settings_form(uow: EdgeUnitOfWork, identity: NodeIdentity) -> list[SettingField]:
    """The store's settings as this node holds them, in the form's order."""
    held = staff.store_settings(uow, identity)
    return [SettingField(spec, _text(held.get(spec.name))) for spec in SETTINGS]


def save_settings(
    values: Mapping[str, str],
    acting: Acting,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    clock: Clock,
) -> list[str]:
    """Save the settings form: each of `values` (field name -> text typed; "" clears the
    field, so the default applies; fields absent are left alone; line ends made "\\n",
    spaces trimmed) is checked, and those that differ from what is held are edited through
    edge.service.staff.edit_record (Permission.EDIT_STORE_SETTINGS; a shared record with
    field-level HLC that travels to HQ through the outbox) and audited `settings_edited`
    (details: the fields). Returns the names of the fields changed (none: nothing written).
    Raises ManagerOnly, SettingsInvalid (every bad field, nothing saved)."""
    if acting.staff.role != Role.MANAGER:
        raise ManagerOnly(acting.staff.staff_code, "edit the store's settings")
    held = staff.store_settings(uow, identity)
    known = {spec.name: spec for spec in SETTINGS}
    errors: dict[str, str] = {}
    changed: dict[str, str | None] = {}
    for name, typed in values.items():
        spec = known.get(name)
        if spec is None:
            errors[name] = f"{name} is not a setting of the store"
            continue
        text = _normal(typed, multiline=spec.multiline)
        value = text or None
        try:
            check_fields("store_settings", {name: value})
        except ValueError:
            errors[name] = (
                f"{spec.label} must be at most {MAX_FIELD_LENGTH} characters ({len(text)} typed)."
                if len(text) > MAX_FIELD_LENGTH
                else f"{spec.label} must be {spec.hint}."
            )
            continue
        if value != (held.get(name) or None):
            changed[name] = value
    if errors:
        raise SettingsInvalid(errors)
    if not changed:
        return []
    command = EditRecord("store_settings", identity.store_id, changed)
    staff.edit_record(command, acting, None, uow, identity=identity, clock=clock)
    record_audit(
        uow, "settings_edited", identity=identity, till_id=acting.till_id, staff=acting.staff,
        subject=identity.store_id, details={"fields": ",".join(sorted(changed))},
    )  # fmt: skip
    return sorted(changed)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _normal(typed: str, *, multiline: bool) -> str:
    if not multiline:
        return typed.strip()
    lines = typed.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")
