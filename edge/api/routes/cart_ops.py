"""Cart operations at the till: park and recall, a line's quantity, discounts, a price
override, and reversing a sale (docs/counter.md, "Cart operations"). Every route takes the
till session; an action the cashier's role does not allow takes a manager override."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from edge.api.deps import IdentityDep, RuntimeDep
from edge.api.schemas.cart_ops import DiscountIn, ParkedCartOut, PriceIn, QuantityIn, RecallIn
from edge.api.schemas.till import CartOut, ReturnOut
from edge.api.session import OverrideDep, SessionDep, SignedInRoute
from edge.service import cart_ops, parking, reversals, staff
from edge.service.permits import permit_of

router = APIRouter(prefix="/v1", tags=["Till"], route_class=SignedInRoute)


@router.post("/carts/{cart_id}/park", response_model=CartOut)
async def park_cart(
    cart_id: UUID, runtime: RuntimeDep, identity: IdentityDep, session: SessionDep
) -> CartOut:
    """Park the open cart: any till of the node can recall it (`GET /v1/parked-carts`)."""
    return CartOut.of(
        await runtime.write(
            lambda uow: parking.park_cart(cart_id, uow, acting=session, identity=identity)
        )
    )


@router.post("/carts/{cart_id}/recall", response_model=CartOut)
async def recall_cart(
    cart_id: UUID, body: RecallIn, runtime: RuntimeDep, identity: IdentityDep, session: SessionDep
) -> CartOut:
    """Take a parked cart up at `till_id`, the session's till: it is open there."""
    staff.require_till(session, body.till_id)
    return CartOut.of(
        await runtime.write(
            lambda uow: parking.recall_cart(
                cart_id, body.till_id, uow, acting=session, identity=identity
            )
        )
    )


@router.get("/parked-carts", response_model=list[ParkedCartOut])
async def parked_carts(runtime: RuntimeDep, _: SessionDep) -> list[ParkedCartOut]:
    """Every cart parked at this node, the longest parked first."""
    return [ParkedCartOut.of(cart) for cart in await runtime.read(parking.parked_carts)]


@router.patch("/carts/{cart_id}/lines/{line_id}", response_model=CartOut)
async def change_quantity(
    cart_id: UUID,
    line_id: UUID,
    body: QuantityIn,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> CartOut:
    """Set a line's quantity; fewer units are a partial void (`void_line`)."""
    command = cart_ops.ChangeQuantity(cart_id, line_id, body.quantity)
    return CartOut.of(
        await runtime.write(
            lambda uow: cart_ops.change_line_quantity(
                command,
                uow,
                acting=session,
                permit=permit_of(uow, session, override, identity),
                identity=identity,
            )  # fmt: skip
        )
    )


@router.post("/carts/{cart_id}/lines/{line_id}/discount", response_model=CartOut)
async def discount_line(
    cart_id: UUID,
    line_id: UUID,
    body: DiscountIn,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> CartOut:
    """A discount on one line, with a reason; above the store's threshold it needs
    `discount_above_threshold`."""
    command = cart_ops.GiveDiscount(cart_id, body.discount(), body.reason, line_id)
    return CartOut.of(
        await runtime.write(
            lambda uow: cart_ops.give_discount(
                command,
                uow,
                permit=permit_of(uow, session, override, identity),
                identity=identity,
            )  # fmt: skip
        )
    )


@router.post("/carts/{cart_id}/discount", response_model=CartOut)
async def discount_cart(
    cart_id: UUID,
    body: DiscountIn,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> CartOut:
    """A discount on the whole cart, spread over its lines (largest remainder), with a reason;
    above the store's threshold it needs `discount_above_threshold`."""
    command = cart_ops.GiveDiscount(cart_id, body.discount(), body.reason)
    return CartOut.of(
        await runtime.write(
            lambda uow: cart_ops.give_discount(
                command,
                uow,
                permit=permit_of(uow, session, override, identity),
                identity=identity,
            )  # fmt: skip
        )
    )


@router.post("/carts/{cart_id}/lines/{line_id}/price", response_model=CartOut)
async def override_price(
    cart_id: UUID,
    line_id: UUID,
    body: PriceIn,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> CartOut:
    """Charge another unit price for a line, with a reason code (`price_override`)."""
    command = cart_ops.OverridePrice(cart_id, line_id, body.unit_price, body.reason_code, body.note)
    return CartOut.of(
        await runtime.write(
            lambda uow: cart_ops.override_line_price(
                command,
                uow,
                permit=permit_of(uow, session, override, identity),
                identity=identity,
            )  # fmt: skip
        )
    )


@router.post(
    "/sales/{sale_id}/reverse", response_model=ReturnOut, status_code=status.HTTP_201_CREATED
)
async def reverse_sale(
    sale_id: UUID,
    runtime: RuntimeDep,
    identity: IdentityDep,
    session: SessionDep,
    override: OverrideDep,
) -> ReturnOut:
    """Reverse a sale of this till and business day (`void_cart`): a return document
    `reversal` against it with all its lines, refunded in cash. 409 the second time."""
    return ReturnOut.of(
        await runtime.write(
            lambda uow: reversals.reverse_sale(
                sale_id,
                uow,
                acting=session,
                permit=permit_of(uow, session, override, identity),
                identity=identity,
                clock=runtime.clock,
            )  # fmt: skip
        )
    )
