"""Rendering the dashboard's pages: the templates, their filters and the base context.

`render(request, "today.html", {...}, manager=acting, active="today")` gives an HTMLResponse
with the layout's context added: `store_name`, `store_id`, `currency`, `manager`,
`csrf_token`, `active` (the navigation key), `online` (the last exchange with the hub
succeeded) and `now` (aware, the store's zone). Filters: `money` (integer minor units of the
store's currency as `1,234.50`), `local` (an aware datetime as the store's `HH:MM`),
`localdt` (`YYYY-MM-DD HH:MM`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from edge.bootstrap import EdgeRuntime
from edge.domain.audit import Acting
from edge.domain.node import NodeIdentity
from edge.service.dashboard_day import ReadCache
from shared.money import Money, minor_units

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES))

NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("today", "Today", "/dashboard/today"),
    ("shifts", "Shifts", "/dashboard/shifts"),
    ("sync", "Sync", "/dashboard/sync"),
    ("stock", "Stock", "/dashboard/stock"),
    ("approvals", "Approvals", "/dashboard/approvals"),
    ("staff", "Staff & audit", "/dashboard/staff"),
    ("exceptions", "Exceptions", "/dashboard/exceptions"),
    ("settings", "Settings", "/dashboard/settings"),
)


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def calendar_day(text: str) -> date:
    """A business day typed as YYYY-MM-DD, from 2000-01-01 to 2999-12-31 (so the day before
    and after exist). Raises ValueError with a message a manager can act on."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text[:40]}” is not a date: give the day as YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"{day} is outside the days this dashboard shows ({FIRST_DAY} to {LAST_DAY})"
        )
    return day


def format_minor(minor: int | Money | None, currency: str) -> str:
    """`123456` in GBP → `1,234.56`; `-5` → `-0.05`; None → an em dash. Money is given in
    its own currency."""
    if minor is None:
        return "—"
    if isinstance(minor, Money):
        return f"{minor.amount:,}"
    places = minor_units(currency)
    amount = Decimal(int(minor)).scaleb(-places)
    return f"{amount:,.{places}f}"


@pass_context
def _money(context: Context, minor: int | Money | None) -> str:
    return format_minor(minor, str(context.get("currency") or "XXX"))


@pass_context
def _local(context: Context, at: datetime | None, pattern: str = "%H:%M") -> str:
    if at is None:
        return "—"
    zone = context.get("zone")
    return (at.astimezone(zone) if zone is not None else at).strftime(pattern)


@pass_context
def _localdt(context: Context, at: datetime | None) -> str:
    return _local(context, at, "%Y-%m-%d %H:%M")


templates.env.filters["money"] = _money
templates.env.filters["local"] = _local
templates.env.filters["localdt"] = _localdt


def reads(request: Request) -> ReadCache:
    """The app's cache of day reads (edge.service.dashboard_day.ReadCache), made once."""
    state = request.app.state
    cache: ReadCache | None = getattr(state, "dashboard_reads", None)
    if cache is None:
        cache = state.dashboard_reads = ReadCache()
    return cache


def identity_of(request: Request) -> NodeIdentity:
    """The node's identity behind a signed-in page (a session exists only on an enrolled
    node: `ManagerDep` raises NotEnrolled before)."""
    identity = runtime_of(request).identity
    assert identity is not None, "the dashboard's session needs an enrolled node"
    return identity


def runtime_of(request: Request) -> EdgeRuntime:
    runtime: EdgeRuntime = request.app.state.runtime
    return runtime


def base_context(request: Request, *, manager: Acting | None, active: str) -> dict[str, Any]:
    """What every page's layout reads (see the module's docstring)."""
    runtime = runtime_of(request)
    identity = runtime.identity
    agent = runtime.agent
    zone = identity.zone if identity else None
    return {
        "request": request,
        "store_name": identity.store_name if identity else "Vectis Edge",
        "store_id": identity.store_id if identity else None,
        "currency": identity.currency if identity else "XXX",
        "zone": zone,
        "manager": manager,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "active": active,
        "navigation": NAVIGATION,
        "online": bool(agent and agent.status.online),
        "last_sync_at": agent.status.last_success_at if agent else None,
        "now": runtime.clock.now().astimezone(zone) if zone else runtime.clock.now(),
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    manager: Acting | None,
    active: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The page `template` with `context` over the base context (`context` wins)."""
    full = base_context(request, manager=manager, active=active) | context
    return templates.TemplateResponse(request, template, full, status_code=status_code)


def error_page(
    request: Request, status_code: int, title: str, message: str, *, manager: Acting | None
) -> HTMLResponse:
    """A page saying what went wrong and what to do, with `status_code`."""
    return render(
        request, "error.html", {"title": title, "message": message},
        manager=manager, status_code=status_code,
    )  # fmt: skip
