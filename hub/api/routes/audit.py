"""The audit trail HQ reads: its own changes at the hub (source `hq`) and what the tills
audited (source `store`), in one listing.

A page holds entries of one source, each naming it (`source`), paged by that source's
`entry_id`. The till filters (`store_id`, `staff`, `kind`, `till_id`) select the tills'
entries; `key_id` selects HQ's; `source` says which when no filter does (default `hq`, the
listing as it was before tills audited anything). `from`/`to` bound either source's time:
when HQ's answer was given, or when the till's action happened.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from hub.api.deps import HqCaller, RuntimeDep
from hub.domain.audit import AuditEntry
from hub.domain.staff import TillAuditEntry, TillAuditFilter
from hub.errors import InvalidRequest
from hub.service.audit import audit_trail
from hub.service.till_audit import till_audit_trail
from shared.bounds import Identifier, StaffCode, TillId
from sync.messages import AuditKind

router = APIRouter(prefix="/v1/audit", tags=["HQ administration"])

Source = Literal["hq", "store"]


class AuditEntryOut(BaseModel):
    source: Literal["hq"] = Field(default="hq", description="A change HQ asked of the hub")
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


class TillAuditEntryOut(BaseModel):
    source: Literal["store"] = Field(default="store", description="An action at a till")
    entry_id: int = Field(description="Orders the entries as received; the paging cursor")
    audit_id: UUID = Field(description="The till's id of the action: kept once")
    event_id: UUID
    store_id: str
    node_id: str
    kind: AuditKind
    till_id: str | None
    staff_code: str | None = Field(description="Who did it (or typed the wrong PIN)")
    staff_name: str | None
    approver_code: str | None = Field(description="Who approved it by override")
    approver_name: str | None
    at: AwareDatetime = Field(description="When it happened at the till")
    business_day: date
    subject: str | None = Field(description="What it was done to: a cart, line, sale, shift")
    details: dict[str, str] = Field(description="Figures as text: amounts, reason codes")
    received_at: AwareDatetime = Field(description="When the hub received it")

    @classmethod
    def of(cls, entry: TillAuditEntry) -> TillAuditEntryOut:
        return cls(
            entry_id=entry.entry_id,
            audit_id=entry.audit_id,
            event_id=entry.event_id,
            store_id=entry.store_id,
            node_id=entry.node_id,
            kind=entry.kind,
            till_id=entry.till_id,
            staff_code=entry.staff_code,
            staff_name=entry.staff_name,
            approver_code=entry.approver_code,
            approver_name=entry.approver_name,
            at=entry.at,
            business_day=entry.business_day,
            subject=entry.subject,
            details={str(name): str(value) for name, value in entry.details.items()},
            received_at=entry.received_at,
        )


AnyEntryOut = Annotated[AuditEntryOut | TillAuditEntryOut, Field(discriminator="source")]


class AuditPageOut(BaseModel):
    source: Source = Field(description="Which trail this page is of")
    entries: list[AnyEntryOut]
    next_after_id: int = Field(
        description="Pass as `after_id` for the next page: the last entry's id (or the "
        "`after_id` asked, when the page is empty)"
    )


@router.get("", response_model=AuditPageOut)
async def list_audit(
    runtime: RuntimeDep,
    _: HqCaller,
    source: Source | None = None,
    after_id: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    key_id: Annotated[str | None, Query(min_length=1, max_length=36)] = None,
    store_id: Annotated[Identifier | None, Query()] = None,
    staff: Annotated[StaffCode | None, Query(description="Who did or approved it")] = None,
    kind: AuditKind | None = None,
    till_id: Annotated[TillId | None, Query()] = None,
    from_: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    to: AwareDatetime | None = None,
    since: Annotated[AwareDatetime | None, Query(description="`from`'s older name")] = None,
    until: Annotated[AwareDatetime | None, Query(description="`to`'s older name")] = None,
) -> AuditPageOut:
    """One page of the audit trail, oldest first: HQ's changes (`source=hq`, the default)
    or the tills' actions (`source=store`, or any of `store_id`, `staff`, `kind`,
    `till_id`). `from` is included, `to` excluded."""
    till_filters = [
        name for name, value in _till_filters(store_id, staff, kind, till_id) if value is not None
    ]
    chosen: Source = source or ("store" if till_filters else "hq")
    if chosen == "hq" and till_filters:
        raise InvalidRequest(f"{', '.join(till_filters)} select the tills' entries (source=store)")
    if chosen == "store" and key_id is not None:
        raise InvalidRequest("key_id selects HQ's entries (source=hq)")
    first = _one_of("from", from_, "since", since)
    last = _one_of("to", to, "until", until)
    if chosen == "hq":
        entries = await audit_trail(
            after_id=after_id,
            limit=limit,
            key_id=key_id,
            since=first,
            until=last,
            uow=runtime.uow,
        )
        return AuditPageOut(
            source="hq",
            entries=[AuditEntryOut.of(entry) for entry in entries],
            next_after_id=entries[-1].entry_id if entries else after_id,
        )
    where = TillAuditFilter(
        store_id=store_id, staff=staff, kind=kind, till_id=till_id, since=first, until=last
    )
    found = await till_audit_trail(where, after_id=after_id, limit=limit, uow=runtime.uow)
    return AuditPageOut(
        source="store",
        entries=[TillAuditEntryOut.of(entry) for entry in found],
        next_after_id=found[-1].entry_id if found else after_id,
    )


def _till_filters(*values: Any) -> list[tuple[str, Any]]:
    return list(zip(("store_id", "staff", "kind", "till_id"), values, strict=True))


def _one_of(name: str, value: Any, old_name: str, old_value: Any) -> Any:
    if value is not None and old_value is not None:
        raise InvalidRequest(f"give {name} or {old_name}, not both")
    return value if value is not None else old_value
