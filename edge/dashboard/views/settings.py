"""The store's settings: receipt header and footer, phone, the lockout rule, the cashiers'
discount limits and the offline tender limits; a manager edits them (a shared record that
travels to HQ through the outbox, field by field)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from edge.dashboard.auth import CsrfDep, ManagerDep
from edge.dashboard.web import error_page, render, runtime_of
from edge.domain.audit import Acting
from edge.domain.staff import Role
from edge.errors import Forbidden, NotEnrolled
from edge.service import dashboard_staff
from edge.service.dashboard_staff import SETTINGS, SettingField, SettingsInvalid

router = APIRouter()

_LABELS = {spec.name: spec.label for spec in SETTINGS}


def _page(
    request: Request,
    manager: Acting,
    fields: list[SettingField],
    *,
    flash: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "fields": fields,
        "flash": flash,
        "errors": errors or {},
        "is_manager": manager.staff.role == Role.MANAGER,
    }
    return render(
        request, "settings.html", context,
        manager=manager, active="settings", status_code=status_code,
    )  # fmt: skip


@router.get("/settings", response_class=HTMLResponse)
async def settings(
    request: Request, manager: ManagerDep, done: str = "", fields: str = ""
) -> HTMLResponse:
    """The settings form with the values this node holds (empty: the default applies)."""
    runtime = runtime_of(request)
    identity = runtime.identity
    if identity is None:
        raise NotEnrolled()
    held = await runtime.read(lambda uow: dashboard_staff.settings_form(uow, identity))
    flash = ""
    if done == "saved":
        names = [_LABELS[name].lower() for name in fields.split(",") if name in _LABELS]
        flash = (
            f"Saved: {', '.join(names)}. The tills use them from now on (the next receipt "
            "printed shows them); they reach HQ at the next sync."
        )
    elif done == "unchanged":
        flash = "Nothing was changed: the form held the values saved already."
    return _page(request, manager, held, flash=flash)


@router.post("/settings", response_class=HTMLResponse)
async def save(request: Request, manager: ManagerDep, _: CsrfDep) -> Response:
    """Save the fields that changed (managers only): each checked, none saved if one is
    wrong (422, the form again with what was typed and what is wrong with it)."""
    runtime = runtime_of(request)
    identity = runtime.identity
    if identity is None:
        raise NotEnrolled()
    form = await request.form()
    typed = {spec.name: value for spec in SETTINGS if isinstance(value := form.get(spec.name), str)}
    try:
        changed = await runtime.write(
            lambda uow: dashboard_staff.save_settings(
                typed, manager, uow, identity=identity, clock=runtime.clock
            )
        )
    except Forbidden:
        return error_page(
            request, 403, "A manager must do this",
            "Only a manager may change the store's settings. Nothing was changed: ask a "
            "manager to sign in at the dashboard and do it.",
            manager=manager,
        )  # fmt: skip
    except SettingsInvalid as invalid:
        held = await runtime.read(lambda uow: dashboard_staff.settings_form(uow, identity))
        shown = [SettingField(f.spec, typed.get(f.spec.name, f.value)) for f in held]
        return _page(request, manager, shown, errors=invalid.errors, status_code=422)
    query = {"done": "saved", "fields": ",".join(changed)} if changed else {"done": "unchanged"}
    return RedirectResponse(f"/dashboard/settings?{urlencode(query)}", status_code=303)
