"""Your session: who is signed in at the dashboard, and when it signs itself out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from edge.dashboard.auth import ManagerDep
from edge.dashboard.web import render, runtime_of

router = APIRouter()


@router.get("/account", response_class=HTMLResponse)
async def account(request: Request, manager: ManagerDep) -> HTMLResponse:
    """The signed-in supervisor or manager, and the session's limits."""
    settings = runtime_of(request).settings
    return render(
        request,
        "account.html",
        {
            "idle_minutes": settings.dashboard_idle_minutes,
            "session_hours": settings.dashboard_session_hours,
        },
        manager=manager,
    )
