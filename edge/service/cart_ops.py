"""Use cases of the till on an open cart's lines: change a quantity, void a line or the cart,
give a line or cart discount, override a price. Each asks its permission through a `Permit`
(edge.service.permits) and is audited in its own transaction (edge.service.audit).

The permissions (edge.domain.staff, docs/counter.md "Cart operations"): fewer units on a line
is a partial void and needs VOID_LINE like a line void; voiding a cart needs VOID_CART; a
discount above the store's threshold needs DISCOUNT_ABOVE_THRESHOLD; a price override needs
PRICE_OVERRIDE. Without the permission an override by a supervisor or manager allows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting, Authorized
from edge.domain.cart import Cart, CartLine, PricedItem, require_open
from edge.domain.cart_changes import (
    LineVoided,
    change_quantity,
    discount_cart,
    discount_line,
    override_price,
)
from edge.domain.discounts import Discount, DiscountKind
from edge.domain.node import NodeIdentity
from edge.domain.pricing import TaxRate
from edge.domain.staff import Permission
from edge.domain.till_limits import check_line, check_sale_total
from edge.errors import CartNotFound, LineNotFound
from edge.service.audit import audit_action
from edge.service.permits import Permit
from shared.clock import Clock
from shared.money import Money
from shared.quantity import LineQuantity


@dataclass(frozen=True, slots=True)
class ChangeQuantity:
    cart_id: UUID
    line_id: UUID
    quantity: LineQuantity  # whole units, or kg (3 places) for a weighed line


@dataclass(frozen=True, slots=True)
class GiveDiscount:
    """A discount on one line (`line_id`) or on the whole cart (`line_id` None)."""

    cart_id: UUID
    discount: Discount
    reason: str
    line_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class OverridePrice:
    cart_id: UUID
    line_id: UUID
    unit_price: Decimal
    reason_code: str
    note: str | None = None


def _open_cart(uow: EdgeUnitOfWork, cart_id: UUID) -> Cart:
    cart = uow.carts.get(cart_id)
    if cart is None:
        raise CartNotFound(str(cart_id))
    require_open(cart.cart_id, cart.status)
    return cart


def _line(cart: Cart, line_id: UUID) -> CartLine:
    line = cart.find_line(line_id)
    if line is None:
        raise LineNotFound(str(cart.cart_id), str(line_id))
    if line.voided:
        raise LineVoided(str(line_id))
    return line


def _money(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency).amount)


def _store(uow: EdgeUnitOfWork, cart: Cart, changed: list[CartLine]) -> None:
    """Put the changed lines on the cart, check the till's caps, and store them."""
    by_id = {line.line_id: line for line in changed}
    cart.lines = [by_id.get(line.line_id, line) for line in cart.lines]
    limits = uow.node.till_limits().in_force(cart.currency)
    for line in changed:
        check_line(line.sku, line.quantity, line.total(cart.currency), limits)
    check_sale_total(cart.total(), limits)
    for line in changed:
        uow.carts.update_line(line, cart.currency)


def _item(uow: EdgeUnitOfWork, line: CartLine) -> PricedItem:
    """What the catalogue says of the line's SKU now; a SKU gone from it keeps the line's
    price and tax rate, without a promotion."""
    item = uow.catalogue.priced_item(line.sku, at=uow.now())
    if item is not None:
        return item
    terms = line.terms
    tax = (
        TaxRate(terms.tax_code, terms.tax_rate, terms.tax_version or 0)
        if terms.tax_code is not None and terms.tax_rate is not None
        else None
    )
    return PricedItem(line.sku, line.description, line.unit_price, line.price_version, tax)


def change_line_quantity(
    command: ChangeQuantity,
    uow: EdgeUnitOfWork,
    *,
    acting: Acting,
    permit: Permit,
    identity: NodeIdentity,
) -> Cart:
    """Set a line's quantity; the line is priced again as a scan would be (its own unit price,
    the promotion and tax rate in force now) and loses its manual discount
    (edge.domain.cart_changes). Fewer units need VOID_LINE. The same quantity again changes
    nothing. Audited `quantity_change`. Raises CartNotFound, CartClosed (CartParked),
    LineNotFound, LineVoided, InvalidQuantity, InvalidPrice, LineOverCap, SaleOverCap,
    NotPermitted."""
    cart = _open_cart(uow, command.cart_id)
    line = _line(cart, command.line_id)
    if command.quantity == line.quantity:
        return cart
    changed = change_quantity(line, _item(uow, line), command.quantity, cart.currency)
    who: Acting | Authorized = acting
    if command.quantity < line.quantity:
        who = permit(Permission.VOID_LINE)
    _store(uow, cart, [changed])
    audit_action(
        uow, "quantity_change", who, identity=identity, subject=str(line.line_id),
        details={
            "cart_id": str(cart.cart_id), "sku": line.sku,
            "from": str(line.quantity), "to": str(changed.quantity),
            "line_total": str(changed.total(cart.currency).amount),
        },
    )  # fmt: skip
    return cart


def void_line(
    cart_id: UUID, line_id: UUID, uow: EdgeUnitOfWork, *, permit: Permit, identity: NodeIdentity
) -> Cart:
    """Void a line of an open cart (VOID_LINE); it stays on the cart's record, marked voided.
    A line voided before is returned as it is. Audited `line_void`. Raises CartNotFound,
    CartClosed (CartParked), LineNotFound, NotPermitted."""
    cart = uow.carts.get(cart_id)
    if cart is None:
        raise CartNotFound(str(cart_id))
    line = cart.find_line(line_id)
    if line is not None and line.voided:
        return cart
    require_open(cart.cart_id, cart.status)
    if line is None:
        raise LineNotFound(str(cart_id), str(line_id))
    who = permit(Permission.VOID_LINE)
    cart.void_line(line_id)
    uow.carts.void_line(line_id)
    audit_action(
        uow, "line_void", who, identity=identity, subject=str(line_id),
        details={
            "cart_id": str(cart_id), "sku": line.sku, "quantity": str(line.quantity),
            "line_total": str(line.total(cart.currency).amount),
        },
    )  # fmt: skip
    return cart


def void_cart(
    cart_id: UUID, uow: EdgeUnitOfWork, *, permit: Permit, identity: NodeIdentity, clock: Clock
) -> Cart:
    """Abandon an open or parked cart (VOID_CART): nothing is sold. A cart voided before is
    returned as it is. Audited `cart_void`. Raises CartNotFound, CartClosed (checked out),
    NotPermitted."""
    cart = uow.carts.get(cart_id)
    if cart is None:
        raise CartNotFound(str(cart_id))
    if cart.status == "voided":
        return cart
    total = cart.total()
    cart.void()
    who = permit(Permission.VOID_CART)
    uow.carts.close(cart, clock.now())
    audit_action(
        uow, "cart_void", who, identity=identity, subject=str(cart_id),
        details={"total": str(total.amount), "lines": str(len(cart.active_lines()))},
    )  # fmt: skip
    return cart


def give_discount(
    command: GiveDiscount, uow: EdgeUnitOfWork, *, permit: Permit, identity: NodeIdentity
) -> Cart:
    """Give a manual discount with its reason: on one line (replacing its manual discount), or
    on the cart (spread over its lines by the largest remainder method, added to theirs):
    edge.domain.cart_changes. Within the store's threshold (a percent up to
    `discount_percent_max`, an amount up to `discount_amount_max`) any cashier may; above it
    needs DISCOUNT_ABOVE_THRESHOLD. Audited `discount`. Raises CartNotFound, CartClosed
    (CartParked), LineNotFound, LineVoided, InvalidDiscount, InvalidDiscountReason,
    DiscountExceedsLine, DiscountExceedsCart, NotPermitted."""
    cart = _open_cart(uow, command.cart_id)
    discount = command.discount
    if command.line_id is not None:
        changed, amount = discount_line(
            _line(cart, command.line_id), discount, command.reason, cart.currency
        )
        lines = [changed]
    else:
        spread = discount_cart(cart.lines, discount, command.reason, cart.currency)
        lines = [line for line, _ in spread]
        amount = Money.sum((share for _, share in spread), cart.currency)
    percent = discount.value if discount.kind is DiscountKind.PERCENT else None
    who = permit(
        Permission.DISCOUNT_ABOVE_THRESHOLD,
        discount_percent=percent,
        discount_amount=discount.value if percent is None else None,
    )
    _store(uow, cart, lines)
    audit_action(
        uow, "discount", who, identity=identity,
        subject=str(command.line_id or cart.cart_id),
        details={
            "cart_id": str(cart.cart_id), "scope": "line" if command.line_id else "cart",
            "kind": str(discount.kind), "value": str(discount.value),
            "amount": str(amount.amount), "reason": command.reason.strip()[:200],
            "lines": str(len(lines)),
        },
    )  # fmt: skip
    return cart


def override_line_price(
    command: OverridePrice, uow: EdgeUnitOfWork, *, permit: Permit, identity: NodeIdentity
) -> Cart:
    """Charge `unit_price` for a line instead of the catalogue's, with a reason code
    (edge.domain.cart_changes.PRICE_REASONS; `other` needs a note): PRICE_OVERRIDE. The line
    is priced again without its promotion and loses its manual discount. Audited
    `price_override`. Raises CartNotFound, CartClosed (CartParked), LineNotFound, LineVoided,
    InvalidPriceReason, InvalidPrice, LineOverCap, SaleOverCap, NotPermitted."""
    cart = _open_cart(uow, command.cart_id)
    line = _line(cart, command.line_id)
    changed = override_price(
        line, _item(uow, line), command.unit_price, command.reason_code, command.note,
        cart.currency,
    )  # fmt: skip
    who = permit(Permission.PRICE_OVERRIDE)
    _store(uow, cart, [changed])
    audit_price_override(uow, who, cart.cart_id, line, changed, identity=identity)
    return cart


def audit_price_override(
    uow: EdgeUnitOfWork,
    who: Authorized,
    cart_id: UUID,
    before: CartLine | PricedItem,
    line: CartLine,
    *,
    identity: NodeIdentity,
) -> None:
    """Audit `price_override` of `line` (was: `before`, a line or the catalogue's item)."""
    details = {
        "cart_id": str(cart_id), "sku": line.sku, "from": str(before.unit_price),
        "to": str(line.unit_price), "quantity": str(line.quantity),
        "reason_code": line.price_reason or "",
    }  # fmt: skip
    if line.price_note:
        details["note"] = line.price_note[:200]
    audit_action(
        uow, "price_override", who, identity=identity, subject=str(line.line_id), details=details
    )
