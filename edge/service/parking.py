"""Parked carts: a cashier puts a cart aside (the customer fetches a forgotten item), the node
lists it for every till, and any till of the node recalls it. A cart still parked when its
business day is over is voided by the node and audited (`void_stale_parked_carts`, run by
edge.jobs.parked_carts).

Works offline: parking is the node's own state; only the audit events travel to HQ.
"""

from __future__ import annotations

from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting
from edge.domain.cart import Cart, ParkedCart, Parking
from edge.domain.node import NodeIdentity
from edge.errors import CartNotFound, EmptyCart
from edge.service.audit import audit_action, record_audit


def _cart(uow: EdgeUnitOfWork, cart_id: UUID) -> Cart:
    cart = uow.carts.get(cart_id)
    if cart is None:
        raise CartNotFound(str(cart_id))
    return cart


def park_cart(
    cart_id: UUID, uow: EdgeUnitOfWork, *, acting: Acting, identity: NodeIdentity
) -> Cart:
    """Park an open cart with at least one line (status `parked`, with the time and the
    signed-in staff member). A cart parked already is returned as it is. Audited
    `cart_parked`. Raises CartNotFound, CartClosed (checked out or voided), EmptyCart."""
    cart = _cart(uow, cart_id)
    if cart.status == "parked":
        return cart
    if cart.status == "open" and not cart.active_lines():
        raise EmptyCart(str(cart_id))
    staff = acting.staff
    cart.park(Parking(uow.now(), staff.staff_code, staff.name))
    uow.carts.set_status(cart)
    audit_action(
        uow, "cart_parked", acting, identity=identity, subject=str(cart_id),
        details={"total": str(cart.total().amount), "lines": str(len(cart.active_lines()))},
    )  # fmt: skip
    return cart


def recall_cart(
    cart_id: UUID, till_id: str, uow: EdgeUnitOfWork, *, acting: Acting, identity: NodeIdentity
) -> Cart:
    """Recall a parked cart at `till_id` (any till of the node): it is open there again. A cart
    already open at that till is returned as it is (a retried recall). Audited
    `cart_recalled`, with the till and staff member who parked it. Raises CartNotFound,
    CartClosed (not parked)."""
    cart = _cart(uow, cart_id)
    if cart.status == "open" and cart.till_id == till_id:
        return cart
    parking, parked_at_till = cart.parked, cart.till_id
    cart.recall(till_id)
    uow.carts.set_status(cart)
    details = {"parked_till_id": parked_at_till, "till_id": till_id}
    if parking is not None:
        details |= {"parked_by": parking.staff_code, "parked_at": parking.at.isoformat()}
    audit_action(
        uow, "cart_recalled", acting, identity=identity, subject=str(cart_id), details=details
    )
    return cart


def parked_carts(uow: EdgeUnitOfWork) -> list[ParkedCart]:
    """Every cart parked at this node (any till), the longest parked first."""
    return uow.carts.parked()


def void_stale_parked_carts(uow: EdgeUnitOfWork, *, identity: NodeIdentity) -> list[UUID]:
    """Void every cart parked on a business day (the store's calendar date) before today's,
    at the node's clock; each is audited `parked_cart_voided` (no staff member: the node did
    it; the details name who parked it). Returns the ids voided, oldest first."""
    now = uow.now()
    today = identity.business_day(now)
    voided: list[UUID] = []
    for parked in uow.carts.parked():
        if identity.business_day(parked.parking.at) >= today:
            continue
        cart = _cart(uow, parked.cart_id)
        cart.void()
        uow.carts.close(cart, now)
        record_audit(
            uow, "parked_cart_voided", identity=identity, till_id=parked.till_id, staff=None,
            subject=str(parked.cart_id),
            details={
                "parked_by": parked.parking.staff_code,
                "parked_at": parked.parking.at.isoformat(),
                "total": str(parked.total.amount), "lines": str(parked.line_count),
            },
        )  # fmt: skip
        voided.append(parked.cart_id)
    return voided
