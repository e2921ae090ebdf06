"""Operations: /health (cheap liveness), /ready (dependencies, in parallel), /metrics."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hub.api.deps import RuntimeDep
from hub.service import b2b, refunds
from hub.service.integrity import open_alert_count
from hub.service.quarantine import quarantine_size
from hub.service.records import conflict_count
from hub.service.sale_exceptions import open_exceptions
from hub.service.stores import max_clock_skew_ms

router = APIRouter(tags=["Operations"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers. Touches nothing else."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "Not ready: the same body, `ready` false"}})
async def ready(runtime: RuntimeDep) -> JSONResponse:
    """Readiness: every dependency probed concurrently, each with a 2 s deadline. Only the
    database decides it: without the workflow service (Temporal) the hub still takes sales,
    and refund and B2B decisions answer 503 until it is back."""

    async def probe(name: str, check: object) -> tuple[str, dict[str, object]]:
        started = time.perf_counter()
        try:
            await asyncio.wait_for(check, timeout=2.0)  # type: ignore[arg-type]
        except Exception as error:  # any failure means not ready; say which and why
            return name, {"ok": False, "error": f"{type(error).__name__}: {error}"}
        return name, {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}

    probes = [probe("database", runtime.database.ping())]
    if runtime.workflows is not None:
        probes.append(probe("workflows", runtime.workflows.ping()))
    results = dict(await asyncio.gather(*probes))
    # Without Temporal the hub still ingests (approvals wait): reported, not fatal.
    ok = results["database"]["ok"] is True
    return JSONResponse({"ready": ok, "checks": results}, status_code=200 if ok else 503)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(runtime: RuntimeDep) -> Response:
    """Prometheus text; gauges read from the database are refreshed here."""
    runtime.metrics.quarantine_size.set(await quarantine_size(runtime.uow))
    runtime.metrics.open_exceptions.set(await open_exceptions(runtime.uow))
    runtime.metrics.open_integrity_alerts.set(await open_alert_count(runtime.uow))
    runtime.metrics.record_conflicts.set(await conflict_count(runtime.uow))
    runtime.metrics.pending_refund_requests.set(await refunds.pending_count(runtime.uow))
    runtime.metrics.b2b_orders_awaiting_hq.set(await b2b.awaiting_count(runtime.uow))
    skew = await max_clock_skew_ms(runtime.uow)
    runtime.metrics.max_clock_skew_ms.set(skew if skew is not None else 0)
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)
