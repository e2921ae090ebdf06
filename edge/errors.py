"""Errors of the edge node. HTTP statuses are mapped only in edge/api.

EdgeError
+-- Unauthenticated     401: no till session, a wrong PIN (edge.domain.staff.WrongPin)
+-- Forbidden           403: a role the permissions table does not allow (staff.NotPermitted)
+-- NotFound            404
|   +-- CartNotFound, LineNotFound, SaleNotFound, ReturnNotFound, UnknownSku, RecordNotFound,
|       CashMovementNotFound, RefundRequestNotFound, B2BOrderNotFound
+-- Conflict            409
|   +-- CartClosed          the cart was checked out or voided
|   |   +-- CartParked      the cart is parked: recall it first
|   +-- IdReused            a client-chosen id already names something different
|   +-- NotEnrolled         the node has no store credential yet
|   +-- AlreadyEnrolled
|   +-- ClockNotDriven      the clock can only be set on a replay-driven node
|   +-- RefundNeedsApproval a refund above the store's limit: ask HQ first
|   +-- RefundNotApproved   making a refund HQ has not approved (or that is made already)
|   +-- B2BOrderNotReady    a B2B order step its status (as heard from HQ) does not allow yet
+-- Invalid             422
|   +-- InvalidQuantity, InvalidPrice, EmptyCart, NegativeTotal, InvalidTender,
|       InsufficientTender, InvalidReturn, ReturnExceedsSale, InvalidRecordEdit,
|       InvalidCashMovement, InvalidB2BOrder, PaymentMismatch,
|       LineOverCap, SaleOverCap    beyond the store's till limits (shared.till_limits)
|       RefundAbovePrice    a refund without a receipt above the catalogue's price
+-- Declined            402: a tender the card's acquirer or the hub's ledger refused
|   +-- (edge.payments.errors: CardDeclined, BalanceTooLow)
+-- Unavailable         503
    +-- HubUnavailable      an action that needs the hub could not get through; try again later

Tender errors (cards, gift cards, store credit, offline limits) live in edge.payments.errors.

RecordedRefusal (not an EdgeError): a refusal whose trace outlives its rolled-back transaction
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any


class EdgeError(Exception):
    """Base of the edge's business errors; `code` is stable for API clients."""

    code = "edge_error"


class Unauthenticated(EdgeError):
    """The caller is not who the request needs: no till session, or a wrong staff PIN."""

    code = "unauthenticated"


class Forbidden(EdgeError):
    """The signed-in staff member's role may not do this (docs/counter.md, the permissions
    table); a supervisor's or manager's override may."""

    code = "forbidden"


class NotFound(EdgeError):
    """Something the request names does not exist here."""

    code = "not_found"


class Conflict(EdgeError):
    """The request contradicts the current state."""

    code = "conflict"


class Invalid(EdgeError):
    """The request breaks a business rule."""

    code = "invalid"


class Declined(EdgeError):
    """A tender was refused by who holds the money (the card's acquirer, the hub's gift-card
    or store-credit ledger): the cart stays open for another tender."""

    code = "declined"


class Unavailable(EdgeError):
    """Something the request needs is out of reach for now; nothing changed, try again later."""

    code = "unavailable"


class CartNotFound(NotFound):
    """No cart with this id."""

    code = "cart_not_found"

    def __init__(self, cart_id: str) -> None:
        super().__init__(f"cart {cart_id} not found")
        self.cart_id = cart_id


class LineNotFound(NotFound):
    """No such line on the cart."""

    code = "line_not_found"

    def __init__(self, cart_id: str, line_id: str) -> None:
        super().__init__(f"line {line_id} not found on cart {cart_id}")
        self.cart_id = cart_id
        self.line_id = line_id


class SaleNotFound(NotFound):
    """No sale with this id or receipt number in this store's records."""

    code = "sale_not_found"

    def __init__(self, reference: str) -> None:
        super().__init__(f"sale {reference} not found")
        self.reference = reference


class ReturnNotFound(NotFound):
    """No return with this id in this store's records."""

    code = "return_not_found"

    def __init__(self, return_id: str) -> None:
        super().__init__(f"return {return_id} not found")
        self.return_id = return_id


class UnknownSku(NotFound):
    """The SKU is not in the local catalogue (or has no price)."""

    code = "unknown_sku"

    def __init__(self, sku: str, reason: str = "not in the catalogue") -> None:
        super().__init__(f"SKU {sku!r} {reason}")
        self.sku = sku


class CartClosed(Conflict):
    """The cart is no longer open."""

    code = "cart_closed"

    def __init__(self, cart_id: str, status: str) -> None:
        super().__init__(f"cart {cart_id} is {status}")
        self.cart_id = cart_id
        self.status = status


class CartParked(CartClosed):
    """The cart is parked: recall it (at any till of the node) before scanning or paying."""

    code = "cart_parked"

    def __init__(self, cart_id: str) -> None:
        super().__init__(cart_id, "parked: recall it first")


class IdReused(Conflict):
    """A client-chosen id was sent again with different content."""

    code = "id_reused"

    def __init__(self, entity: str, entity_id: str) -> None:
        super().__init__(f"{entity} {entity_id} already exists with different content")
        self.entity = entity
        self.entity_id = entity_id


class HubUnavailable(Unavailable):
    """An action that needs the hub could not reach it or was refused; nothing changed."""

    code = "hub_unavailable"


class NotEnrolled(Conflict):
    """The node has not been enrolled with the hub yet."""

    code = "not_enrolled"

    def __init__(self) -> None:
        super().__init__("this edge node is not enrolled with a hub yet")


class AlreadyEnrolled(Conflict):
    """The node already holds a store credential."""

    code = "already_enrolled"

    def __init__(self, store_id: str) -> None:
        super().__init__(f"this edge node is already enrolled for {store_id}")
        self.store_id = store_id


class ClockNotDriven(Conflict):
    """Setting the clock is only possible when the node runs on a driven clock."""

    code = "clock_not_driven"

    def __init__(self) -> None:
        super().__init__("this node runs on the system clock; start it with clock_mode=manual")


class InvalidQuantity(Invalid):
    """A line quantity that is zero, out of range, or not one its unit takes (a fraction of
    an `each` item, more than 3 places of a kg)."""

    code = "invalid_quantity"

    def __init__(self, quantity: int | Decimal, reason: str) -> None:
        super().__init__(f"quantity {quantity}: {reason}")
        self.quantity = quantity


class InvalidPrice(Invalid):
    """A negative or malformed price override."""

    code = "invalid_price"


class EmptyCart(Invalid):
    """Checkout of a cart without active lines."""

    code = "empty_cart"

    def __init__(self, cart_id: str) -> None:
        super().__init__(f"cart {cart_id} has no lines")
        self.cart_id = cart_id


class NegativeTotal(Invalid):
    """A sale whose total is below zero; money going back out is a return."""

    code = "negative_total"

    def __init__(self, total: str) -> None:
        super().__init__(f"sale total {total} is negative: record a return instead")
        self.total = total


class InvalidTender(Invalid):
    """A tender of zero or less, or with more decimal places than the currency has."""

    code = "invalid_tender"


class InsufficientTender(Invalid):
    """The tenders do not cover the total."""

    code = "insufficient_tender"

    def __init__(self, due: str, tendered: str) -> None:
        super().__init__(f"tendered {tendered} does not cover {due}")
        self.due = due
        self.tendered = tendered


class ReturnExceedsSale(Invalid):
    """More units returned than the original sale line has left to return."""

    code = "return_exceeds_sale"

    def __init__(self, line_no: int, requested: int | Decimal, returnable: int | Decimal) -> None:
        super().__init__(
            f"line {line_no}: {requested} units to return but only {returnable} returnable"
        )
        self.line_no = line_no
        self.requested = requested
        self.returnable = returnable


class LineOverCap(Invalid):
    """A line beyond the store's per-line limit: more units, or a larger total (in absolute
    value), than HQ allows on one line (shared.till_limits)."""

    code = "line_over_cap"

    def __init__(self, sku: str, what: str, value: str, limit: str) -> None:
        super().__init__(
            f"a line of SKU {sku!r} with {what} {value} is over this store's limit of {limit} "
            "per line"
        )
        self.sku = sku
        self.limit = limit


class SaleOverCap(Invalid):
    """A sale whose total would be above the store's per-sale limit (shared.till_limits)."""

    code = "sale_over_cap"

    def __init__(self, total: str, limit: str) -> None:
        super().__init__(
            f"a sale of {total} is over this store's limit of {limit} per sale: void lines, "
            "or ring the rest up as another sale"
        )
        self.total = total
        self.limit = limit


class RefundAbovePrice(Invalid):
    """A refund without a receipt refunds more per unit than the catalogue's current price."""

    code = "refund_above_price"

    def __init__(self, sku: str, unit_price: str, catalogue_price: str) -> None:
        super().__init__(
            f"SKU {sku!r}: a refund without a receipt is at most the current price of "
            f"{catalogue_price} per unit, not {unit_price}"
        )
        self.sku = sku
        self.unit_price = unit_price
        self.catalogue_price = catalogue_price


class InvalidReturn(Invalid):
    """A return request that breaks a rule (no reason, no lines, line not on the receipt)."""

    code = "invalid_return"


class RecordNotFound(NotFound):
    """No local copy of this shared record (customer, store settings) yet."""

    code = "record_not_found"

    def __init__(self, entity: str, key: str) -> None:
        super().__init__(f"no {entity} record {key!r} here")
        self.entity = entity
        self.key = key


class InvalidRecordEdit(Invalid):
    """An edit of a shared record naming an unknown field, a value too long, or the settings
    of another store."""

    code = "invalid_record_edit"


class InvalidCashMovement(Invalid):
    """A cash movement of zero or less, with more decimal places than the currency has, or a
    paid-in or paid-out without a reason."""

    code = "invalid_cash_movement"


class CashMovementNotFound(NotFound):
    """No cash movement with this id on this node."""

    code = "cash_movement_not_found"

    def __init__(self, movement_id: str) -> None:
        super().__init__(f"cash movement {movement_id} not found")
        self.movement_id = movement_id


class RefundRequestNotFound(NotFound):
    """No refund request with this id on this node."""

    code = "refund_request_not_found"

    def __init__(self, request_id: str) -> None:
        super().__init__(f"refund request {request_id} not found on this node")
        self.request_id = request_id


class RefundNeedsApproval(Conflict):
    """The refund is above the store's limit: ask HQ (POST /v1/refund-requests) first."""

    code = "refund_needs_approval"

    def __init__(self, total: str, limit: str, which: str = "limit") -> None:
        super().__init__(
            f"a refund of {total} is above this store's {which} of {limit}: ask HQ to approve "
            "it (POST /v1/refund-requests), then make it once approved"
        )
        self.total = total
        self.limit = limit


class RefundNotApproved(Conflict):
    """The request is not (or no longer) approved: pending, rejected, expired, lapsed, or
    made already."""

    code = "refund_not_approved"

    def __init__(self, request_id: str, status: str, detail: str | None = None) -> None:
        super().__init__(detail or f"refund request {request_id} is {status}, not approved")
        self.request_id = request_id
        self.status = status


class B2BOrderNotFound(NotFound):
    """No B2B order with this id on this node."""

    code = "b2b_order_not_found"

    def __init__(self, order_id: str) -> None:
        super().__init__(f"B2B order {order_id} not found on this node")
        self.order_id = order_id


class B2BOrderNotReady(Conflict):
    """The B2B order's status, as last heard from HQ, does not allow this step (yet, or any
    more): a payment is composed once HQ approved the cart (`cart_approved`), an order is
    handed over once HQ placed it (`placed`)."""

    code = "b2b_order_not_ready"

    def __init__(self, order_id: str, status: str, step: str, needed: str) -> None:
        super().__init__(f"B2B order {order_id} is {status}: {step} needs it {needed}")
        self.order_id = order_id
        self.status = status
        self.needed = needed


class InvalidB2BOrder(Invalid):
    """A B2B cart that cannot be submitted: no lines, too many, or a total of zero."""

    code = "invalid_b2b_order"


class PaymentMismatch(Invalid):
    """A B2B order's payment whose tenders do not add up to the order's total."""

    code = "payment_mismatch"

    def __init__(self, total: str, tendered: str) -> None:
        super().__init__(f"the tenders add up to {tendered}, not the order's total of {total}")
        self.total = total
        self.tendered = tendered


class RecordedRefusal(Exception):
    """A refusal that must leave a trace although its transaction rolls back: a wrong PIN
    counts towards a lock and is audited. Raised by a use case inside
    `EdgeTransactions.write`, which rolls the use case back, runs `record(uow)` in a new
    write transaction, and then raises `error` (what the caller sees)."""

    def __init__(self, error: EdgeError, record: Callable[[Any], None]) -> None:
        super().__init__(str(error))
        self.error = error
        self.record = record
