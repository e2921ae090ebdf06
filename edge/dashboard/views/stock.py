"""The Stock view: each SKU's level (HQ's count less what sold here since), the low-stock
list and search, paginated (GET /dashboard/stock?q=&low=1&page=). From the node's own file."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from edge.api.deps import IdentityDep, RuntimeDep
from edge.dashboard.auth import ManagerDep
from edge.dashboard.web import render
from edge.service import dashboard_stock

router = APIRouter()


@router.get("/stock", response_class=HTMLResponse)
async def stock_page(
    request: Request,
    manager: ManagerDep,
    runtime: RuntimeDep,
    identity: IdentityDep,
    q: Annotated[str, Query(max_length=64)] = "",
    low: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Stock levels by SKU: `q` searches SKU, GTIN and description; `low=1` keeps those at
    or below the store's low-stock threshold; `page` from 1 (50 rows a page)."""
    view = await runtime.read(
        lambda uow: dashboard_stock.stock_view(uow, identity, query=q, low_only=low, page=page)
    )

    def page_url(number: int) -> str:
        query = {"q": view.query, "page": str(number)}
        if view.low_only:
            query["low"] = "1"
        return "/dashboard/stock?" + urlencode(query)

    context = {
        "view": view,
        "previous_url": page_url(view.page - 1) if view.page > 1 else None,
        "next_url": page_url(view.page + 1) if view.page < view.pages else None,
    }
    return render(request, "stock.html", context, manager=manager, active="stock")
