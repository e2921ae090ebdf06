"""Staff at the till: roles, the permissions table, sign-in with lockout, manager overrides and
PIN changes. Pure: times come in as aware datetimes, PINs are checked against argon2id hashes
(shared.pins), and every step returns the new sign-in state and the events to audit.

The sign-in state is per staff member per store. A wrong PIN counts; `LockoutPolicy.
max_failures` wrong PINs within `window` lock the staff member for `lock_for`; while locked
every PIN is refused (StaffLocked, with the unlock time) without being checked, so a lock
cannot be used to test PINs; a manager's unlock (or the time running out) clears it; a
correct PIN clears the count. Events carry the staff code and time, never a PIN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from edge.errors import Conflict, Forbidden, Invalid, Unauthenticated
from shared.errors import InvalidTimestamp
from shared.pins import check_pin, hash_pin, is_trivial_pin, verify_pin


class Role(StrEnum):
    """A staff member's role, as HQ sets it."""

    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"


class Permission(StrEnum):
    """What a role may do beyond ringing up a sale (docs/counter.md, "Staff and permissions")."""

    VOID_LINE = "void_line"
    VOID_CART = "void_cart"
    DISCOUNT_ABOVE_THRESHOLD = "discount_above_threshold"
    PRICE_OVERRIDE = "price_override"
    NO_SALE = "no_sale"
    PAID_OUT = "paid_out"
    RETURN_WITHOUT_RECEIPT = "return_without_receipt"
    ISSUE_STORE_CREDIT = "issue_store_credit"
    REPRINT = "reprint"
    CLOSE_OTHER_SHIFT = "close_other_shift"
    UNLOCK_STAFF = "unlock_staff"
    EDIT_STORE_SETTINGS = "edit_store_settings"


_CASHIER = frozenset({Permission.VOID_LINE, Permission.REPRINT})
_SUPERVISOR = _CASHIER | {
    Permission.VOID_CART,
    Permission.DISCOUNT_ABOVE_THRESHOLD,
    Permission.PRICE_OVERRIDE,
    Permission.NO_SALE,
    Permission.PAID_OUT,
    Permission.RETURN_WITHOUT_RECEIPT,
    Permission.ISSUE_STORE_CREDIT,
}
_MANAGER = frozenset(Permission)

# The one permissions table (docs/counter.md shows it; a test checks the two agree).
PERMISSIONS: Mapping[Role, frozenset[Permission]] = MappingProxyType(
    {Role.CASHIER: _CASHIER, Role.SUPERVISOR: _SUPERVISOR, Role.MANAGER: _MANAGER}
)


@dataclass(frozen=True, slots=True)
class DiscountThreshold:
    """The largest discount a role without DISCOUNT_ABOVE_THRESHOLD gives on its own (a store
    setting): a percent discount up to `percent_max` %, an amount discount up to
    `amount_max` in the store's currency. Defaults: 10 % and 5.00."""

    percent_max: Decimal = Decimal(10)
    amount_max: Decimal = Decimal("5.00")


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """Store settings: `max_failures` wrong PINs within `window` lock a staff member for
    `lock_for`. Defaults: 5 wrong PINs within 15 minutes lock for 15 minutes."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.window <= timedelta(0) or self.lock_for <= timedelta(0):
            raise ValueError("a lockout needs at least one failure and positive durations")


def allows(
    role: Role,
    permission: Permission,
    *,
    discount_percent: Decimal | None = None,
    discount_amount: Decimal | None = None,
    threshold: DiscountThreshold | None = None,
) -> bool:
    """True if `role` may do `permission` on its own.

    For DISCOUNT_ABOVE_THRESHOLD, a role without it may still give a discount within
    `threshold` (default DiscountThreshold()): pass the discount as `discount_percent` (a
    percent discount, 12.5 for 12.5 %) or `discount_amount` (an amount discount, in the
    currency). Without either, only the roles holding the permission are allowed.
    """
    if permission in PERMISSIONS[role]:
        return True
    if permission is not Permission.DISCOUNT_ABOVE_THRESHOLD:
        return False
    limits = threshold or DiscountThreshold()
    if discount_percent is not None and discount_amount is not None:
        return False
    if discount_percent is not None:
        return discount_percent <= limits.percent_max
    if discount_amount is not None:
        return discount_amount <= limits.amount_max
    return False


class StaffLocked(Conflict):
    """The staff member is locked after too many wrong PINs, until `until` (ISO 8601) or a
    manager's unlock."""

    code = "staff_locked"

    def __init__(self, staff_code: str, until: datetime) -> None:
        super().__init__(f"staff {staff_code} is locked until {until.isoformat()}")
        self.staff_code = staff_code
        self.until = until


class WrongPin(Unauthenticated):
    """The staff code and PIN do not match (for the service to raise after it has stored the
    failure the outcome carries)."""

    code = "wrong_pin"

    def __init__(self, staff_code: str) -> None:
        super().__init__(f"wrong PIN for staff {staff_code}")
        self.staff_code = staff_code


class NotPermitted(Forbidden):
    """The staff member's role does not allow the action."""

    code = "not_permitted"

    def __init__(self, staff_code: str, role: Role, permission: Permission) -> None:
        super().__init__(f"staff {staff_code} ({role}) may not {permission}")
        self.staff_code = staff_code
        self.role = role
        self.permission = permission


class OverrideBySelf(Invalid):
    """An override approved with the signed-in cashier's own code."""

    code = "override_by_self"

    def __init__(self, staff_code: str) -> None:
        super().__init__(f"staff {staff_code} cannot approve their own action")
        self.staff_code = staff_code


class PinNotAccepted(Invalid):
    """A new PIN that is not 4-8 digits, is trivial (0000, 1234) or equals the old one."""

    code = "pin_not_accepted"

    def __init__(self, reason: str) -> None:
        super().__init__(f"the new PIN is not accepted: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A staff member as the store's feed holds them: never the PIN, only its hash."""

    staff_code: str
    name: str
    role: Role
    pin_hash: str


@dataclass(frozen=True, slots=True)
class SignInState:
    """One staff member's sign-in state at one store: the times of the wrong PINs still within
    the window, and the end of a lock."""

    failures: tuple[datetime, ...] = ()
    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The staff member signed in."""

    staff_code: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PinFailed:
    """A wrong PIN; `failures` counts the wrong PINs within the window, this one included."""

    staff_code: str
    at: datetime
    failures: int


@dataclass(frozen=True, slots=True)
class Locked:
    """Too many wrong PINs: locked until `until`."""

    staff_code: str
    at: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class Unlocked:
    """A manager (`by`, their staff code) lifted the lock."""

    staff_code: str
    at: datetime
    by: str


@dataclass(frozen=True, slots=True)
class PinChanged:
    """The staff member changed their own PIN."""

    staff_code: str
    at: datetime


@dataclass(frozen=True, slots=True)
class OverrideApproved:
    """An action the signed-in cashier may not do, approved for that one action by a
    supervisor or manager: the audit record, with both names."""

    permission: Permission
    cashier_code: str
    cashier_name: str
    approver_code: str
    approver_name: str
    approver_role: Role
    at: datetime


StaffEvent = SignedIn | PinFailed | Locked | Unlocked | PinChanged | OverrideApproved


@dataclass(frozen=True, slots=True)
class Outcome:
    """The staff member's new sign-in state and the events to write to the audit outbox.
    `accepted`: the PIN was right (signed in, override approved, PIN changed)."""

    state: SignInState
    events: tuple[StaffEvent, ...]
    accepted: bool
    new_pin_hash: str | None = field(default=None, repr=False)
    override: OverrideApproved | None = None


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidTimestamp(now.isoformat(), "naive: a time zone is required")
    return now


def _current(state: SignInState, now: datetime, policy: LockoutPolicy) -> SignInState:
    """`state` as of `now`: a lock that ran out is gone, failures outside the window forgotten."""
    if state.locked_until is not None and now >= state.locked_until:
        return SignInState()
    recent = tuple(at for at in state.failures if now - at < policy.window)
    return replace(state, failures=recent)


def _check_pin(
    member: StaffMember, state: SignInState, pin: str, now: datetime, policy: LockoutPolicy
) -> Outcome:
    """Verify `pin` for `member`: the step every PIN entry shares. Raises StaffLocked,
    InvalidPinHash."""
    _aware(now)
    state = _current(state, now, policy)
    if state.locked_until is not None:
        raise StaffLocked(member.staff_code, state.locked_until)
    if verify_pin(member.pin_hash, pin):
        return Outcome(SignInState(), (), accepted=True)
    failures = (*state.failures, now)
    failed = PinFailed(member.staff_code, now, len(failures))
    if len(failures) < policy.max_failures:
        return Outcome(SignInState(failures), (failed,), accepted=False)
    until = now + policy.lock_for
    locked = Locked(member.staff_code, now, until)
    return Outcome(SignInState(locked_until=until), (failed, locked), accepted=False)


def sign_in(
    member: StaffMember,
    state: SignInState,
    pin: str,
    now: datetime,
    policy: LockoutPolicy | None = None,
) -> Outcome:
    """A staff member signs in with `pin` at `now` (aware). Right: accepted, SignedIn, the count
    cleared. Wrong: PinFailed (and Locked at the policy's limit). Raises StaffLocked while
    locked (nothing recorded), InvalidPinHash, InvalidTimestamp (naive `now`)."""
    outcome = _check_pin(member, state, pin, now, policy or LockoutPolicy())
    if not outcome.accepted:
        return outcome
    return replace(outcome, events=(SignedIn(member.staff_code, now),))


def unlock(
    member: StaffMember,
    state: SignInState,
    by: StaffMember,
    now: datetime,
    policy: LockoutPolicy | None = None,
) -> Outcome:
    """`by` (signed in, or approved by override) lifts `member`'s lock and clears the count:
    Unlocked if they were locked, no event otherwise. Raises NotPermitted (`by`'s role may
    not unlock), InvalidTimestamp."""
    _aware(now)
    if not allows(by.role, Permission.UNLOCK_STAFF):
        raise NotPermitted(by.staff_code, by.role, Permission.UNLOCK_STAFF)
    was_locked = _current(state, now, policy or LockoutPolicy()).locked_until is not None
    events: tuple[StaffEvent, ...] = (
        (Unlocked(member.staff_code, now, by.staff_code),) if was_locked else ()
    )
    return Outcome(SignInState(), events, accepted=True)


def approve_override(
    cashier: StaffMember,
    approver: StaffMember,
    approver_state: SignInState,
    approver_pin: str,
    permission: Permission,
    now: datetime,
    *,
    policy: LockoutPolicy | None = None,
    discount_percent: Decimal | None = None,
    discount_amount: Decimal | None = None,
    threshold: DiscountThreshold | None = None,
) -> Outcome:
    """A manager override: `approver` allows `cashier` one action of `permission` with their
    code and PIN. Checked in order: not the cashier themself (OverrideBySelf), the approver's
    role allows it (NotPermitted; the PIN is not tried), the approver is not locked
    (StaffLocked), the PIN. A wrong PIN counts against the approver and may lock them, as at
    sign-in. Returns the approver's new state; accepted with `override` (also the event)
    when approved. Raises InvalidPinHash, InvalidTimestamp as well."""
    if approver.staff_code == cashier.staff_code:
        raise OverrideBySelf(approver.staff_code)
    if not allows(
        approver.role,
        permission,
        discount_percent=discount_percent,
        discount_amount=discount_amount,
        threshold=threshold,
    ):
        raise NotPermitted(approver.staff_code, approver.role, permission)
    outcome = _check_pin(approver, approver_state, approver_pin, now, policy or LockoutPolicy())
    if not outcome.accepted:
        return outcome
    record = OverrideApproved(
        permission=permission,
        cashier_code=cashier.staff_code,
        cashier_name=cashier.name,
        approver_code=approver.staff_code,
        approver_name=approver.name,
        approver_role=approver.role,
        at=now,
    )
    return replace(outcome, events=(record,), override=record)


def accept_new_pin(new_pin: str) -> None:
    """The rules every new PIN meets (a change at a till, a manager's reset): 4-8 digits and
    not trivial (0000, 1234: shared.pins.is_trivial_pin). Raises PinNotAccepted."""
    try:
        check_pin(new_pin)
    except ValueError as error:
        raise PinNotAccepted(str(error)) from None
    if is_trivial_pin(new_pin):
        raise PinNotAccepted("too easy to guess (one digit repeated, or a run like 1234)")


def change_pin(
    member: StaffMember,
    state: SignInState,
    old_pin: str,
    new_pin: str,
    now: datetime,
    policy: LockoutPolicy | None = None,
) -> Outcome:
    """A staff member changes their own PIN: `old_pin` first (a wrong one counts as at
    sign-in), then `new_pin` must be 4-8 digits, not trivial (0000, 1234: shared.pins.
    is_trivial_pin) and not the old one. Accepted: `new_pin_hash` to store (and send as a
    shared record) and PinChanged. Raises PinNotAccepted (before the old PIN is tried),
    StaffLocked, InvalidPinHash, InvalidTimestamp. Typing the new PIN twice is the UI's."""
    accept_new_pin(new_pin)
    if new_pin == old_pin:
        raise PinNotAccepted("it is the same as the old PIN")
    outcome = _check_pin(member, state, old_pin, now, policy or LockoutPolicy())
    if not outcome.accepted:
        return outcome
    return replace(
        outcome, events=(PinChanged(member.staff_code, now),), new_pin_hash=hash_pin(new_pin)
    )
