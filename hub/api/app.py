"""The hub's FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hub.api import errors, openapi
from hub.api.audit import AuditTrail
from hub.api.auth_failures import AuthFailures
from hub.api.routes import (
    admin,
    audit,
    b2b,
    integrity,
    inventory,
    ops,
    pricing,
    quarantine,
    records,
    refunds,
    reports,
    sale_exceptions,
    settlements,
    staff,
    stored_value,
    sync,
    till_limits,
    z_reports,
)
from hub.bootstrap import HubRuntime
from sync.http import NO_TELEMETRY, BodySizeLimit


def create_app(runtime: HubRuntime) -> FastAPI:
    """The app over an already-built runtime; the runtime's engine is disposed at shutdown."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start_background()
        yield
        await runtime.stop()

    app = FastAPI(
        title="Vectis Edge hub",
        telemetry=NO_TELEMETRY,
        version="0.1.0",
        description="HQ administration, ERP stock, reports, and the store-to-hub sync protocol.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.auth_failures = AuthFailures(
        runtime.settings.auth_failures_per_source,
        runtime.settings.auth_failures_per_key,
        runtime.metrics,
    )
    errors.install(app)
    errors.install_retry_after(app)
    app.add_middleware(BodySizeLimit, max_bytes=runtime.settings.max_request_bytes)
    app.add_middleware(AuditTrail, runtime=runtime)
    for router in (
        ops.router,
        sync.router,
        admin.router,
        inventory.router,
        reports.router,
        quarantine.router,
        sale_exceptions.router,
        integrity.router,
        records.router,
        pricing.router,
        refunds.router,
        b2b.router,
        till_limits.router,
        staff.router,
        audit.router,
        z_reports.router,
        stored_value.router,
        settlements.router,
    ):
        app.include_router(router)
    openapi.install(app)
    return app
