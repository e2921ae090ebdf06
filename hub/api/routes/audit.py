"""The HQ audit trail: who changed what at the hub, and how it ended."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from hub.api.deps import HqCaller, RuntimeDep
from hub.domain.audit import AuditEntry
from hub.service.audit import audit_trail

router = APIRouter(prefix="/v1/audit", tags=["HQ administration"])


class AuditEntryOut(BaseModel):
    entry_id: int = Field(description="Orders the entries; the paging cursor (`after_id`)")
    recorded_at: AwareDatetime = Field(description="When the answer was given (UTC)")
    request_id: str = Field(description="The request's X-Request-ID")
    key_id: str | None = Field(description="The API key's id; null for the admin token")
    actor: str = Field(description="The API key's name, or `admin token`")
    method: str
    route: str = Field(description="The route's template, e.g. /v1/stores/{store_id}")
    target: dict[str, str] = Field(description="The path's parameters: what was acted on")
    status: int = Field(description="The answer's HTTP status: 2xx happened, others did not")

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            entry_id=entry.entry_id,
            recorded_at=entry.recorded_at,
            request_id=entry.request_id,
            key_id=entry.key_id,
            actor=entry.actor,
            method=entry.method,
            route=entry.route,
            target=entry.target,
            status=entry.status,
        )


class AuditPageOut(BaseModel):
    entries: list[AuditEntryOut]
    next_after_id: int = Field(
        description="Pass as `after_id` for the next page: the last entry's id (or the "
        "`after_id` asked, when the page is empty)"
    )


@router.get("", response_model=AuditPageOut)
async def list_audit(
    runtime: RuntimeDep,
    _: HqCaller,
    after_id: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    key_id: Annotated[str | None, Query(min_length=1, max_length=36)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> AuditPageOut:
    """Changes asked of the hub by HQ, ERPs and the admin token, oldest first: only key
    `key_id`'s, and only from `since` (included) to `until` (excluded), when given."""
    entries = await audit_trail(
        after_id=after_id, limit=limit, key_id=key_id, since=since, until=until, uow=runtime.uow
    )
    return AuditPageOut(
        entries=[AuditEntryOut.of(entry) for entry in entries],
        next_after_id=entries[-1].entry_id if entries else after_id,
    )
