"""Staff at the till: sign-in and till sessions, authorizing actions (with a manager
override), PIN changes and unlocks. Works with HQ unreachable: staff, their PIN hashes and the
store's settings are on this node (from HQ's feed), and every step is audited through the
outbox (edge.service.audit).

A till session is a random token given at sign-in; the node keeps only its SHA-256. One
session per till: signing in at a till ends the session already open there. Sessions end at
sign-out, at the next sign-in at the till, or after `max_age`.

Wrong PINs count towards a lock (the store's settings `pin_max_failures` within
`pin_lock_minutes`, defaults 5 and 15) whatever else the request did: the use case raises
RecordedRefusal, which rolls the request back, records the count and its audit events in a
transaction of their own, and answers 401.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache

from edge.adapters.repositories.staff import StaffRow, member_of
from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain import staff as rules
from edge.domain.audit import Acting, Authorized
from edge.domain.documents import RecordEdited
from edge.domain.node import NodeIdentity
from edge.domain.staff import (
    DiscountThreshold,
    LockoutPolicy,
    Permission,
    SignInState,
    StaffEvent,
    StaffMember,
    WrongPin,
)
from edge.errors import Invalid, NotFound, RecordedRefusal, Unauthenticated
from edge.service import records
from edge.service.audit import record_audit
from edge.service.records import EditRecord, merge_record
from shared.clock import Clock
from shared.ids import new_id
from shared.pins import hash_pin, verify_pin
from sync.records import FieldValue, newest_stamp, stamped_edit

DEFAULT_SESSION_AGE = timedelta(hours=16)


class NotSignedIn(Unauthenticated):
    """No till session: no token, an unknown or ended one, or one too old."""

    code = "not_signed_in"


class StaffNotFound(NotFound):
    code = "staff_not_found"

    def __init__(self, staff_code: str) -> None:
        super().__init__(f"no staff member {staff_code} at this store")


class TillMismatch(Unauthenticated):
    """The request names a till other than the one the session was opened at."""

    code = "till_mismatch"

    def __init__(self, session_till: str, requested: str) -> None:
        super().__init__(
            f"this session is signed in at till {session_till}, not {requested}: sign in there"
        )


class OverrideIncomplete(Invalid):
    code = "override_incomplete"

    def __init__(self) -> None:
        super().__init__("an override needs both X-Override-Staff-Code and X-Override-Pin")


@dataclass(frozen=True, slots=True)
class SignIn:
    till_id: str
    staff_code: str
    pin: str


@dataclass(frozen=True, slots=True)
class OverrideRequest:
    """A supervisor's or manager's code and PIN approving one action (request headers)."""

    staff_code: str
    pin: str


@dataclass(frozen=True, slots=True)
class OpenedSession:
    """A new till session; `token` is shown once, to the till that signed in."""

    token: str
    acting: Acting
    started_at: datetime


@dataclass(frozen=True, slots=True)
class StaffStatus:
    """A staff member as the till shows them, with their lock if any."""

    staff_code: str
    name: str
    role: str
    active: bool
    locked_until: datetime | None


def token_digest(token: str) -> str:
    """The SHA-256 (hex) the node keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def store_settings(uow: EdgeUnitOfWork, identity: NodeIdentity) -> Mapping[str, object]:
    """The store's settings record as field -> value (absent fields: the defaults)."""
    held = uow.records.get("store_settings", identity.store_id)
    return {name: field.value for name, field in held[0].items()} if held else {}


def lockout_policy(uow: EdgeUnitOfWork, identity: NodeIdentity) -> LockoutPolicy:
    """The store's lockout rule: `pin_max_failures` wrong PINs within `pin_lock_minutes`
    lock for `pin_lock_minutes` (store settings; defaults LockoutPolicy())."""
    settings, default = store_settings(uow, identity), LockoutPolicy()
    failures = _whole(settings.get("pin_max_failures")) or default.max_failures
    minutes = _whole(settings.get("pin_lock_minutes"))
    if minutes is None:
        return LockoutPolicy(max_failures=failures)
    span = timedelta(minutes=minutes)
    return LockoutPolicy(max_failures=failures, window=span, lock_for=span)


def discount_threshold(uow: EdgeUnitOfWork, identity: NodeIdentity) -> DiscountThreshold:
    """The largest discount a cashier gives alone (store settings `discount_percent_max`,
    `discount_amount_max`; defaults 10 % and 5.00)."""
    settings, default = store_settings(uow, identity), DiscountThreshold()
    return DiscountThreshold(
        percent_max=_decimal(settings.get("discount_percent_max"), default.percent_max),
        amount_max=_decimal(settings.get("discount_amount_max"), default.amount_max),
    )


def _whole(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and int(value) > 0 else None


def _decimal(value: object, default: Decimal) -> Decimal:
    try:
        return Decimal(value) if isinstance(value, str) else default
    except InvalidOperation:
        return default


@cache
def _decoy_hash() -> str:
    return hash_pin("000000")


def member_for_pin(uow: EdgeUnitOfWork, staff_code: str, pin: str) -> StaffMember:
    """The staff member who may sign in with `staff_code`. Raises WrongPin for an unknown,
    inactive or PIN-less one, after the same work as a real check (no timing hint)."""
    row = uow.staff.get(staff_code)
    member = member_of(row) if row else None
    if member is None:
        verify_pin(_decoy_hash(), pin)
        raise WrongPin(staff_code)
    return member


def pin_refusal(
    outcome: rules.Outcome,
    member: StaffMember,
    *,
    identity: NodeIdentity,
    till_id: str,
) -> RecordedRefusal:
    """A wrong PIN: the count (and lock) and their audit events, kept after the rollback."""

    def record(uow: EdgeUnitOfWork) -> None:
        uow.staff.save_sign_in_state(member.staff_code, outcome.state)
        _audit_events(uow, outcome.events, member, identity=identity, till_id=till_id)

    return RecordedRefusal(WrongPin(member.staff_code), record)


def _audit_events(
    uow: EdgeUnitOfWork,
    events: tuple[StaffEvent, ...],
    member: StaffMember,
    *,
    identity: NodeIdentity,
    till_id: str,
) -> None:
    for event in events:
        if isinstance(event, rules.PinFailed):
            record_audit(
                uow, "pin_failed", identity=identity, till_id=till_id, staff=member,
                details={"failures": str(event.failures)},
            )  # fmt: skip
        elif isinstance(event, rules.Locked):
            record_audit(
                uow, "locked", identity=identity, till_id=till_id, staff=member,
                details={"until": event.until.isoformat()},
            )  # fmt: skip


def sign_in(command: SignIn, uow: EdgeUnitOfWork, *, identity: NodeIdentity) -> OpenedSession:
    """Sign `command.staff_code` in at `command.till_id` with their PIN; the session open at
    that till (if any) ends. Raises WrongPin (401; counted, maybe locking: RecordedRefusal),
    StaffLocked (409, with the unlock time; nothing counted)."""
    now = uow.now()
    member = member_for_pin(uow, command.staff_code, command.pin)
    policy = lockout_policy(uow, identity)
    outcome = rules.sign_in(
        member, uow.staff.sign_in_state(member.staff_code), command.pin, now, policy
    )
    if not outcome.accepted:
        raise pin_refusal(outcome, member, identity=identity, till_id=command.till_id)
    uow.staff.save_sign_in_state(member.staff_code, outcome.state)
    for previous in uow.staff.open_sessions_at(command.till_id):
        uow.staff.end_session(previous.session_id, now, "replaced")
        gone = uow.staff.get(previous.staff_code)
        record_audit(
            uow, "sign_out", identity=identity, till_id=command.till_id,
            staff=StaffMember(previous.staff_code, gone.name if gone else "", gone.role
                              if gone else rules.Role.CASHIER, ""),
            subject=str(previous.session_id), details={"reason": "replaced"},
        )  # fmt: skip
    token = secrets.token_urlsafe(32)
    session_id = new_id()
    uow.staff.open_session(session_id, token_digest(token), command.till_id, member.staff_code, now)
    acting = Acting(command.till_id, member, session_id)
    record_audit(
        uow, "sign_in", identity=identity, till_id=command.till_id, staff=member,
        subject=str(session_id),
    )  # fmt: skip
    return OpenedSession(token, acting, now)


def require_token(token: str | None) -> str:
    """The session token a request brought. Raises NotSignedIn (none)."""
    if not token:
        raise NotSignedIn("sign in at this till first (POST /v1/till-sessions)")
    return token


def current_session(
    token: str | None, uow: EdgeUnitOfWork, *, max_age: timedelta = DEFAULT_SESSION_AGE
) -> Acting:
    """Who is signed in with `token`. Raises NotSignedIn (no token; unknown, ended, expired
    session; staff member no longer active)."""
    found = uow.staff.session_with_staff(token_digest(require_token(token)))
    if found is None:
        raise NotSignedIn("this till session is not known here: sign in again")
    session, row = found
    if session.ended_at is not None:
        raise NotSignedIn("this till session has ended: sign in again")
    if uow.now() - session.started_at > max_age:
        raise NotSignedIn("this till session is too old: sign in again")
    if row is None or not row.active:
        raise NotSignedIn(f"staff {session.staff_code} may no longer sign in here")
    member = StaffMember(row.staff_code, row.name, row.role, row.pin_hash or "")
    return Acting(session.till_id, member, session.session_id)


@dataclass(frozen=True, slots=True)
class SessionClaim:
    """A request's till session token, checked in the transaction of the request's own write
    (`check`) rather than in a read of its own before it: a scanned line's hot path (measured
    in docs/operations.md). A route that takes one needs the `Acting` that `check` returns for
    its authority, so it cannot act without checking it."""

    token: str
    max_age: timedelta

    def check(self, uow: EdgeUnitOfWork) -> Acting:
        """Who is signed in with the token. Raises NotSignedIn (unknown, ended or too old
        session; staff member no longer active)."""
        return current_session(self.token, uow, max_age=self.max_age)


def sign_out(acting: Acting, uow: EdgeUnitOfWork, *, identity: NodeIdentity) -> None:
    """End the session and audit it."""
    uow.staff.end_session(acting.session_id, uow.now(), "signed_out")
    record_audit(
        uow, "sign_out", identity=identity, till_id=acting.till_id, staff=acting.staff,
        subject=str(acting.session_id),
    )  # fmt: skip


def require_till(acting: Acting, till_id: str) -> None:
    """Raises TillMismatch unless `till_id` is the session's till."""
    if till_id != acting.till_id:
        raise TillMismatch(acting.till_id, till_id)


def authorize(
    uow: EdgeUnitOfWork,
    acting: Acting,
    permission: Permission,
    override: OverrideRequest | None,
    *,
    identity: NodeIdentity,
    discount_percent: Decimal | None = None,
    discount_amount: Decimal | None = None,
) -> Authorized:
    """Allow `acting` one action of `permission`: by their own role (a discount within the
    store's threshold too), or by `override`, a supervisor's or manager's code and PIN,
    checked and audited (`override`, with both names) in the caller's transaction.

    Raises NotPermitted (403: the role may not, and no override came, or the approver's role
    may not either), OverrideBySelf (422), StaffLocked (409), WrongPin (401; counted against
    the approver: RecordedRefusal)."""
    threshold = discount_threshold(uow, identity)
    role = acting.staff.role
    if rules.allows(
        role, permission, discount_percent=discount_percent,
        discount_amount=discount_amount, threshold=threshold,
    ):  # fmt: skip
        return Authorized(acting)
    if override is None:
        raise rules.NotPermitted(acting.staff.staff_code, role, permission)
    approver = member_for_pin(uow, override.staff_code, override.pin)
    outcome = rules.approve_override(
        acting.staff, approver, uow.staff.sign_in_state(approver.staff_code), override.pin,
        permission, uow.now(), policy=lockout_policy(uow, identity),
        discount_percent=discount_percent, discount_amount=discount_amount, threshold=threshold,
    )  # fmt: skip
    if not outcome.accepted:
        raise pin_refusal(outcome, approver, identity=identity, till_id=acting.till_id)
    uow.staff.save_sign_in_state(approver.staff_code, outcome.state)
    record_audit(
        uow, "override", identity=identity, till_id=acting.till_id, staff=acting.staff,
        approver=approver, details={"permission": str(permission)},
    )  # fmt: skip
    return Authorized(acting, approver)


def save_pin_hash(uow: EdgeUnitOfWork, staff_code: str, pin_hash: str) -> None:
    """Keep `pin_hash` (argon2id, shared.pins) as `staff_code`'s PIN here and send it to HQ:
    an edit of the shared record `staff_pin`, stamped after the hash it replaces (HLC), in
    the caller's write transaction."""
    held = uow.records.get("staff_pin", staff_code)
    held_fields = held[0] if held else {}
    stamp = uow.stamp(after=newest_stamp(held_fields))
    fields = stamped_edit(held_fields, {"pin_hash": pin_hash}, stamp)
    now = uow.now()
    merge_record(uow.records, "staff_pin", staff_code, fields, now)
    uow.emit(RecordEdited("staff_pin", staff_code, fields, now))


def change_pin(
    acting: Acting, old_pin: str, new_pin: str, uow: EdgeUnitOfWork, *, identity: NodeIdentity
) -> None:
    """The signed-in staff member changes their own PIN: the new hash is a shared-record edit
    of `staff_pin` (HLC), sent to HQ through the outbox, and audited. Raises PinNotAccepted
    (422), StaffLocked (409), WrongPin (401, counted: RecordedRefusal)."""
    member = member_for_pin(uow, acting.staff.staff_code, old_pin)
    outcome = rules.change_pin(
        member, uow.staff.sign_in_state(member.staff_code), old_pin, new_pin, uow.now(),
        lockout_policy(uow, identity),
    )  # fmt: skip
    if not outcome.accepted or outcome.new_pin_hash is None:
        raise pin_refusal(outcome, member, identity=identity, till_id=acting.till_id)
    uow.staff.save_sign_in_state(member.staff_code, outcome.state)
    save_pin_hash(uow, member.staff_code, outcome.new_pin_hash)
    record_audit(
        uow, "pin_changed", identity=identity, till_id=acting.till_id, staff=member
    )  # fmt: skip


def unlock(
    staff_code: str,
    acting: Acting,
    override: OverrideRequest | None,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
) -> StaffStatus:
    """Lift a staff member's lock (Permission.UNLOCK_STAFF: a manager signed in, or by
    override) and audit it if they were locked. Raises StaffNotFound and what `authorize`
    raises."""
    authorized = authorize(uow, acting, Permission.UNLOCK_STAFF, override, identity=identity)
    row = uow.staff.get(staff_code)
    if row is None:
        raise StaffNotFound(staff_code)
    by = authorized.approver or authorized.acting.staff
    target = StaffMember(row.staff_code, row.name, row.role, row.pin_hash or "")
    policy = lockout_policy(uow, identity)
    outcome = rules.unlock(target, uow.staff.sign_in_state(staff_code), by, uow.now(), policy)
    uow.staff.save_sign_in_state(staff_code, outcome.state)
    if outcome.events:
        record_audit(
            uow, "unlocked", identity=identity, till_id=authorized.acting.till_id,
            staff=authorized.acting.staff, approver=authorized.approver, subject=staff_code,
        )  # fmt: skip
    return _status(row, outcome.state, uow.now())


def staff_list(uow: EdgeUnitOfWork) -> list[StaffStatus]:
    """Every staff member of this store, with their lock if locked now."""
    now = uow.now()
    return [_status(row, uow.staff.sign_in_state(row.staff_code), now) for row in uow.staff.all()]


def _status(row: StaffRow, state: SignInState, now: datetime) -> StaffStatus:
    locked = state.locked_until if state.locked_at(now) else None
    return StaffStatus(row.staff_code, row.name, str(row.role), row.active, locked)


def edit_record(
    command: EditRecord,
    acting: Acting,
    override: OverrideRequest | None,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    clock: Clock,
) -> dict[str, FieldValue]:
    """A shared-record edit at the till (edge.service.records.edit_record): the store's
    settings (receipt texts, lockout, discount thresholds) are a manager's
    (Permission.EDIT_STORE_SETTINGS, or an override). Raises what those two raise."""
    if command.entity == "store_settings":
        authorize(uow, acting, Permission.EDIT_STORE_SETTINGS, override, identity=identity)
    return records.edit_record(command, uow, identity=identity, clock=clock)
