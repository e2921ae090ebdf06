"""HQ's exception queue: recorded sales with something odd about them."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hub.api.deps import HqCaller, RuntimeDep
from hub.domain.sale_exceptions import ExceptionKind, ExceptionRecord
from hub.service import sale_exceptions
from shared.bounds import Cursor, Identifier, LongText

router = APIRouter(prefix="/v1/exceptions", tags=["Exceptions"])


class ExceptionOut(BaseModel):
    exception_id: int
    document_id: UUID
    store_id: str
    kind: str = Field(
        description="unknown_sku, oversold, price_drift, tender_problem, refund_problem, "
        "b2b_problem, line_arithmetic or altered_resend (document_id is then the event's id)"
    )
    sku: str | None
    detail: str
    status: str
    created_at: AwareDatetime
    resolved_at: AwareDatetime | None
    resolution: str | None

    @classmethod
    def of(cls, record: ExceptionRecord) -> ExceptionOut:
        return cls(
            exception_id=record.exception_id,
            document_id=record.document_id,
            store_id=record.store_id,
            kind=record.kind,
            sku=record.sku,
            detail=record.detail,
            status=record.status,
            created_at=record.created_at,
            resolved_at=record.resolved_at,
            resolution=record.resolution,
        )


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resolution: LongText = Field(min_length=1, description="What was done about it")


@router.get("", response_model=list[ExceptionOut])
async def list_exceptions(
    runtime: RuntimeDep,
    _: HqCaller,
    status: Literal["open", "resolved", "all"] = "open",
    store_id: Annotated[Identifier | None, Query()] = None,
    kind: ExceptionKind | None = None,
    after_id: Annotated[Cursor, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ExceptionOut]:
    """Exceptions in the order they were found; page with `after_id` = the last id seen."""
    records = await sale_exceptions.list_exceptions(
        status=None if status == "all" else status,
        store_id=store_id,
        kind=kind,
        after_id=after_id,
        limit=limit,
        uow=runtime.uow,
    )
    return [ExceptionOut.of(record) for record in records]


@router.post("/{exception_id}/resolve", response_model=ExceptionOut)
async def resolve(
    exception_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: ResolveIn,
    runtime: RuntimeDep,
    _: HqCaller,
) -> ExceptionOut:
    """Close an exception; the sale it is about is never changed."""
    return ExceptionOut.of(
        await sale_exceptions.resolve_exception(
            sale_exceptions.ResolveException(exception_id, body.resolution), runtime.uow
        )
    )
