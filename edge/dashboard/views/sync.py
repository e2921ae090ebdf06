"""The Sync view: the link to HQ, the outbox, offline card exposure, quarantine, mismatched
days and the day's outbox depth (GET /dashboard/sync; its panel refreshes every 10 s from
GET /dashboard/sync/panel). Everything from the node's own file and the sync agent's memory:
nothing here calls the hub."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from edge.api.deps import IdentityDep, RuntimeDep
from edge.bootstrap import EdgeRuntime
from edge.dashboard import charts
from edge.dashboard.auth import ManagerDep
from edge.dashboard.web import render
from edge.domain.node import NodeIdentity
from edge.service import dashboard_sync

router = APIRouter()


def link_state(runtime: EdgeRuntime) -> dashboard_sync.LinkState:
    """What the sync agent knows of its link to the hub (as GET /v1/status reports it)."""
    assert runtime.agent is not None
    status = runtime.agent.status
    return dashboard_sync.LinkState(
        online=status.online,
        last_success_at=status.last_success_at,
        last_error=status.last_error,
        last_error_at=status.last_error_at,
        consecutive_failures=status.consecutive_failures,
        next_attempt_in_s=status.next_attempt_in_s,
        skew_ms=status.skew_ms,
        credential_rejected=status.credential_rejected,
    )


def duration_text(seconds: int | None) -> str:
    """A wait in words for a manager: `none`, `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`."""
    if seconds is None:
        return "none"
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def skew_text(skew_ms: int | None) -> str:
    """The hub's clock against this node's, in words (positive: the hub is ahead)."""
    if skew_ms is None:
        return "not known: not measured since this node started (it is at the next sync)"
    if abs(skew_ms) < 1000:
        return f"in step (within a second: {skew_ms} ms)"
    way = "ahead of" if skew_ms > 0 else "behind"
    text = f"HQ's clock is {duration_text(abs(skew_ms) // 1000)} {way} this node's"
    if abs(skew_ms) >= 60_000:
        text += ": have the node's machine clock checked (sales carry its time)"
    return text


async def sync_context(runtime: EdgeRuntime, identity: NodeIdentity) -> dict[str, Any]:
    """The Sync panel's context: the read model, its chart and its words."""
    link = link_state(runtime)
    day = identity.business_day(runtime.clock.now())
    view = await runtime.read(lambda uow: dashboard_sync.sync_view(uow, identity, link, day=day))
    points = [
        (identity.local_time(sample.at).strftime("%H:%M"), sample.pending)
        for sample in view.samples
    ]
    chart = (
        charts.line_chart(points, title=f"Events waiting to upload on {day}", label=str)
        if points
        else None
    )
    return {
        "view": view,
        "day": day,
        "chart": chart,
        "oldest_age": duration_text(view.oldest_age_s),
        "skew": skew_text(link.skew_ms),
        "samples_offline": sum(1 for sample in view.samples if not sample.online),
    }


@router.get("/sync", response_class=HTMLResponse)
async def sync_page(
    request: Request, manager: ManagerDep, runtime: RuntimeDep, identity: IdentityDep
) -> HTMLResponse:
    """The Sync page (the panel, and what refreshes it)."""
    context = await sync_context(runtime, identity)
    return render(request, "sync.html", context, manager=manager, active="sync")


@router.get("/sync/panel", response_class=HTMLResponse)
async def sync_panel(
    request: Request, manager: ManagerDep, runtime: RuntimeDep, identity: IdentityDep
) -> HTMLResponse:
    """The Sync panel alone (htmx swaps it in every 10 s)."""
    context = await sync_context(runtime, identity)
    return render(request, "_sync_panel.html", context, manager=manager, active="sync")
