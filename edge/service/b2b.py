"""B2B orders: a trade customer orders at the till, HQ approves in four phases, the till hands
the goods over.

1. `submit_cart`: the till prices the cart exactly as it would sell it and sends it to HQ as
   a `b2b.cart_submitted` event (through the outbox, like a sale). Nothing leaves the store.
2. HQ approves or rejects the cart (hub.workflows); its state reaches every node of the store
   through the feed (`b2b_approval`, applied by edge.service.feed with the repository's
   `apply_approval`), with the order itself, so any till of the store can go on with it.
3. `compose_payment`: once the cart is approved, a till composes how it will be paid (cash at
   the handover, on the customer's account, or both) as a `b2b.payment_composed` event.
4. HQ approves the payment (a rejection returns the order to `cart_approved` for another
   composition) and places the order.
5. `complete_order`: a till hands a placed order over as a sale (`sale.completed` version
   3, naming the order), paid as HQ approved. Once per node (a unique index); a second node
   handing over the same order is the hub's to catch.

Statuses are HQ's (sync.messages.B2BStatus): the node only moves an order to
`payment_composed` and `fulfilled` itself, until the feed says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.b2b import check_payment, hand_over, price_order
from edge.domain.documents import (
    B2BCartSubmitted,
    B2BOrder,
    B2BPaymentComposed,
    Sale,
    StoredB2BOrder,
    TenderPlan,
)
from edge.domain.node import NodeIdentity
from edge.errors import B2BOrderNotFound, B2BOrderNotReady, IdReused, UnknownSku
from edge.service.selling import record_sale
from shared.clock import Clock
from shared.ids import new_id
from shared.money import Money

# The composition stands from here on: repeating it is a retry, not a new payment.
_COMPOSED = ("payment_composed", "payment_approved", "placed", "fulfilled")


@dataclass(frozen=True, slots=True)
class B2BItem:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class SubmitB2BCart:
    till_id: str
    customer_id: str
    submitted_by: str
    items: list[B2BItem]
    reference: str | None = None
    order_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class ComposePayment:
    order_id: UUID
    composed_by: str
    tenders: list[TenderPlan]


@dataclass(frozen=True, slots=True)
class CompleteB2BOrder:
    order_id: UUID
    till_id: str
    cash_tendered: Money | None = None
    sale_id: UUID | None = None


def submit_cart(
    command: SubmitB2BCart, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> tuple[StoredB2BOrder, bool]:
    """Submit a trade customer's cart for HQ's approval; returns the order
    (`cart_submitted`, version 0) and whether it is new.

    Each (SKU, quantity) item becomes one line priced as a till cart prices it at the node's
    clock now: catalogue price (default price list) and version, the best promotion in force,
    the SKU's tax. An `order_id` seen before, for the same till, customer and items, returns
    that order (created=False). Raises IdReused (the id names another order), UnknownSku (not
    in the catalogue, or no price), InvalidQuantity (zero or less, or beyond the till's cap),
    InvalidB2BOrder (no lines, more than 500, or a total of zero).
    """
    order_id = command.order_id or new_id()
    existing = uow.b2b_orders.get(order_id)
    if existing is not None:
        asked = [(item.sku, item.quantity) for item in command.items]
        held = [(line.sku, line.quantity) for line in existing.order.lines]
        order = existing.order
        if (
            asked != held
            or order.till_id != command.till_id
            or order.customer_id != command.customer_id
        ):
            raise IdReused("B2B order", str(order_id))
        return existing, False
    now = clock.now()
    priced = []
    for item in command.items:
        catalogue_item = uow.catalogue.priced_item(item.sku, at=now)
        if catalogue_item is None:
            raise UnknownSku(item.sku)
        priced.append((catalogue_item, item.quantity))
    lines, total = price_order(priced, identity.currency)
    order = B2BOrder(
        order_id=order_id,
        till_id=command.till_id,
        customer_id=command.customer_id,
        submitted_by=command.submitted_by,
        reference=command.reference,
        total=total,
        lines=lines,
        business_time=identity.local_time(now),
    )
    uow.emit(B2BCartSubmitted(order))
    uow.b2b_orders.add(order)
    submitted = StoredB2BOrder(
        order=order,
        status="cart_submitted",
        version=0,
        tenders=(),
        composed_by=None,
        cart_decided_by=None,
        payment_decided_by=None,
        payment_rejections=0,
        notes=None,
        order_number=None,
        fulfilled_sale_id=None,
    )
    return submitted, True


def compose_payment(
    command: ComposePayment, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> tuple[StoredB2BOrder, bool]:
    """Compose how an approved B2B cart will be paid and send it to HQ; returns the order
    (`payment_composed`; the hub's version unchanged) and whether anything was sent.

    `tenders` are (kind, amount) parts, cash taken at the handover or on the customer's
    account, each more than zero, together exactly the order's total. Allowed once the feed
    said `cart_approved` (again after HQ rejected a payment); the same composition repeated
    once it stands returns the order (False). Raises B2BOrderNotFound, B2BOrderNotReady
    (another status, or another composition once one stands), InvalidTender (none, more
    than 10, or one of zero or less), PaymentMismatch (not the order's total).
    """
    stored = uow.b2b_orders.get(command.order_id)
    if stored is None:
        raise B2BOrderNotFound(str(command.order_id))
    if stored.status in _COMPOSED and stored.tenders == tuple(command.tenders):
        return stored, False
    if stored.status != "cart_approved":
        raise B2BOrderNotReady(
            str(command.order_id),
            stored.status,
            "composing its payment",
            "cart_approved (HQ approved the cart, no payment pending)",
        )
    order = stored.order
    tenders = check_payment(order.total, command.tenders)
    uow.emit(
        B2BPaymentComposed(
            order_id=order.order_id,
            composed_by=command.composed_by,
            tenders=tenders,
            total=order.total,
            business_time=identity.local_time(clock.now()),
        )
    )
    uow.b2b_orders.compose(order.order_id, command.composed_by, tenders)
    composed = StoredB2BOrder(
        order=order,
        status="payment_composed",
        version=stored.version,
        tenders=tenders,
        composed_by=command.composed_by,
        cart_decided_by=stored.cart_decided_by,
        payment_decided_by=stored.payment_decided_by,
        payment_rejections=stored.payment_rejections,
        notes=stored.notes,
        order_number=stored.order_number,
        fulfilled_sale_id=None,
    )
    return composed, True


@dataclass(frozen=True, slots=True)
class Handover:
    """A B2B order's handover: its sale, the order as it then stands, and whether the sale
    is new."""

    sale: Sale
    order: StoredB2BOrder
    created: bool


def complete_order(
    command: CompleteB2BOrder, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> Handover:
    """Hand a placed B2B order over: record its sale, with its receipt number and its
    `sale.completed` event (version 3, naming the order), like any sale. Returns the sale,
    the order, and whether the sale is new (a retry, by `sale_id` or of an order handed over
    here, returns the sale made).

    The lines are the order's as HQ approved them, not priced again; the tenders follow the
    approved payment: on-account parts charged as they are, the cash parts covered by
    `cash_tendered` (default: exactly the cash due), the excess given back as change. The
    order is then `fulfilled` here. Raises B2BOrderNotFound, B2BOrderNotReady (not `placed`:
    not yet, or it ended, or another node handed it over), InsufficientTender (less cash
    than the cash due), InvalidTender (cash offered for a payment that takes none),
    PaymentMismatch (the approved payment does not add up to the total), IdReused (`sale_id`
    names another sale).
    """
    sale, created = _complete(command, uow, identity=identity, clock=clock)
    return Handover(sale, get_order(command.order_id, uow), created)


def _complete(
    command: CompleteB2BOrder, uow: EdgeUnitOfWork, *, identity: NodeIdentity, clock: Clock
) -> tuple[Sale, bool]:
    if command.sale_id is not None:
        made = uow.sales.get(command.sale_id)
        if made is not None:
            if made.b2b_order_id != command.order_id:
                raise IdReused("sale", str(command.sale_id))
            return made, False
    stored = uow.b2b_orders.get(command.order_id)
    if stored is None:
        raise B2BOrderNotFound(str(command.order_id))
    handed = uow.sales.by_b2b_order(command.order_id)
    if handed is not None:
        return handed, False
    if stored.status != "placed":
        raise B2BOrderNotReady(
            str(command.order_id),
            stored.status,
            "handing it over",
            "placed (HQ approved the payment and placed the order)",
        )
    business_time = identity.local_time(clock.now())
    sale = hand_over(
        stored,
        sale_id=command.sale_id or new_id(),
        receipt_number=uow.node.next_receipt_number(command.till_id),
        till_id=command.till_id,
        business_time=business_time,
        business_day=business_time.date(),
        cash_tendered=command.cash_tendered,
    )
    record_sale(sale, uow)
    uow.b2b_orders.mark_fulfilled(command.order_id, sale.sale_id)
    return sale, True


def get_order(order_id: UUID, uow: EdgeUnitOfWork) -> StoredB2BOrder:
    """The order as this node knows it. Raises B2BOrderNotFound."""
    stored = uow.b2b_orders.get(order_id)
    if stored is None:
        raise B2BOrderNotFound(str(order_id))
    return stored


def list_orders(uow: EdgeUnitOfWork, *, status: str | None, limit: int) -> list[StoredB2BOrder]:
    """The store's orders known here, newest first; only those of `status` if given."""
    return uow.b2b_orders.list(status, limit)
