"""The node itself: status, catalogue look-up, sync on demand, and the driven clock."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from edge.api.deps import RuntimeDep
from edge.api.schemas.node import (
    CatalogueItemOut,
    ClockIn,
    DayChecksumOut,
    IntegrityOut,
    OutboxOut,
    QuarantinedOut,
    StatusOut,
    SyncOut,
)
from edge.errors import HubUnavailable
from edge.service import catalogue, clock, reports
from shared.bounds import Sku
from sync.errors import HubRequestFailed

router = APIRouter(prefix="/v1", tags=["Node"])


@router.get("/status", response_model=StatusOut)
async def node_status(runtime: RuntimeDep) -> StatusOut:
    """Who this node is, its outbox, its link to the hub (all from local state: works offline)."""
    state = await runtime.read(reports.node_state)
    identity = runtime.identity
    assert runtime.agent is not None
    agent = runtime.agent.status
    return StatusOut(
        enrolled=identity is not None,
        store_id=identity.store_id if identity else None,
        node_id=identity.node_id if identity else None,
        store_name=identity.store_name if identity else None,
        timezone=identity.timezone if identity else None,
        currency=identity.currency if identity else None,
        clock=runtime.clock.now(),
        clock_mode=runtime.settings.clock_mode,
        catalogue=state.catalogue,
        outbox=OutboxOut.of(state.outbox),
        sync=SyncOut(
            online=agent.online,
            last_success_at=agent.last_success_at,
            last_error=agent.last_error,
            last_error_at=agent.last_error_at,
            consecutive_failures=agent.consecutive_failures,
            next_attempt_in_s=round(agent.next_attempt_in_s, 3),
            skew_ms=agent.skew_ms,
            credential_rejected=agent.credential_rejected,
            feed_cursor=state.feed_cursor,
        ),
        integrity=IntegrityOut(
            matched_days=state.checked.matched, mismatched_days=state.checked.mismatched
        ),
    )


@router.get("/sync/integrity", response_model=list[DayChecksumOut])
async def integrity_mismatches(
    runtime: RuntimeDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[DayChecksumOut]:
    """Business days whose totals here (documents, signed total, event ids) differ from the
    hub's ledger; HQ has an alert for each."""
    checks = await runtime.read(lambda uow: reports.mismatched_days(uow, limit=limit))
    return [DayChecksumOut.of(check) for check in checks]


@router.get("/sync/quarantine", response_model=list[QuarantinedOut])
async def quarantine(
    runtime: RuntimeDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[QuarantinedOut]:
    """This node's events the hub stored but could not apply, with the hub's reasons.

    They are safe at the hub and acknowledged; HQ retries them after a fix, and this list
    empties as the hub's feed reports them applied.
    """
    events = await runtime.read(lambda uow: reports.quarantined_events(uow, limit=limit))
    return [QuarantinedOut.of(event) for event in events]


@router.post("/sync/rotate-credential", response_model=StatusOut)
async def rotate(runtime: RuntimeDep) -> StatusOut:
    """Replace this node's store credential with a new one from the hub (needs the hub)."""
    assert runtime.agent is not None
    try:
        await runtime.agent.rotate_credential()
    except HubRequestFailed as error:
        raise HubUnavailable(str(error)) from error
    return await node_status(runtime)


@router.post("/sync/run", response_model=StatusOut)
async def sync_now(runtime: RuntimeDep) -> StatusOut:
    """Run a sync cycle now, ignoring any back-off; returns the status afterwards."""
    assert runtime.agent is not None
    await runtime.agent.run_cycle(force=True)
    return await node_status(runtime)


@router.get("/catalogue/{sku}", response_model=CatalogueItemOut)
async def look_up(sku: Annotated[Sku, Path()], runtime: RuntimeDep) -> CatalogueItemOut:
    """A SKU as it would be scanned now, with the hub's stock count at this store."""
    item, on_hand = await runtime.read(lambda uow: catalogue.look_up(sku, uow))
    return CatalogueItemOut.of(item, on_hand)


@router.get("/catalogue", response_model=list[CatalogueItemOut])
async def search(
    runtime: RuntimeDep,
    q: Annotated[Sku, Query()],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[CatalogueItemOut]:
    """Find items: the one whose GTIN is `q` (8, 12, 13 or 14 digits, any form the item holds)
    first, then those whose SKU or description contains `q`."""
    items = await runtime.read(lambda uow: catalogue.search(q, uow, limit=limit))
    return [CatalogueItemOut.of(item) for item in items]


@router.put("/clock", response_model=ClockIn)
async def set_clock(body: ClockIn, runtime: RuntimeDep) -> ClockIn:
    """Move a driven clock (nodes started with clock_mode=manual, as the replay does).

    Raises ClockNotDriven on a node running on the system clock; refuses to go backwards.
    """
    now = await clock.drive_clock(body.now, runtime.transactions, clock=runtime.clock)
    return ClockIn(now=now)
