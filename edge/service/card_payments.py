"""Use cases of the card payment log (edge.domain.card_payments), each one transaction: a
payment written before the acquirer is asked, its answer recorded, taken offline within the
store's limits, forwarded, expired, or reversed when its cart was never checked out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.card_payments import (
    CardPayment,
    Outcome,
    PaymentOperation,
    brand_of,
    last4_of,
    settled_event,
)
from edge.domain.documents import CardDetails, Return, Sale, Tender
from edge.domain.node import NodeIdentity
from edge.domain.tender_limits import OfflineLimits
from edge.errors import IdReused
from edge.payments.errors import CardDeclined, OfflineLimitReached
from edge.payments.port import PaymentResult
from edge.service.staff import store_settings
from shared.money import Money


def offline_limits(uow: EdgeUnitOfWork, identity: NodeIdentity) -> OfflineLimits:
    """The store's offline tender limits (store settings; edge.domain.tender_limits)."""
    return OfflineLimits.of(store_settings(uow, identity), identity.currency)


def open_payment(
    uow: EdgeUnitOfWork,
    *,
    tender_id: UUID,
    operation: PaymentOperation,
    till_id: str,
    amount: Money,
    card_token: str | None,
    cart_id: UUID | None = None,
    original_transaction_id: str | None = None,
) -> CardPayment:
    """The payment of `tender_id`: the one logged before (a retry), or a new `pending` one,
    written before the acquirer is asked. Raises IdReused when the id names a payment of
    another amount, till or cart."""
    held = uow.card_payments.get(tender_id)
    if held is not None:
        if held.amount != amount or held.till_id != till_id or held.cart_id != cart_id:
            raise IdReused("tender", str(tender_id))
        return held
    payment = CardPayment(
        tender_id=tender_id,
        operation=operation,
        till_id=till_id,
        amount=amount,
        status="pending",
        taken_at=uow.now(),
        cart_id=cart_id,
        card_token=card_token,
        original_transaction_id=original_transaction_id,
        brand=brand_of(card_token) if card_token else None,
        last4=last4_of(card_token) if card_token else None,
    )
    uow.card_payments.add(payment)
    return payment


def record_answer(uow: EdgeUnitOfWork, tender_id: UUID, result: PaymentResult) -> CardPayment:
    """The acquirer's answer to a pending payment: captured/refunded, or declined (raised
    as CardDeclined after the row is written: the caller's transaction must commit it, so
    call it in a transaction of its own and raise afterwards)."""
    payment = _held(uow, tender_id)
    if result.success:
        status: Literal["captured", "refunded"] = (
            "refunded" if payment.operation == "refund" else "captured"
        )
        payment = replace(
            payment,
            status=status,
            transaction_id=result.transaction_id,
            brand=result.brand or payment.brand,
            last4=result.last4 or payment.last4,
            card_token=None,
        )
    else:
        payment = replace(
            payment,
            status="declined",
            decline_code=result.decline_code or "declined",
            transaction_id=result.transaction_id,
            card_token=None,
        )
    uow.card_payments.save(payment)
    return payment


def take_offline(
    uow: EdgeUnitOfWork, identity: NodeIdentity, tender_id: UUID, *, check_limits: bool = True
) -> CardPayment:
    """Store-and-forward a payment the acquirer did not answer: within the store's limits
    (a charge at most the per-transaction cap and what the till cap leaves), it is `stored`
    with its deadline. Raises OfflineLimitReached (the payment stays pending: it may have
    reached the acquirer, and the sweep settles it)."""
    payment = _held(uow, tender_id)
    if payment.status == "stored":
        return payment
    limits = offline_limits(uow, identity)
    if check_limits and payment.operation == "charge":
        outstanding = uow.card_payments.outstanding(payment.till_id, identity.currency)
        if payment.amount > limits.card_transaction_max:
            headroom = limits.card_headroom(outstanding)
            raise OfflineLimitReached("card", "per_transaction", str(headroom.amount))
        if outstanding + payment.amount > limits.card_till_max:
            headroom = limits.card_headroom(outstanding)
            raise OfflineLimitReached("card", "per_till", str(headroom.amount))
    now = uow.now()
    payment = replace(payment, status="stored", deadline=limits.card_deadline(now))
    uow.card_payments.save(payment)
    return payment


def declined_before(payment: CardPayment) -> None:
    """A payment declined before stays declined for the same tender id (the acquirer would
    answer the same): raises CardDeclined."""
    if payment.status == "declined":
        raise CardDeclined(payment.decline_code or "declined")


def settle(
    uow: EdgeUnitOfWork,
    tender_id: UUID,
    outcome: Outcome,
    *,
    result: PaymentResult | None = None,
) -> CardPayment:
    """A stored payment forwarded (`captured`, `refunded`, `declined`) or expired: the row
    is settled and, once its document is recorded, a `card.settled` event goes to the hub."""
    payment = _held(uow, tender_id)
    if payment.status != "stored":
        return payment
    payment = replace(
        payment,
        status="settled",
        outcome=outcome,
        transaction_id=result.transaction_id if result else None,
        decline_code=(result.decline_code if result and not result.success else None),
        card_token=None,
        settled_at=uow.now(),
    )
    uow.card_payments.save(payment)
    if payment.document_id is not None:
        uow.emit(settled_event(payment))
    return payment


def reverse(uow: EdgeUnitOfWork, tender_id: UUID, result: PaymentResult | None) -> CardPayment:
    """A payment whose cart was never checked out with it: paid back (`result`, a refund or
    void) or never taken (None). Either way no document holds it."""
    payment = _held(uow, tender_id)
    payment = replace(
        payment,
        status="reversed",
        outcome="refunded" if result is not None and result.success else None,
        card_token=None,
        settled_at=uow.now(),
    )
    uow.card_payments.save(payment)
    return payment


def orphaned(uow: EdgeUnitOfWork, payment: CardPayment) -> bool:
    """Whether a payment of a cart can no longer end on its sale: the cart was voided, or
    checked out without this tender."""
    if payment.cart_id is None or payment.document_id is not None:
        return False
    cart = uow.carts.get(payment.cart_id)
    if cart is None or cart.status == "voided":
        return True
    if cart.status != "checked_out":
        return False
    sale = uow.sales.by_cart(payment.cart_id)
    return sale is None or all(tender.tender_id != payment.tender_id for tender in sale.tenders)


def _held(uow: EdgeUnitOfWork, tender_id: UUID) -> CardPayment:
    payment = uow.card_payments.get(tender_id)
    if payment is None:
        raise LookupError(f"no card payment {tender_id}")
    return payment


def due_for_forwarding(uow: EdgeUnitOfWork, limit: int = 100) -> list[CardPayment]:
    """Stored payments whose document is recorded, oldest first; a refund only once the
    payment it pays back is known (`resolved_original`)."""
    due = []
    for payment in uow.card_payments.with_status(["stored"], documented=True, limit=limit):
        resolved = resolved_original(uow, payment)
        if resolved is not None:
            due.append(resolved)
    return due


def expired(payment: CardPayment, now: datetime) -> bool:
    """Whether a stored payment's upload deadline has passed."""
    return payment.deadline is not None and now > payment.deadline


@dataclass(frozen=True, slots=True)
class OfflineCardStatus:
    """What a cashier sees of a till's cards taken offline: the store's limits, what is
    outstanding (not yet forwarded), the headroom for one more, how many are stored and
    the oldest deadline (None: nothing stored)."""

    limits: OfflineLimits
    outstanding: Money
    headroom: Money
    stored: int
    oldest_deadline: datetime | None


def offline_card_status(
    uow: EdgeUnitOfWork, identity: NodeIdentity, till_id: str
) -> OfflineCardStatus:
    limits = offline_limits(uow, identity)
    outstanding = uow.card_payments.outstanding(till_id, identity.currency)
    stored = [
        payment
        for payment in uow.card_payments.with_status(["stored"], till_id=till_id, limit=10_000)
        if payment.operation == "charge"
    ]
    deadlines = [payment.deadline for payment in stored if payment.deadline is not None]
    return OfflineCardStatus(
        limits,
        outstanding,
        limits.card_headroom(outstanding),
        len(stored),
        min(deadlines) if deadlines else None,
    )


# A refund whose sale's card was taken offline and not yet forwarded names that card's tender
# until its payment id is known: "tender:<tender id>".
PENDING_ORIGINAL = "tender:"
# Refunds have no offline cap (the store pays out); they are forwarded within the most any
# acquirer allows an offline payment (field notes: Square, 72 h).
REFUND_HOURS = 72


def with_card_answers(draft: Return, answers: Mapping[UUID, CardDetails]) -> Return:
    """The drafted return with the payment terminal's answers in place of its card refund
    tenders' `stored` details (edge.service.card_refunds)."""
    if not answers:
        return draft
    refunds = tuple(
        replace(tender, card=answers[tender.tender_id])
        if tender.tender_id is not None and tender.tender_id in answers
        else tender
        for tender in draft.refunds
    )
    return replace(draft, refunds=refunds)


def queue_card_refunds(sales_return: Return, uow: EdgeUnitOfWork) -> None:
    """In the return's transaction: each card refund names the return in the payment log;
    one the terminal has not made (no answer, no terminal) is logged `stored`, for the
    forwarder to send with its key `refund:<tender id>`."""
    now = uow.now()
    original = (
        uow.sales.get(sales_return.original_sale_id) if sales_return.original_sale_id else None
    )
    for tender in sales_return.refunds:
        if tender.kind != "card" or tender.tender_id is None:
            continue
        if uow.card_payments.get(tender.tender_id) is not None:
            uow.card_payments.attach(tender.tender_id, sales_return.return_id, tender.tender_no)
            continue
        uow.card_payments.add(
            CardPayment(
                tender_id=tender.tender_id,
                operation="refund",
                till_id=sales_return.till_id,
                amount=tender.amount,
                status="stored",
                taken_at=now,
                document_id=sales_return.return_id,
                tender_no=tender.tender_no,
                original_transaction_id=_original_payment(uow, original, tender),
                brand=tender.card.brand if tender.card else None,
                last4=tender.card.last4 if tender.card else None,
                deadline=now + timedelta(hours=REFUND_HOURS),
            )
        )


def _original_payment(uow: EdgeUnitOfWork, original: Sale | None, refund: Tender) -> str | None:
    """The acquirer's id of the payment a card refund pays back: on the sale's tender, or in
    the payment log once a card taken offline was forwarded; else `tender:<id>` to resolve
    when it is."""
    if refund.card is not None and refund.card.transaction_id is not None:
        return refund.card.transaction_id
    if original is None:
        return None
    sold = next((t for t in original.tenders if t.tender_no == refund.original_tender_no), None)
    if sold is None or sold.tender_id is None:
        return None
    payment = uow.card_payments.get(sold.tender_id)
    if (
        payment is not None
        and payment.transaction_id is not None
        and payment.outcome in (None, "captured")
    ):
        return payment.transaction_id
    return f"{PENDING_ORIGINAL}{sold.tender_id}"


def resolved_original(uow: EdgeUnitOfWork, payment: CardPayment) -> CardPayment | None:
    """A stored refund with the payment it pays back known (None: that card is not
    captured yet, or never will be: the refund waits, or expires)."""
    original = payment.original_transaction_id
    if (
        payment.operation != "refund"
        or original is None
        or not original.startswith(PENDING_ORIGINAL)
    ):
        return payment if original is not None or payment.operation == "charge" else None
    sold = uow.card_payments.get(UUID(original.removeprefix(PENDING_ORIGINAL)))
    if sold is None or sold.transaction_id is None or sold.outcome not in (None, "captured"):
        return None
    return replace(payment, original_transaction_id=sold.transaction_id)
