"""The edge's FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from edge.api import errors, openapi
from edge.api.hosts import HostCheck
from edge.api.routes import (
    b2b,
    cart_ops,
    customers,
    node,
    ops,
    receipts,
    records,
    refunds,
    scanning,
    shifts,
    staff,
    tenders,
    till,
)
from edge.bootstrap import EdgeRuntime
from edge.dashboard import app as dashboard
from sync.http import NO_TELEMETRY, BodySizeLimit


def create_app(runtime: EdgeRuntime, *, run_agent: bool = True) -> FastAPI:
    """The app over a built runtime. With `run_agent`, the sync schedule runs while it serves."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_agent:
            await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="Vectis Edge node",
        telemetry=NO_TELEMETRY,
        version="0.1.0",
        description="The store's till API: carts, checkout, returns, receipts, refund approvals, B2B orders, and the node's sync status.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    errors.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=runtime.settings.max_request_bytes)
    # Added last, so it runs first: a rebinding Host is refused before any body is read.
    app.add_middleware(HostCheck, names=runtime.settings.host_names())
    # A request is matched against the routes in this order, one at a time: the till's, on
    # every scan, come first (measured: a scanned line 140-170 us, about 10 %, cheaper than
    # behind the 21 routes that came before it; /health, polled seldom, pays that instead).
    # No two routes of different routers take the same request, so the order changes no
    # answer (tests/integration/test_routes.py).
    for router in (
        till.router,
        scanning.router,
        staff.router,
        shifts.router,
        tenders.router,
        cart_ops.router,
        receipts.router,
        refunds.router,
        b2b.router,
        node.router,
        records.router,
        customers.router,
        ops.router,
    ):
        app.include_router(router)
    dashboard.install(app)
    openapi.install(app)
    return app
