"""The Approvals view: refund requests and B2B orders of this store waiting on HQ, and the
recently decided ones (GET /dashboard/approvals). From the node's own file: a decision made
at HQ shows here once the feed has brought it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from edge.api.deps import RuntimeDep
from edge.dashboard.auth import ManagerDep
from edge.dashboard.web import render
from edge.service import dashboard_stock

router = APIRouter()


@router.get("/approvals", response_class=HTMLResponse)
async def approvals_page(
    request: Request, manager: ManagerDep, runtime: RuntimeDep
) -> HTMLResponse:
    """What waits on HQ, and what HQ decided lately."""
    view = await runtime.read(dashboard_stock.approvals_view)
    return render(request, "approvals.html", {"view": view}, manager=manager, active="approvals")
