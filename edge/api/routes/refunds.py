"""Refunds above the store's limit: ask HQ, see its decision, make the refund once approved."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from edge.api.deps import IdentityDep, RuntimeDep
from edge.api.routes.receipts import last_print_status, print_new_receipt
from edge.api.routes.till import refund_choice, return_command
from edge.api.schemas.refunds import CompleteRefundIn, RefundRequestIn, RefundRequestOut
from edge.api.schemas.till import ReturnOut
from edge.api.session import OverrideDep, SessionDep, SignedInRoute
from edge.domain.printing import DocumentKind
from edge.service import receipts, refunds, staff

router = APIRouter(
    prefix="/v1/refund-requests", tags=["Refund approvals"], route_class=SignedInRoute
)

RefundStatus = Literal["pending", "approved", "rejected", "expired", "executed", "lapsed"]


@router.post("", response_model=RefundRequestOut, status_code=status.HTTP_201_CREATED)
async def request_refund(
    body: RefundRequestIn,
    response: Response,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
) -> RefundRequestOut:
    """Ask HQ to approve a refund above the store's limit (201; a retried `request_id`, 200).
    The request travels with the next sync; HQ's decision comes back through the feed."""
    staff.require_till(session, body.till_id)
    command = refunds.RequestRefund(
        details=return_command(body),
        requested_by=body.requested_by,
        request_id=body.request_id,
    )
    stored, created = await runtime.write(
        lambda uow: refunds.request_refund(command, uow, identity=identity, clock=runtime.clock)
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return RefundRequestOut.of(stored)


@router.get("", response_model=list[RefundRequestOut])
async def list_refund_requests(
    runtime: RuntimeDep,
    status_: Annotated[RefundStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RefundRequestOut]:
    """The store's refund requests, newest first."""
    stored = await runtime.read(lambda uow: refunds.list_requests(uow, status=status_, limit=limit))
    return [RefundRequestOut.of(item) for item in stored]


@router.get("/{request_id}", response_model=RefundRequestOut)
async def get_refund_request(request_id: UUID, runtime: RuntimeDep) -> RefundRequestOut:
    return RefundRequestOut.of(await runtime.read(lambda uow: refunds.get_request(request_id, uow)))


@router.post(
    "/{request_id}/complete", response_model=ReturnOut, status_code=status.HTTP_201_CREATED
)
async def complete_refund(
    request_id: UUID,
    body: CompleteRefundIn,
    response: Response,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> ReturnOut:
    """Make an approved refund: records its return and prints its receipt at the till's
    printer like any return (201; a retry returns it, 200). The refund goes back to the
    receipt's tenders in proportion; without a receipt, `refund` chooses cash or store
    credit (Permission.ISSUE_STORE_CREDIT). 409 while it is not approved, or once made."""
    staff.require_till(session, body.till_id)
    command = refunds.CompleteRefund(
        request_id=request_id,
        till_id=body.till_id,
        return_id=body.return_id,
        refund=refund_choice(body.refund),
    )
    document, created = await runtime.write(
        lambda uow: receipts.issued(
            refunds.complete_at_till(
                command, session, override, uow, identity=identity, clock=runtime.clock
            ),
            uow,
            staff_name=session.staff.name,
        )
    )
    out = ReturnOut.of(document)
    if created:
        out.receipt = await print_new_receipt(
            runtime, identity, DocumentKind.RETURN, document.return_id, document.till_id
        )
    else:
        response.status_code = status.HTTP_200_OK
        out.receipt = await last_print_status(
            runtime, DocumentKind.RETURN, document.return_id, document.till_id
        )
    return out
