"""B2B order approvals: HQ's inbox of orders tills submitted, and its decisions on their cart
and payment."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from hub.api.deps import HqCaller, HqPerson, RuntimeDep
from hub.domain.b2b import Phase
from hub.service import b2b
from shared.bounds import Identifier, LongText
from sync.messages import B2BApprovalV1, B2BStatus

router = APIRouter(prefix="/v1", tags=["B2B approvals"])


class B2BOrderOut(B2BApprovalV1):
    store_id: str


class B2BPageOut(BaseModel):
    orders: list[B2BOrderOut]
    next_after: UUID | None = Field(description="Pass as `after` for the next page; null: last")


class B2BDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approved: bool
    notes: LongText | None = None


@router.get("/b2b-orders", response_model=B2BPageOut)
async def list_b2b_orders(
    runtime: RuntimeDep,
    _: HqCaller,
    status: B2BStatus | None = None,
    store_id: Annotated[Identifier | None, Query()] = None,
    after: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> B2BPageOut:
    """The orders, filtered by status (`cart_submitted` and `payment_composed` await HQ) and
    store, oldest id first."""
    page = await b2b.list_orders(
        status=status, store_id=store_id, after=after, limit=limit, uow=runtime.uow
    )
    return B2BPageOut(
        orders=[_out(order, store_id) for order, store_id in page.orders],
        next_after=page.next_after,
    )


@router.get("/b2b-orders/{order_id}", response_model=B2BOrderOut)
async def get_b2b_order(order_id: UUID, runtime: RuntimeDep, _: HqCaller) -> B2BOrderOut:
    order, store_id = await b2b.get_order(order_id, runtime.uow)
    return _out(order, store_id)


@router.post("/b2b-orders/{order_id}/cart-decision", response_model=B2BOrderOut)
async def decide_b2b_cart(
    order_id: UUID, body: B2BDecisionIn, runtime: RuntimeDep, approver: HqPerson
) -> B2BOrderOut:
    """Approve or reject a submitted cart (phase 1); the decision reaches the store's tills
    through its feed. Whoever submitted it may not decide (403); an order not awaiting this
    decision answers 409; without the workflow service, 503 (nothing is recorded)."""
    return await _decide(order_id, "cart", body, runtime, approver)


@router.post("/b2b-orders/{order_id}/payment-decision", response_model=B2BOrderOut)
async def decide_b2b_payment(
    order_id: UUID, body: B2BDecisionIn, runtime: RuntimeDep, approver: HqPerson
) -> B2BOrderOut:
    """Approve or reject the payment the till composed (phase 3). Approved, the hub places the
    order (or blocks it, if a price changed since the cart was approved) before answering;
    rejected, the order returns to `cart_approved` for the till to compose another payment.
    Whoever submitted the cart or composed the payment may not decide (403); 409, 503 as for
    the cart."""
    return await _decide(order_id, "payment", body, runtime, approver)


async def _decide(
    order_id: UUID, phase: Phase, body: B2BDecisionIn, runtime: RuntimeDep, approver: str
) -> B2BOrderOut:
    decided = await b2b.decide(
        b2b.DecideB2B(order_id, phase, body.approved, approver, body.notes),
        runtime.uow,
        runtime.workflows,
    )
    _, store_id = await b2b.get_order(order_id, runtime.uow)
    return _out(decided, store_id)


def _out(order: B2BApprovalV1, store_id: str) -> B2BOrderOut:
    return B2BOrderOut(**order.model_dump(), store_id=store_id)
