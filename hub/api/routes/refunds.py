"""Refund approvals: HQ's inbox of refunds tills asked for, decisions, and store refund limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from hub.api.deps import HqCaller, HqPerson, RuntimeDep
from hub.errors import InvalidRequest
from hub.service import refunds
from shared.bounds import Amount, Identifier, LongText
from shared.money import DecimalText
from sync.messages import RefundDecisionV1, RefundStatus

router = APIRouter(prefix="/v1", tags=["Refund approvals"])


class RefundRequestOut(RefundDecisionV1):
    store_id: str


class RefundPageOut(BaseModel):
    requests: list[RefundRequestOut]
    next_after: UUID | None = Field(description="Pass as `after` for the next page; null: last")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approved: bool
    notes: LongText | None = None


class RefundPolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approval_over: Amount | None = Field(
        description="Refunds above this need HQ's approval; null: the default (250.00)"
    )


class RefundPolicyOut(BaseModel):
    store_id: str
    approval_over: DecimalText | None
    config_version: int


@router.get("/refund-requests", response_model=RefundPageOut)
async def list_refund_requests(
    runtime: RuntimeDep,
    _: HqCaller,
    status: RefundStatus | None = "pending",
    store_id: Annotated[Identifier | None, Query()] = None,
    after: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RefundPageOut:
    """The approvals inbox (pending requests by default), oldest id first."""
    page = await refunds.list_requests(
        status=status, store_id=store_id, after=after, limit=limit, uow=runtime.uow
    )
    return RefundPageOut(
        requests=[_out(request, store_id) for request, store_id in page.requests],
        next_after=page.next_after,
    )


@router.get("/refund-requests/{request_id}", response_model=RefundRequestOut)
async def get_refund_request(
    request_id: UUID, runtime: RuntimeDep, _: HqCaller
) -> RefundRequestOut:
    request, store_id = await refunds.get_request(request_id, runtime.uow)
    return _out(request, store_id)


@router.post("/refund-requests/{request_id}/decision", response_model=RefundRequestOut)
async def decide_refund_request(
    request_id: UUID, body: DecisionIn, runtime: RuntimeDep, approver: HqPerson
) -> RefundRequestOut:
    """Approve or reject a pending request; the decision reaches the store's tills through its
    feed. The person who asked may not decide (403); a request decided, expired or made
    already answers 409; without the workflow service, 503 (nothing is recorded)."""
    decided = await refunds.decide(
        refunds.DecideRefund(request_id, body.approved, approver, body.notes),
        runtime.uow,
        runtime.workflows,
    )
    _, store_id = await refunds.get_request(request_id, runtime.uow)
    return _out(decided, store_id)


@router.put("/stores/{store_id}/refund-policy", response_model=RefundPolicyOut)
async def put_refund_policy(
    store_id: Annotated[Identifier, Path()], body: RefundPolicyIn, runtime: RuntimeDep, _: HqCaller
) -> RefundPolicyOut:
    """Set the refund above which the store's tills must ask HQ first; reaches its feed."""
    approval_over: Decimal | None = body.approval_over
    if approval_over is not None and approval_over < 0:
        raise InvalidRequest("approval_over cannot be negative")
    version = await refunds.set_refund_policy(
        refunds.SetRefundPolicy(store_id, approval_over), runtime.uow
    )
    return RefundPolicyOut(store_id=store_id, approval_over=approval_over, config_version=version)


def _out(request: RefundDecisionV1, store_id: str) -> RefundRequestOut:
    return RefundRequestOut(**request.model_dump(), store_id=store_id)
