"""The Exceptions view: what the store should act on (declined or expired offline cards,
overdrawn gift cards and store credit, events HQ quarantined, days that do not match HQ's
ledger), each with what to do (GET /dashboard/exceptions). From the node's own file."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from edge.api.deps import RuntimeDep
from edge.dashboard.auth import ManagerDep
from edge.dashboard.web import render
from edge.service import dashboard_sync

router = APIRouter()


@router.get("/exceptions", response_class=HTMLResponse)
async def exceptions_page(
    request: Request, manager: ManagerDep, runtime: RuntimeDep
) -> HTMLResponse:
    """The store's exceptions, newest or worst first, at most 100 of each kind."""
    view = await runtime.read(dashboard_sync.exceptions_view)
    return render(request, "exceptions.html", {"view": view}, manager=manager, active="exceptions")
