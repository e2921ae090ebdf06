"""B2B orders at the till: a trade customer's cart priced as the till sells it, the payment
composed for it, and the sale that hands it over once HQ placed it.

The order of things (HQ decides each phase; edge.service.b2b holds the use cases): cart
submitted -> cart approved -> payment composed -> payment approved -> placed -> handed over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from edge.domain.cart import (
    PricedItem,
    TenderRequest,
    check_document_total,
    make_sale,
    price_item,
)
from edge.domain.documents import B2BLine, Sale, SaleLine, StoredB2BOrder, TenderPlan
from edge.errors import (
    InsufficientTender,
    InvalidB2BOrder,
    InvalidQuantity,
    InvalidTender,
    PaymentMismatch,
)
from shared.money import Money

# The wire's limits (sync.messages.B2BCartSubmittedV1, B2BPaymentComposedV1): refused here,
# not quarantined at the hub.
MAX_ORDER_LINES = 500
MAX_PAYMENT_TENDERS = 10


def price_order(
    items: Sequence[tuple[PricedItem, int]], currency: str
) -> tuple[tuple[B2BLine, ...], Money]:
    """The lines of a B2B cart of (catalogue item, quantity) pairs, each priced exactly as a
    till cart prices it (`edge.domain.cart.price_item`: catalogue price, the item's promotion,
    its tax), and their total.

    Quantities are positive (a cart for HQ gives nothing back). Raises InvalidB2BOrder (no
    lines, more than MAX_ORDER_LINES, or a total of zero), InvalidQuantity, UnknownSku (an
    item without a price).
    """
    if not items:
        raise InvalidB2BOrder("a B2B cart needs at least one line")
    if len(items) > MAX_ORDER_LINES:
        raise InvalidB2BOrder(f"a B2B cart has at most {MAX_ORDER_LINES} lines")
    lines = []
    for number, (item, quantity) in enumerate(items, start=1):
        if quantity <= 0:
            raise InvalidQuantity(quantity, "a B2B order line must be more than zero")
        priced = price_item(item, quantity, currency)
        lines.append(
            B2BLine(
                line_no=number,
                sku=item.sku,
                description=item.description,
                quantity=quantity,
                unit_price=priced.unit_price,
                line_total=priced.total,
                price_version=item.price_version,
                terms=priced.terms,
            )
        )
    total = Money.sum((line.line_total for line in lines), currency)
    check_document_total(total)
    if not total.amount > 0:
        raise InvalidB2BOrder(f"a B2B cart's total must be more than zero, got {total}")
    return tuple(lines), total


def check_payment(total: Money, tenders: Sequence[TenderPlan]) -> tuple[TenderPlan, ...]:
    """The payment of an order of `total` as composed: each tender more than zero, together
    exactly the total (cash to be taken at the handover and charges to the customer's
    account, in any mix). Raises InvalidTender (none, more than MAX_PAYMENT_TENDERS, or one
    of zero or less), PaymentMismatch (they do not add up to `total`)."""
    if not tenders:
        raise InvalidTender("a payment needs at least one tender")
    if len(tenders) > MAX_PAYMENT_TENDERS:
        raise InvalidTender(f"a payment has at most {MAX_PAYMENT_TENDERS} tenders")
    for tender in tenders:
        if not tender.amount.amount > 0:
            raise InvalidTender(
                f"a {tender.kind} tender must be more than zero, got {tender.amount}"
            )
    composed = Money.sum((tender.amount for tender in tenders), total.currency)
    if composed != total:
        raise PaymentMismatch(str(total), str(composed))
    return tuple(tenders)


def hand_over(
    stored: StoredB2BOrder,
    *,
    sale_id: UUID,
    receipt_number: str,
    till_id: str,
    business_time: datetime,
    business_day: date,
    cash_tendered: Money | None = None,
) -> Sale:
    """The sale that hands a placed B2B order over (`edge.domain.cart.make_sale`, like any
    sale): its lines exactly as HQ approved them (prices, terms and versions; not priced
    again) and its tenders as HQ approved the payment, one per part in the same order.

    An `on_account` part is charged as it is (no change). The cash parts are covered by
    `cash_tendered` (default: exactly the cash due); what is handed over beyond them is
    change, carried by the last cash part. Raises PaymentMismatch (the approved payment does
    not add up to the order's total), InvalidTender (no approved payment, or cash offered
    for a payment that takes none), InsufficientTender (less cash than the cash due).
    """
    order = stored.order
    currency = order.total.currency
    plan = stored.tenders
    if not plan:
        raise InvalidTender(f"B2B order {order.order_id} has no approved payment")
    planned = Money.sum((part.amount for part in plan), currency)
    if planned != order.total:
        raise PaymentMismatch(str(order.total), str(planned))
    cash_parts = [index for index, part in enumerate(plan) if part.kind == "cash"]
    cash_due = Money.sum((plan[index].amount for index in cash_parts), currency)
    handed = cash_tendered if cash_tendered is not None else cash_due
    if not cash_parts and not handed.is_zero():
        raise InvalidTender(f"the approved payment takes no cash, {handed} was offered")
    if handed < cash_due:
        raise InsufficientTender(str(cash_due), str(handed))
    change = handed - cash_due
    tenders = [
        TenderRequest(
            kind=part.kind,
            amount=part.amount + change if cash_parts and index == cash_parts[-1] else part.amount,
        )
        for index, part in enumerate(plan)
    ]
    return make_sale(
        sale_id=sale_id,
        receipt_number=receipt_number,
        cart_id=None,
        till_id=till_id,
        business_time=business_time,
        business_day=business_day,
        currency=currency,
        customer_id=order.customer_id,
        external_reference=stored.order_number,
        lines=tuple(
            SaleLine(
                line_no=line.line_no,
                sku=line.sku,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
                price_version=line.price_version,
                price_source="catalogue",
                terms=line.terms,
            )
            for line in order.lines
        ),
        tenders=tenders,
        b2b_order_id=order.order_id,
    )
