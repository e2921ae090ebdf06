"""Staff and audit: the store's staff with their locks, the day's audit trail (counts per
kind, the list newest first, filtered and paged), and a manager's unlock and PIN reset."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from edge.dashboard.auth import CsrfDep, ManagerDep
from edge.dashboard.web import calendar_day, error_page, identity_of, render, runtime_of
from edge.domain.audit import Acting
from edge.domain.node import NodeIdentity
from edge.domain.staff import PinNotAccepted, Role
from edge.errors import Forbidden
from edge.service import dashboard_staff
from edge.service.dashboard_staff import ENTRY_LABELS, KIND_LABELS
from edge.service.staff import StaffNotFound

router = APIRouter()

_STAFF_CODE = "0123456789"
# The flash messages after an action (`done=`), with the staff code (`code=`) filled in.
DONE = {
    "unlocked": "Staff {code} is unlocked: they can sign in at a till again.",
    "pin_reset": "Staff {code} has a new PIN (and no lock): tell them it in person. "
    "It reaches HQ at the next sync.",
}


def _day(text: str, identity: NodeIdentity, request: Request) -> tuple[date, str]:
    """The business day asked for (default: today's), and a message if it was not a date."""
    today = identity.business_day(runtime_of(request).clock.now())
    if not text:
        return today, ""
    try:
        return calendar_day(text), ""
    except ValueError as error:
        return today, f"{error}: showing today."


def _code(text: str) -> str | None:
    text = text.strip()
    return text if 3 <= len(text) <= 12 and set(text) <= set(_STAFF_CODE) else None


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and 0 < len(text) < 7 else 1


async def _staff_page(
    request: Request,
    manager: Acting,
    *,
    day: str = "",
    kind: str = "",
    staff: str = "",
    page: str = "",
    done: str = "",
    code: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    identity = identity_of(request)
    business_day, problem = _day(day, identity, request)
    problems = [problem] if problem else []
    staff_code = _code(staff) if staff else None
    if staff and staff_code is None:
        problems.append(f"{staff!r} is not a staff code (3-12 digits): showing everyone.")
    wanted_kind = kind or None
    if wanted_kind is not None and wanted_kind not in KIND_LABELS:
        problems.append(f"{kind!r} is not a kind of audit event: showing all.")
        wanted_kind = None
    overview = await runtime_of(request).read(
        lambda uow: dashboard_staff.staff_overview(
            uow, business_day, kind=wanted_kind, staff_code=staff_code, page=_page_number(page)
        )
    )
    audit = overview.audit
    filters = {"day": business_day.isoformat(), "kind": audit.kind or "", "staff": staff_code or ""}

    def link(**changes: Any) -> str:
        query = {k: v for k, v in ({**filters, **changes}).items() if v not in ("", None)}
        return "/dashboard/staff?" + urlencode(query)

    flash = ""
    if done in DONE and _code(code):
        flash = DONE[done].format(code=code)
    context = {
        "overview": overview,
        "audit": audit,
        "labels": KIND_LABELS,
        "entry_labels": ENTRY_LABELS,
        "filters": filters,
        "link": link,
        "flash": flash,
        "problem": " ".join(problems),
        "error": error,
        "error_code": code if error else "",
        "is_manager": manager.staff.role == Role.MANAGER,
    }
    return render(
        request, "staff.html", context, manager=manager, active="staff", status_code=status_code
    )


@router.get("/staff", response_class=HTMLResponse)
async def staff_and_audit(
    request: Request,
    manager: ManagerDep,
    day: str = "",
    kind: str = "",
    staff: str = "",
    page: str = "",
    done: str = "",
    code: str = "",
) -> HTMLResponse:
    """The staff table (role, active, lock), the day's audit counts per kind and the audit
    list (newest first; `kind`, `staff` filters; 50 a page)."""
    return await _staff_page(
        request, manager, day=day, kind=kind, staff=staff, page=page, done=done, code=code
    )


def _manager_needed(request: Request, manager: Acting, action: str) -> HTMLResponse:
    return error_page(
        request, 403, "A manager must do this",
        f"Only a manager may {action}. Nothing was changed: ask a manager to sign in at the "
        "dashboard and do it.",
        manager=manager,
    )  # fmt: skip


def _done(done: str, staff_code: str) -> Response:
    query = urlencode({"done": done, "code": staff_code})
    return RedirectResponse(f"/dashboard/staff?{query}", status_code=303)


@router.post("/staff/{staff_code}/unlock", response_class=HTMLResponse)
async def unlock(request: Request, staff_code: str, manager: ManagerDep, _: CsrfDep) -> Response:
    """Lift a staff member's lock (who may: the permissions table, managers today)."""
    identity = identity_of(request)
    try:
        await runtime_of(request).write(
            lambda uow: dashboard_staff.unlock_staff(
                staff_code, manager, uow, identity=identity
            )
        )  # fmt: skip
    except Forbidden:
        return _manager_needed(request, manager, "unlock a staff member")
    except StaffNotFound as missing:
        return error_page(request, 404, "No such staff member", str(missing), manager=manager)
    return _done("unlocked", staff_code)


@router.post("/staff/{staff_code}/pin", response_class=HTMLResponse)
async def reset_pin(
    request: Request,
    staff_code: str,
    manager: ManagerDep,
    _: CsrfDep,
    new_pin: Annotated[str, Form()] = "",
    repeat_pin: Annotated[str, Form()] = "",
) -> Response:
    """A manager sets a staff member's new PIN (typed twice); it lifts their lock."""
    identity = identity_of(request)
    try:
        await runtime_of(request).write(
            lambda uow: dashboard_staff.reset_pin(
                staff_code, new_pin, repeat_pin, manager, uow, identity=identity
            )
        )  # fmt: skip
    except Forbidden:
        return _manager_needed(request, manager, "reset a PIN")
    except StaffNotFound as missing:
        return error_page(request, 404, "No such staff member", str(missing), manager=manager)
    except PinNotAccepted as refused:
        message = (
            f"The PIN of staff {staff_code} was not changed: {refused.reason}. A PIN is 4 to "
            "8 digits, not one digit repeated or a run like 1234, typed the same twice."
        )
        return await _staff_page(request, manager, code=staff_code, error=message, status_code=422)
    return _done("pin_reset", staff_code)
