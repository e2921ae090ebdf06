"""HQ's view of the quarantine: events stored but not applied, and retrying them after a fix."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime, BaseModel, Field

from hub.api.deps import HqCaller, RuntimeDep
from hub.service import quarantine
from shared.bounds import Identifier

router = APIRouter(prefix="/v1", tags=["Quarantine"])


class QuarantinedOut(BaseModel):
    event_id: UUID
    store_id: str
    node_id: str
    seq: int
    kind: str
    schema_version: int
    reason: str | None
    received_at: AwareDatetime
    retries: int
    last_retry_at: AwareDatetime | None
    payload: dict[str, Any] | None = None
    status: str = Field(description="applied | quarantined")

    @classmethod
    def of(cls, event: quarantine.QuarantinedEvent) -> QuarantinedOut:
        return cls(
            event_id=event.event_id,
            store_id=event.store_id,
            node_id=event.node_id,
            seq=event.seq,
            kind=event.kind,
            schema_version=event.schema_version,
            reason=event.reason,
            received_at=event.received_at,
            retries=event.retries,
            last_retry_at=event.last_retry_at,
            payload=event.payload,
            status=event.status,
        )


class RetryOut(BaseModel):
    event_id: UUID
    status: str
    reason: str | None


@router.get("/quarantine", response_model=list[QuarantinedOut])
async def list_quarantined(
    runtime: RuntimeDep,
    _: HqCaller,
    store_id: Annotated[Identifier | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: Annotated[
        datetime | None, Query(description="Only events received later than this")
    ] = None,
    after_event: Annotated[
        UUID | None, Query(description="The last event id of the previous page")
    ] = None,
) -> list[QuarantinedOut]:
    """Quarantined events, oldest first, with the reason each could not be applied. Page with
    `after_event`: every event of a batch shares its receipt time."""
    events = await quarantine.list_quarantined(
        store_id=store_id, limit=limit, after=after, after_event=after_event, uow=runtime.uow
    )
    return [QuarantinedOut.of(event) for event in events]


@router.get("/events/{event_id}", response_model=QuarantinedOut)
async def get_event(event_id: UUID, runtime: RuntimeDep, _: HqCaller) -> QuarantinedOut:
    """Any received event with its status and its payload exactly as received."""
    return QuarantinedOut.of(await quarantine.get_event(event_id, runtime.uow))


@router.post("/quarantine/{event_id}/retry", response_model=RetryOut)
async def retry(event_id: UUID, runtime: RuntimeDep, _: HqCaller) -> RetryOut:
    """Apply a quarantined event again (after a fix). 409 if it is applied already."""
    result = await quarantine.retry_event(quarantine.RetryEvent(event_id), runtime.uow)
    return RetryOut(event_id=result.event_id, status=result.status, reason=result.reason)


@router.post("/stores/{store_id}/quarantine/retry", response_model=list[RetryOut])
async def retry_store(
    store_id: Annotated[Identifier, Path()],
    runtime: RuntimeDep,
    _: HqCaller,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> list[RetryOut]:
    """Retry a store's quarantined events, oldest first, each in its own transaction."""
    results = await quarantine.retry_store(quarantine.RetryStore(store_id, limit), runtime.uow)
    return [
        RetryOut(event_id=item.event_id, status=item.status, reason=item.reason) for item in results
    ]
