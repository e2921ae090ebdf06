"""The till: carts, lines, checkout, returns, and the receipts kept on this node."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from edge.api.deps import IdentityDep, RuntimeDep
from edge.api.lean_route import add_scan_route
from edge.api.routes.receipts import last_print_status, print_new_receipt
from edge.api.schemas.till import (
    CartIn,
    CartLineOut,
    CartOut,
    CashMovementIn,
    CashMovementOut,
    CheckoutIn,
    DaySummaryOut,
    LinesIn,
    LinesOut,
    RefundIn,
    ReturnIn,
    ReturnOut,
    SaleOut,
)
from edge.api.session import OverrideDep, SessionDep, SignedInRoute, TillWriteDep
from edge.domain.cart import TenderRequest
from edge.domain.printing import DocumentKind
from edge.domain.refund_tenders import RefundChoice
from edge.domain.returns import ReturnItem
from edge.service import (
    card_refunds,
    cart_ops,
    cash,
    receipts,
    reports,
    returns,
    selling,
    staff,
    tendering,
)
from edge.service.permits import permit_of
from shared.bounds import Cursor, Day
from shared.money import Money

router = APIRouter(prefix="/v1", tags=["Till"], route_class=SignedInRoute)


def _lines(body: LinesIn | CartIn) -> list[selling.LineInput]:
    return [
        selling.LineInput(
            sku=line.sku,
            quantity=line.quantity,
            line_id=line.line_id,
            unit_price=line.unit_price,
            price_reason=line.price_reason,
            price_note=line.price_note,
            gift_card_number=line.gift_card_number,
        )
        for line in body.lines
    ]


@router.post("/carts", response_model=CartOut, status_code=status.HTTP_201_CREATED)
async def open_cart(
    body: CartIn,
    response: Response,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> CartOut:
    """Open a cart at the session's till, optionally with its first lines. 200 if `cart_id`
    already exists. 401 `till_mismatch` for another till."""
    staff.require_till(session, body.till_id)
    command = selling.OpenCart(
        till_id=body.till_id, cart_id=body.cart_id, customer_id=body.customer_id
    )
    lines = _lines(body)
    cart, created = await runtime.write(
        lambda uow: selling.open_cart_and_scan(
            command,
            lines,
            uow,
            identity=identity,
            clock=runtime.clock,
            authority=selling.authority_of(uow, session, override, identity),
        ),  # fmt: skip
        durable=False,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return CartOut.of(cart)


@router.get("/carts/{cart_id}", response_model=CartOut)
async def get_cart(cart_id: UUID, runtime: RuntimeDep) -> CartOut:
    return CartOut.of(await runtime.read(lambda uow: selling.get_cart(cart_id, uow)))


async def add_lines(
    cart_id: UUID, body: LinesIn, response: Response, till: TillWriteDep
) -> LinesOut:
    """Scan lines onto the cart, all or nothing (201); lines whose ids were all seen before are
    returned as they are (200). A price other than the catalogue's needs `price_reason` and
    `price_override` (or an override).
    """
    command = selling.AddLines(cart_id, _lines(body))
    scanned = await till.runtime.write(
        lambda uow: selling.add_lines(
            command,
            uow,
            authority=selling.authority_of(
                uow, till.claim.check(uow), till.override, till.identity
            ),
        ),
        durable=False,
    )
    if scanned.added == 0:
        response.status_code = status.HTTP_200_OK
    return LinesOut(
        cart_id=scanned.head.cart_id,
        lines=[CartLineOut.of(line, scanned.head.currency) for line in scanned.lines],
        line_count=scanned.head.active_count,
        total=scanned.head.total.amount,
    )


# The till's most frequent request (every scanned line).
add_scan_route(router, "/carts/{cart_id}/lines", add_lines, LinesOut)


@router.delete("/carts/{cart_id}/lines/{line_id}", response_model=CartOut)
async def void_line(
    cart_id: UUID,
    line_id: UUID,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> CartOut:
    """Void a line (`void_line`); it stays on the cart's record, marked voided."""
    return CartOut.of(
        await runtime.write(
            lambda uow: cart_ops.void_line(
                cart_id,
                line_id,
                uow,
                permit=permit_of(uow, session, override, identity),
                identity=identity,
            )  # fmt: skip
        )
    )


@router.post("/carts/{cart_id}/void", response_model=CartOut)
async def void_cart(
    cart_id: UUID,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> CartOut:
    """Abandon an open or parked cart (`void_cart`): nothing is sold."""
    return CartOut.of(
        await runtime.write(
            lambda uow: cart_ops.void_cart(
                cart_id,
                uow,
                permit=permit_of(uow, session, override, identity),
                identity=identity,
                clock=runtime.clock,
            )  # fmt: skip
        )
    )


@router.post(
    "/carts/{cart_id}/checkout", response_model=SaleOut, status_code=status.HTTP_201_CREATED
)
async def checkout(
    cart_id: UUID,
    body: CheckoutIn,
    response: Response,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
) -> SaleOut:
    """Take the tenders and complete the sale (201); a checked-out cart returns its sale (200).
    Cards are charged (or, the acquirer out of reach, stored offline within the store's
    limits), gift cards and store credit checked against the hub (or the offline allowance)
    before the sale is recorded (edge.service.tendering); a retry with the same tenders
    charges nothing twice. The receipt prints at the till's printer once the sale is
    committed (`receipt` says whether it did)."""
    command = await tendering.take_tenders(
        selling.Checkout(
            cart_id=cart_id,
            tenders=[
                TenderRequest(
                    kind=tender.kind,
                    amount=Money.exact(tender.amount, identity.currency),
                    tender_id=tender.tender_id,
                    account=tender.account,
                    card=tender.card,
                )
                for tender in body.tenders
            ],
            external_reference=body.external_reference,
        ),
        runtime.transactions,
        runtime.tender_ports,
        identity,
    )
    sale, created = await runtime.write(
        lambda uow: receipts.issued(
            selling.checkout(command, uow, identity=identity, clock=runtime.clock),
            uow,
            staff_name=session.staff.name,
        )
    )
    out = SaleOut.of(sale)
    # The sale is committed: whatever the printer does now, it stays sold.
    if created:
        out.receipt = await print_new_receipt(
            runtime, identity, DocumentKind.SALE, sale.sale_id, sale.till_id
        )
    else:
        response.status_code = status.HTTP_200_OK
        out.receipt = await last_print_status(
            runtime, DocumentKind.SALE, sale.sale_id, sale.till_id
        )
    return out


@router.post("/returns", response_model=ReturnOut, status_code=status.HTTP_201_CREATED)
async def record_return(
    body: ReturnIn,
    response: Response,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> ReturnOut:
    """Take goods back, against a receipt or without one, and refund. Against a receipt each
    of the sale's tenders is paid back in proportion to what it paid (card, gift card,
    store credit, cash; `refund.kind` `store_credit` turns the cash part into store credit);
    without one the refund is cash, or store credit to a customer (`refund`). A return
    without a receipt needs Permission.RETURN_WITHOUT_RECEIPT (a supervisor, or an override:
    403 `not_permitted` otherwise), its store credit Permission.ISSUE_STORE_CREDIT too. 422
    `refund_tender_refused`: store credit without a customer id. A refund above the store's
    limit is 409 `refund_needs_approval` (ask HQ: /v1/refund-requests)."""
    staff.require_till(session, body.till_id)
    # Card parts are refunded through the terminal first (or stored offline): 402
    # `card_declined` when the acquirer refuses one, and nothing is recorded.
    command = await card_refunds.refund_cards(
        return_command(body),
        runtime.transactions,
        runtime.tender_ports.terminal,
        identity,
        runtime.clock,
    )
    document, created = await runtime.write(
        lambda uow: receipts.issued(
            returns.take_back(
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


def return_command(body: ReturnIn) -> returns.RecordReturn:
    return returns.RecordReturn(
        till_id=body.till_id,
        reason=body.reason,
        items=[
            ReturnItem(
                sku=line.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                original_line_no=line.original_line_no,
            )
            for line in body.lines
        ],
        return_id=body.return_id,
        original_sale_id=body.original_sale_id,
        original_receipt_number=body.original_receipt_number,
        customer_id=body.customer_id,
        external_reference=body.external_reference,
        refund=refund_choice(body.refund),
    )


def refund_choice(body: RefundIn | None) -> RefundChoice | None:
    """The customer's choice of refund, as the returns desk's service takes it."""
    return None if body is None else RefundChoice(kind=body.kind, account=body.account)


@router.get("/returns/{return_id}", response_model=ReturnOut)
async def get_return(return_id: UUID, runtime: RuntimeDep) -> ReturnOut:
    return ReturnOut.of(await runtime.read(lambda uow: returns.get_return(return_id, uow)))


@router.get("/sales/{sale_id}", response_model=SaleOut)
async def get_sale(sale_id: UUID, runtime: RuntimeDep) -> SaleOut:
    return SaleOut.of(await runtime.read(lambda uow: selling.get_sale(sale_id, uow)))


@router.get("/sales", response_model=list[SaleOut])
async def list_sales(
    runtime: RuntimeDep,
    business_day: Day,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[Cursor, Query()] = 0,
) -> list[SaleOut]:
    """Receipts of one trading day, in the order they were rung up."""
    sales = await runtime.read(
        lambda uow: selling.sales_of_day(business_day, uow, limit=limit, offset=offset)
    )
    return [SaleOut.of(sale) for sale in sales]


@router.get("/reports/day", response_model=DaySummaryOut)
async def day_report(
    runtime: RuntimeDep, identity: IdentityDep, business_day: Day
) -> DaySummaryOut:
    """This node's totals for one trading day, from its own records (works offline)."""
    summary = await runtime.read(lambda uow: reports.x_report(business_day, uow))
    return DaySummaryOut.of(business_day, summary, identity.currency)


@router.post("/cash-movements", response_model=CashMovementOut, status_code=status.HTTP_201_CREATED)
async def record_cash_movement(
    body: CashMovementIn,
    response: Response,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> CashMovementOut:
    """Put cash into a drawer (float, paid-in) or take it out (paid-out, pickup); 201, or 200
    for a `movement_id` seen before. Works offline: it reaches HQ through the outbox."""
    staff.require_till(session, body.till_id)
    command = cash.RecordCashMovement(
        till_id=body.till_id,
        kind=body.kind,
        amount=body.amount,
        reason=body.reason,
        movement_id=body.movement_id,
    )
    movement, created = await runtime.write(
        lambda uow: cash.cash_at_till(
            command, session, override, uow, identity=identity, clock=runtime.clock
        )
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return CashMovementOut.of(movement)


@router.get("/cash-movements/{movement_id}", response_model=CashMovementOut)
async def get_cash_movement(movement_id: UUID, runtime: RuntimeDep) -> CashMovementOut:
    return CashMovementOut.of(await runtime.read(lambda uow: cash.get_movement(movement_id, uow)))


@router.get("/cash-movements", response_model=list[CashMovementOut])
async def cash_movements_of_day(business_day: Day, runtime: RuntimeDep) -> list[CashMovementOut]:
    """The day's cash movements at every till of this node, in the order they were made."""
    movements = await runtime.read(lambda uow: cash.movements_of_day(business_day, uow))
    return [CashMovementOut.of(movement) for movement in movements]
