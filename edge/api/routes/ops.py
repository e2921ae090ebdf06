"""Operations: /health (cheap liveness), /ready (dependencies, in parallel), /metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from edge.api.deps import RuntimeDep
from edge.service import reports

router = APIRouter(tags=["Operations"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers. Touches nothing else."""
    return {"status": "ok"}


async def _probe(name: str, check: Awaitable[object]) -> tuple[str, dict[str, object]]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check, timeout=2.0)
    except Exception as error:  # any failure means not ready; say which and why
        return name, {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return name, {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


@router.get("/ready", responses={503: {"description": "Not ready: the same body, `ready` false"}})
async def ready(runtime: RuntimeDep) -> JSONResponse:
    """Ready to sell: the SQLite file answers and the node is enrolled. The hub is not needed."""

    async def enrolment() -> None:
        if runtime.identity is None:
            raise RuntimeError("not enrolled yet")

    results = dict(
        await asyncio.gather(
            _probe("database", runtime.database.ping()), _probe("enrolment", enrolment())
        )
    )
    ok = all(result["ok"] for result in results.values())
    return JSONResponse({"ready": ok, "checks": results}, status_code=200 if ok else 503)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(runtime: RuntimeDep) -> Response:
    figures = await runtime.read(reports.metrics_figures)
    stats = figures.outbox
    runtime.metrics.record_conflicts.set(figures.record_conflicts)
    runtime.metrics.mismatched_days.set(figures.mismatched_days)
    runtime.metrics.outbox_pending.set(stats.pending)
    runtime.metrics.quarantined.set(stats.quarantined)
    if stats.oldest_pending_created_at is not None:
        age = runtime.clock.now() - stats.oldest_pending_created_at
        runtime.metrics.outbox_oldest_age.set(max(age.total_seconds(), 0.0))
    else:
        runtime.metrics.outbox_oldest_age.set(0)
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)
