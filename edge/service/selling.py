"""Use cases of the till: open a cart, scan lines, check out against tenders (changes to the
lines after the scan, voids included: edge.service.cart_ops).

Use cases run inside `EdgeDatabase.write`: the transaction commits when they return. Every
command that creates something accepts a client-chosen id, so a till that lost a
response can send the same request again and get the same cart, line or sale back instead of
a duplicate (the failure Odoo POS users report after reconnects).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from edge.adapters.repositories.staff import member_of
from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.audit import Acting, Authorized
from edge.domain.cart import Cart, CartHead, CartLine, PricedItem, TenderRequest
from edge.domain.cart_changes import check_price_reason
from edge.domain.documents import Sale, SaleCompleted
from edge.domain.node import NodeIdentity
from edge.domain.staff import Permission, allows
from edge.domain.till_limits import check_line, check_sale_total
from edge.errors import CartNotFound, IdReused, InvalidPrice, SaleNotFound, UnknownSku
from edge.payments.errors import GiftCardLoadNotPositive, GiftCardNotActivated
from edge.service.cart_ops import audit_price_override
from edge.service.permits import Permit, permit_of
from edge.service.shifts import require_open_shift
from edge.service.staff import OverrideRequest
from edge.service.stored_values import record_tender_effects
from shared.clock import Clock
from shared.ids import new_id
from shared.quantity import LineQuantity


@dataclass(frozen=True, slots=True)
class OpenCart:
    till_id: str
    cart_id: UUID | None = None
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class LineInput:
    """A line to scan; `unit_price` overrides the catalogue's price, and when it differs needs
    `price_reason` (edge.domain.cart_changes.PRICE_REASONS; `price_note` with `other`)."""

    sku: str
    quantity: LineQuantity
    line_id: UUID | None = None
    unit_price: Decimal | None = None
    price_reason: str | None = None
    price_note: str | None = None
    # The price came from a scale's price label (edge.service.scanning), not from the
    # cashier: it needs no reason code or permission.
    label_price: bool = False
    gift_card_number: str | None = None  # a gift-card item: the card the line loads


@dataclass(frozen=True, slots=True)
class TillAuthority:
    """What a scan from a till session may do: its permit (a price override needs
    PRICE_OVERRIDE), who is signed in, whether the request carries an override, and the
    node's identity for the audit. Callers without a till session (the benchmarks) pass
    None, and a price override is then refused."""

    permit: Permit
    identity: NodeIdentity
    acting: Acting | None = None
    overridden: bool = False


@dataclass(frozen=True, slots=True)
class AddLines:
    cart_id: UUID
    lines: list[LineInput]


@dataclass(frozen=True, slots=True)
class Scanned:
    """The cart's head after a scan, the request's lines, and how many of them were new."""

    head: CartHead
    lines: list[CartLine]
    added: int


@dataclass(frozen=True, slots=True)
class Checkout:
    cart_id: UUID
    tenders: list[TenderRequest] = field(default_factory=list)
    external_reference: str | None = None


def open_cart(
    command: OpenCart, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> tuple[Cart, bool]:
    """Open a cart at a till. Returns (cart, created); an id seen before returns that cart.

    Raises IdReused if the id names a cart of another till or customer, NoOpenShift (409) if
    the till has no open shift.
    """
    if command.cart_id is not None:
        existing = uow.carts.get(command.cart_id)
        if existing is not None:
            if (existing.till_id, existing.customer_id) != (command.till_id, command.customer_id):
                raise IdReused("cart", str(command.cart_id))
            return existing, False
    require_open_shift(uow, command.till_id)
    cart = Cart(
        cart_id=command.cart_id or new_id(),
        till_id=command.till_id,
        currency=identity.currency,
        opened_at=clock.now(),
        customer_id=command.customer_id,
    )
    uow.carts.add(cart)
    return cart, True


def authority_of(
    uow: EdgeUnitOfWork, acting: Acting, override: OverrideRequest | None, identity: NodeIdentity
) -> TillAuthority:
    """The authority of a scan from `acting`'s till session, with the request's override."""
    return TillAuthority(
        permit_of(uow, acting, override, identity), identity, acting, override is not None
    )


def price_approval(uow: EdgeUnitOfWork, authority: TillAuthority, cart_id: UUID) -> Authorized:
    """Who allows a price override on the cart: the signed-in role, the request's override
    (remembered on the cart), or the override that approved an earlier price change on the
    same cart, which holds for the rest of it (a wholesale order priced line by line needs
    its supervisor once). Raises what `authorize` raises."""
    held = uow.carts.price_approver(cart_id)
    if held is not None and authority.acting is not None and not authority.overridden:
        row = uow.staff.get(held)
        approver = member_of(row) if row is not None else None
        if approver is not None and allows(approver.role, Permission.PRICE_OVERRIDE):
            if allows(authority.acting.staff.role, Permission.PRICE_OVERRIDE):
                return Authorized(authority.acting)
            return Authorized(authority.acting, approver)
    who = authority.permit(Permission.PRICE_OVERRIDE)
    if who.approver is not None:
        uow.carts.approve_prices(cart_id, who.approver.staff_code)
    return who


def add_lines(
    command: AddLines, uow: EdgeUnitOfWork, *, authority: TillAuthority | None
) -> Scanned:
    """Scan one or more lines onto an open cart, all or nothing, in constant time per line.

    A line whose `line_id` is already on this cart with the same SKU and quantity is returned
    as it is (a retried scan); lines without an id are always new. A new line takes the
    promotion in force at the node's clock now and its SKU's tax rate. Each new line must be
    within the store's per-line caps, and the cart's total after it within the per-sale cap
    (shared.till_limits). A line whose `unit_price` differs from the catalogue's price (an
    item without one is sold at the price keyed) is a price override: it needs a reason code and PRICE_OVERRIDE (asked once per request), and each is
    audited `price_override`. Raises CartNotFound, CartClosed (CartParked), UnknownSku,
    InvalidQuantity, InvalidPrice (also an override without a till session),
    InvalidPriceReason, NotPermitted, LineOverCap, SaleOverCap, IdReused (an id on another
    cart, with another SKU or quantity, or twice in one request).
    """
    head = uow.carts.head(command.cart_id)
    if head is None:
        raise CartNotFound(str(command.cart_id))
    requested = [line.line_id for line in command.lines if line.line_id is not None]
    for line_id in requested:
        if requested.count(line_id) > 1:
            raise IdReused("cart line", str(line_id))
    known = uow.carts.lines_by_id(requested)
    scanned_at = uow.now()
    limits = uow.node.till_limits().in_force(head.currency)
    result: list[CartLine] = []
    added: list[CartLine] = []
    overridden: list[tuple[CartLine, PricedItem]] = []
    for line_input in command.lines:
        if line_input.line_id in known:
            owner, existing = known[line_input.line_id]
            if (
                owner != command.cart_id
                or existing.sku != line_input.sku
                or existing.quantity != line_input.quantity
            ):
                raise IdReused("cart line", str(line_input.line_id))
            result.append(existing)
            continue
        item = uow.catalogue.priced_item(line_input.sku, at=scanned_at)
        if item is None:
            raise UnknownSku(line_input.sku)
        line = head.scan(
            line_input.line_id or new_id(), item, line_input.quantity, line_input.unit_price
        )
        line.gift_card_number = gift_card_of(item, line_input)
        check_gift_card_load(line, head.currency)
        check_line(line.sku, line.quantity, line.total(head.currency), limits)
        check_sale_total(head.total, limits)
        # An item without a catalogue price (an open-price item) is sold at the price keyed:
        # that is not an override of anything.
        if (
            line.price_source == "override"
            and item.unit_price is not None
            and not line_input.label_price
        ):
            check_price_reason(line_input.price_reason, line_input.price_note)
            line.price_reason = line_input.price_reason
            line.price_note = (line_input.price_note or "").strip() or None
            overridden.append((line, item))
        added.append(line)
        result.append(line)
    if overridden:
        if authority is None:
            raise InvalidPrice("a price override needs a signed-in till session")
        who = price_approval(uow, authority, head.cart_id)
        for line, item in overridden:
            audit_price_override(uow, who, head.cart_id, item, line, identity=authority.identity)
    if added:
        uow.carts.add_lines(head.cart_id, head.currency, added)
    return Scanned(head, result, len(added))


def check_gift_card_load(line: CartLine, currency: str) -> None:
    """A line that loads a gift card must load more than 0.00 (the hub quarantines a sale
    that does not: docs/sync-protocol.md). Raises GiftCardLoadNotPositive."""
    if line.gift_card_number is not None:
        total = line.total(currency)
        if total.amount <= 0:
            raise GiftCardLoadNotPositive(line.sku, str(total.amount))


def gift_card_of(item: PricedItem, line_input: LineInput) -> str | None:
    """The gift card a line loads: a `gift_card` item needs the card's number and is one
    card a line; any other item takes none. Raises GiftCardNotActivated."""
    if item.kind != "gift_card":
        if line_input.gift_card_number is not None:
            raise GiftCardNotActivated(f"{item.sku} is not a gift card: it loads no card number")
        return None
    if line_input.gift_card_number is None:
        raise GiftCardNotActivated(f"{item.sku} is a gift card: scan or key the card's number")
    if line_input.quantity != 1:
        raise GiftCardNotActivated("a gift card is loaded one card a line (quantity 1)")
    return line_input.gift_card_number


def checkout(
    command: Checkout, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> tuple[Sale, bool]:
    """Complete the sale: receipt, tenders, the sale record and its outbox event, atomically.

    The business time is the node's clock in the store's time zone. Checking out a cart that
    is already checked out returns its sale (created=False), whatever tenders are sent. The
    total must be within the store's per-sale cap as it stands now. Raises CartNotFound,
    CartClosed (voided), EmptyCart, NegativeTotal, InsufficientTender, SaleOverCap,
    NoOpenShift (a sale is made inside the till's open shift).
    """
    cart = uow.carts.get(command.cart_id)
    if cart is None:
        raise CartNotFound(str(command.cart_id))
    if cart.status == "checked_out":
        sale = uow.sales.by_cart(cart.cart_id)
        if sale is None:
            raise SaleNotFound(f"of cart {cart.cart_id}")
        return sale, False
    require_open_shift(uow, cart.till_id)
    for line in cart.lines:  # a discount given since the scan may have taken it to nothing
        if not line.voided:
            check_gift_card_load(line, cart.currency)
    # The limits may have changed since the lines were scanned (HQ's, through the feed).
    check_sale_total(cart.total(), uow.node.till_limits().in_force(identity.currency))
    now = clock.now()
    business_time = identity.local_time(now)
    sale = cart.checkout(
        sale_id=new_id(),
        receipt_number=uow.node.next_receipt_number(cart.till_id),
        business_time=business_time,
        business_day=business_time.date(),
        tenders=command.tenders,
        external_reference=command.external_reference,
    )
    record_sale(sale, uow)
    uow.carts.close(cart, now)
    record_tender_effects(sale, command.tenders, uow)
    return sale, True


def record_sale(sale: Sale, uow: EdgeUnitOfWork) -> None:
    """Record a completed sale (with its receipt number) and its `sale.completed` outbox
    event in the caller's transaction: the one way every sale is written, from a cart's
    checkout or a B2B order's handover (edge.service.b2b)."""
    seq = uow.emit(SaleCompleted(sale))
    uow.sales.add(sale, seq)


def open_cart_and_scan(
    command: OpenCart,
    lines: list[LineInput],
    uow: EdgeUnitOfWork,
    *,
    identity: NodeIdentity,
    clock: Clock,
    authority: TillAuthority | None,
) -> tuple[Cart, bool]:
    """Open a cart (`open_cart`) and scan its first `lines` onto it (`add_lines`), in one
    transaction; a cart seen before gets the lines too if it is still open. Returns (cart as
    it then stands, created). Raises what those two raise."""
    cart, created = open_cart(command, uow, identity=identity, clock=clock)
    if lines and (created or cart.status == "open"):
        add_lines(AddLines(cart.cart_id, lines), uow, authority=authority)
        cart = uow.carts.get(cart.cart_id) or cart
    return cart, created


def get_cart(cart_id: UUID, uow: EdgeUnitOfWork) -> Cart:
    """The cart with all its lines, voided ones too. Raises CartNotFound."""
    cart = uow.carts.get(cart_id)
    if cart is None:
        raise CartNotFound(str(cart_id))
    return cart


def get_sale(sale_id: UUID, uow: EdgeUnitOfWork) -> Sale:
    """A sale of this node. Raises SaleNotFound."""
    sale = uow.sales.get(sale_id)
    if sale is None:
        raise SaleNotFound(str(sale_id))
    return sale


def sales_of_day(business_day: date, uow: EdgeUnitOfWork, *, limit: int, offset: int) -> list[Sale]:
    """Receipts of one trading day, in the order they were rung up; a page of `limit` after
    `offset`."""
    return uow.sales.for_day(business_day, limit, offset)
