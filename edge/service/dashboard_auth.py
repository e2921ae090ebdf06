"""Sign-in to the store manager's dashboard: supervisors and managers only, with their staff
code and PIN, the same lockout as at a till (a wrong PIN here counts towards it), and a
session kept as the SHA-256 of a random cookie token.

A dashboard session acts as an `Acting` whose `till_id` is `DASHBOARD` ("dashboard"), so the
till's use cases (unlock, store-settings edits, reprints) and the audit trail work unchanged
and show the action was taken at the dashboard. A session ends at sign-out, after
`idle` without a request, or `max_age` after sign-in; each sign-in and sign-out (by hand or
by timeout) is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain import staff as rules
from edge.domain.audit import Acting
from edge.domain.node import NodeIdentity
from edge.domain.staff import Role, StaffMember
from edge.errors import Forbidden, RecordedRefusal
from edge.service.audit import record_audit
from edge.service.staff import (
    NotSignedIn,
    lockout_policy,
    member_for_pin,
    pin_refusal,
    token_digest,
)
from shared.ids import new_id

DASHBOARD = "dashboard"
"""The `till_id` of actions taken at the dashboard (in `Acting` and the audit trail)."""

DASHBOARD_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})


class DashboardNotAllowed(Forbidden):
    """A cashier's right PIN: the dashboard is for supervisors and managers."""

    code = "dashboard_not_allowed"

    def __init__(self, staff_code: str) -> None:
        super().__init__(
            f"staff {staff_code} is a cashier: the dashboard is for supervisors and managers"
        )
        self.staff_code = staff_code


@dataclass(frozen=True, slots=True)
class OpenedDashboardSession:
    """A new session: `token` goes in the cookie (only its SHA-256 is kept)."""

    token: str
    acting: Acting


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: HMAC-SHA256 of a fixed label under the session's cookie
    token (hex, 64 chars). A page from another site can neither read the cookie nor this
    token, so a form it makes the browser post fails (the synchronizer-token pattern,
    OWASP CSRF Prevention Cheat Sheet, without a stored secret)."""
    return hmac.new(session_token.encode(), b"vectis-dashboard-csrf", hashlib.sha256).hexdigest()


def sign_in(
    staff_code: str, pin: str, uow: EdgeUnitOfWork, *, identity: NodeIdentity
) -> OpenedDashboardSession:
    """Open a dashboard session for a supervisor or manager. Raises WrongPin (401; counted,
    maybe locking, through RecordedRefusal), StaffLocked (409), DashboardNotAllowed (403: a
    cashier, after a right PIN; nothing counted)."""
    now = uow.now()
    member = member_for_pin(uow, staff_code, pin)
    outcome = rules.sign_in(
        member, uow.staff.sign_in_state(staff_code), pin, now, lockout_policy(uow, identity)
    )
    if not outcome.accepted:
        raise pin_refusal(outcome, member, identity=identity, till_id=DASHBOARD)
    if member.role not in DASHBOARD_ROLES:
        raise DashboardNotAllowed(staff_code)
    uow.staff.save_sign_in_state(staff_code, outcome.state)
    token = secrets.token_urlsafe(32)
    session_id = new_id()
    uow.dashboard_sessions.open(session_id, token_digest(token), staff_code, now)
    record_audit(
        uow, "sign_in", identity=identity, till_id=DASHBOARD, staff=member,
        subject=str(session_id), details={"via": DASHBOARD},
    )  # fmt: skip
    return OpenedDashboardSession(token, Acting(DASHBOARD, member, session_id))


def current(
    token: str | None,
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    idle: timedelta,
    max_age: timedelta,
) -> Acting:
    """Who is signed in at the dashboard with `token`, moving the idle timeout on (a write
    transaction). A session found idle or too old ends here and is audited. Raises
    NotSignedIn (no token; unknown, ended, idle, expired session; staff no longer a
    supervisor or manager, or inactive)."""
    if not token:
        raise NotSignedIn("sign in to the dashboard")
    session = uow.dashboard_sessions.by_token(token_digest(token))
    if session is None or session.ended_at is not None:
        raise NotSignedIn("your dashboard session has ended: sign in again")
    now = uow.now()
    row = uow.staff.get(session.staff_code)
    member = (
        StaffMember(row.staff_code, row.name, row.role, "")
        if row is not None and row.active and row.role in DASHBOARD_ROLES
        else None
    )
    reason = _end_reason(session.started_at, session.last_seen_at, now, idle, max_age, member)
    if reason is not None:
        session_id, staff_code = session.session_id, session.staff_code

        def record(later: EdgeUnitOfWork) -> None:
            _end(later, session_id, staff_code, member, now, reason, identity)

        # The request is refused (and rolled back); the session's end and its audit stay.
        raise RecordedRefusal(NotSignedIn(_ENDED[reason]), record)
    assert member is not None
    uow.dashboard_sessions.touch(session.session_id, now)
    return Acting(DASHBOARD, member, session.session_id)


_ENDED = {
    "idle": "you were signed out after a while without use: sign in again",
    "expired": "your dashboard session is too old: sign in again",
    "staff_inactive": "your staff record no longer allows the dashboard",
}


def _end_reason(
    started: datetime,
    last_seen: datetime,
    now: datetime,
    idle: timedelta,
    max_age: timedelta,
    member: StaffMember | None,
) -> str | None:
    if member is None:
        return "staff_inactive"
    if now - started > max_age:
        return "expired"
    if now - last_seen > idle:
        return "idle"
    return None


def _end(
    uow: EdgeUnitOfWork,
    session_id: UUID,
    staff_code: str,
    member: StaffMember | None,
    now: datetime,
    reason: str,
    identity: NodeIdentity,
) -> None:
    if uow.dashboard_sessions.end(session_id, now, reason):
        who = member or StaffMember(staff_code, "", Role.CASHIER, "")
        record_audit(
            uow, "sign_out", identity=identity, till_id=DASHBOARD, staff=who,
            subject=str(session_id), details={"via": DASHBOARD, "reason": reason},
        )  # fmt: skip


def sign_out(acting: Acting, uow: EdgeUnitOfWork, *, identity: NodeIdentity) -> None:
    """End the session and audit it (a session already ended: nothing)."""
    _end(
        uow, acting.session_id, acting.staff.staff_code, acting.staff, uow.now(),
        "signed_out", identity,
    )  # fmt: skip
