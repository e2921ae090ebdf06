"""HQ's view of integrity: days whose totals at a store did not match the ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hub.api.deps import HqCaller, RuntimeDep
from hub.domain.integrity import IntegrityAlert
from hub.service import integrity
from shared.bounds import Day, Identifier, Resolution
from sync.messages import DayChecksumV1

router = APIRouter(prefix="/v1/integrity", tags=["Integrity"])


class AlertOut(BaseModel):
    alert_id: int
    store_id: str
    node_id: str
    business_day: Day
    edge: DayChecksumV1
    hub: DayChecksumV1
    created_at: AwareDatetime
    resolved_at: AwareDatetime | None = None
    resolution: str | None = None
    till_id: str | None = Field(default=None, description="A Z report's alert: its till")
    z_number: int | None = Field(default=None, description="A Z report's alert: its number")
    details: str | None = Field(
        default=None,
        description="What differs: a Z report's figures, or a card settlement's (node_id "
        "`acquirer`: `edge` is the acquirer's count and net card money of the UTC day)",
    )

    @classmethod
    def of(cls, alert: IntegrityAlert) -> AlertOut:
        return cls(
            alert_id=alert.alert_id,
            store_id=alert.store_id,
            node_id=alert.node_id,
            business_day=alert.business_day,
            edge=alert.edge,
            hub=alert.hub,
            created_at=alert.created_at,
            resolved_at=alert.resolved_at,
            resolution=alert.resolution,
            till_id=alert.till_id,
            z_number=alert.z_number,
            details=alert.details,
        )


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: Resolution = Field(description="What was found and done")


@router.get("/alerts", response_model=list[AlertOut])
async def alerts(
    runtime: RuntimeDep,
    _: HqCaller,
    store_id: Annotated[Identifier | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertOut]:
    """Open alerts: a node's day that the ledger does not match (count, total or event ids)."""
    return [
        AlertOut.of(alert)
        for alert in await integrity.list_alerts(store_id=store_id, limit=limit, uow=runtime.uow)
    ]


@router.post("/alerts/{alert_id}/resolve", response_model=AlertOut)
async def resolve(
    alert_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: ResolveIn,
    runtime: RuntimeDep,
    _: HqCaller,
) -> AlertOut:
    """Close an alert once its cause is found; it leaves the open list and the gauge. 404
    `alert_not_found`; 409 `already_resolved` (closed before with another resolution)."""
    return AlertOut.of(
        await integrity.resolve_alert(
            integrity.ResolveAlert(alert_id, body.resolution), runtime.uow
        )
    )
