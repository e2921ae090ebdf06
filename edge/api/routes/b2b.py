"""B2B orders: submit a trade customer's cart for HQ, compose its payment once HQ approved the
cart, hand the goods over once HQ placed the order."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from edge.api.deps import IdentityDep, RuntimeDep
from edge.api.routes.receipts import last_print_status, print_new_receipt
from edge.api.schemas.b2b import (
    B2BCompleteIn,
    B2BHandoverOut,
    B2BOrderIn,
    B2BOrderOut,
    B2BPaymentIn,
)
from edge.api.session import SessionDep, SignedInRoute
from edge.domain.documents import TenderPlan
from edge.domain.printing import DocumentKind
from edge.service import b2b, receipts, staff
from shared.money import Money
from sync.messages import B2BStatus

router = APIRouter(prefix="/v1/b2b-orders", tags=["B2B orders"], route_class=SignedInRoute)


@router.post("", response_model=B2BOrderOut, status_code=status.HTTP_201_CREATED)
async def submit_cart(
    body: B2BOrderIn,
    response: Response,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
) -> B2BOrderOut:
    """Submit a trade customer's cart for HQ's approval, priced as the till would sell it
    (201; a retried `order_id`, 200). It travels with the next sync; HQ's decisions come
    back through the feed. 404 `unknown_sku`, 422 `invalid_quantity` / `invalid_b2b_order`,
    409 `id_reused`."""
    staff.require_till(session, body.till_id)
    command = b2b.SubmitB2BCart(
        till_id=body.till_id,
        customer_id=body.customer_id,
        submitted_by=body.submitted_by,
        items=[b2b.B2BItem(sku=line.sku, quantity=line.quantity) for line in body.lines],
        reference=body.reference,
        order_id=body.order_id,
    )
    stored, created = await runtime.write(
        lambda uow: b2b.submit_cart(command, uow, identity=identity, clock=runtime.clock)
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return B2BOrderOut.of(stored)


@router.get("", response_model=list[B2BOrderOut])
async def list_orders(
    runtime: RuntimeDep,
    status_: Annotated[B2BStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[B2BOrderOut]:
    """The store's B2B orders known here, newest first."""
    stored = await runtime.read(lambda uow: b2b.list_orders(uow, status=status_, limit=limit))
    return [B2BOrderOut.of(item) for item in stored]


@router.get("/{order_id}", response_model=B2BOrderOut)
async def get_order(order_id: UUID, runtime: RuntimeDep) -> B2BOrderOut:
    """The order as this node last heard of it. 404 `b2b_order_not_found`."""
    return B2BOrderOut.of(await runtime.read(lambda uow: b2b.get_order(order_id, uow)))


@router.post("/{order_id}/payment", response_model=B2BOrderOut)
async def compose_payment(
    order_id: UUID, body: B2BPaymentIn, runtime: RuntimeDep, identity: IdentityDep
) -> B2BOrderOut:
    """Compose how an approved cart will be paid, cash and/or on account, for HQ to approve
    (200; repeating the same composition returns it). 409 `b2b_order_not_ready` until HQ
    approved the cart; 422 `payment_mismatch` when the tenders are not the order's total,
    `invalid_tender` for a tender of zero or less."""
    command = b2b.ComposePayment(
        order_id=order_id,
        composed_by=body.composed_by,
        tenders=[
            TenderPlan(kind=tender.kind, amount=Money.exact(tender.amount, identity.currency))
            for tender in body.tenders
        ],
    )
    stored, _ = await runtime.write(
        lambda uow: b2b.compose_payment(command, uow, identity=identity, clock=runtime.clock)
    )
    return B2BOrderOut.of(stored)


@router.post(
    "/{order_id}/complete", response_model=B2BHandoverOut, status_code=status.HTTP_201_CREATED
)
async def complete_order(
    order_id: UUID,
    body: B2BCompleteIn,
    response: Response,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
) -> B2BHandoverOut:
    """Hand a placed order over: records its sale, paid as HQ approved, and prints its
    receipt like any sale (201; a retry returns it, 200). 409 `b2b_order_not_ready` until HQ
    placed the order; 422 `insufficient_tender` when the cash does not cover the cash part."""
    staff.require_till(session, body.till_id)
    command = b2b.CompleteB2BOrder(
        order_id=order_id,
        till_id=body.till_id,
        cash_tendered=(
            Money.exact(body.cash_tendered, identity.currency)
            if body.cash_tendered is not None
            else None
        ),
        sale_id=body.sale_id,
    )

    handover = await runtime.write(
        lambda uow: receipts.handed_over(
            b2b.complete_order(command, uow, identity=identity, clock=runtime.clock),
            uow,
            staff_name=session.staff.name,
        )
    )
    out = B2BHandoverOut.of_handover(handover.sale, handover.order)
    sale = handover.sale
    if handover.created:
        out.receipt = await print_new_receipt(
            runtime, identity, DocumentKind.SALE, sale.sale_id, sale.till_id
        )
    else:
        response.status_code = status.HTTP_200_OK
        out.receipt = await last_print_status(
            runtime, DocumentKind.SALE, sale.sale_id, sale.till_id
        )
    return out
