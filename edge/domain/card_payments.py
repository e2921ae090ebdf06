"""The till's card payments: every charge or refund it asks of the acquirer, and its states.

A card tender is written to the payment log (`CardPayment`, status `pending`) before the
acquirer is asked, with the idempotency key derived from its tender id; the answer moves it
on. So whatever happens between (an answer lost on the wire, the till killed between the
capture and the sale's commit) the next attempt sends the same key and the acquirer answers
the first result again: a card is charged once.

    pending --answer--> captured | refunded | declined
    pending --no answer, within the offline limits--> stored --forwarded--> settled
    stored --deadline passed--> settled (outcome expired)
    captured, for a cart never checked out --> reversed (paid back)

Field notes (Square): offline card payments must upload within 24 h or expire, and they are
lost on logout; here they are rows in the till's SQLite file, forwarded in the order taken
by a job whatever session is signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from edge.domain.documents import CardDetails, CardSettled
from shared.money import Money

PaymentOperation = Literal["charge", "refund"]
PaymentState = Literal[
    "pending", "captured", "refunded", "declined", "stored", "settled", "reversed"
]
Outcome = Literal["captured", "refunded", "declined", "expired"]

_TENDER_NAMESPACE = uuid5(NAMESPACE_URL, "https://vectis-edge.invalid/tender")


def derived_tender_id(
    document_id: UUID, position: int, kind: str, amount: Money, account: str
) -> UUID:
    """The tender id a till gives a tender the client did not name: a UUIDv5 of the cart (or
    return), the tender's place, kind, amount and card or account. The same request retried
    gets the same id (so the same idempotency key: never charged twice); another card or
    amount at the same place is another tender."""
    name = f"{document_id}/{position}/{kind}/{amount.amount}/{account}"
    return uuid5(_TENDER_NAMESPACE, name)


@dataclass(frozen=True, slots=True)
class CardPayment:
    """One row of the payment log. `amount` positive; `card_token` only while it may still
    be sent; `document_id`/`tender_no` once the sale or return that holds it is recorded."""

    tender_id: UUID
    operation: PaymentOperation
    till_id: str
    amount: Money
    status: PaymentState
    taken_at: datetime
    cart_id: UUID | None = None
    document_id: UUID | None = None
    tender_no: int | None = None
    card_token: str | None = None
    original_transaction_id: str | None = None
    outcome: Outcome | None = None
    transaction_id: str | None = None
    decline_code: str | None = None
    brand: str | None = None
    last4: str | None = None
    deadline: datetime | None = None
    settled_at: datetime | None = None

    def details(self) -> CardDetails:
        """The card as the document records it: captured/refunded online, or stored."""
        status = "stored" if self.status in ("stored", "settled") else self.status
        if status not in ("captured", "refunded", "stored"):
            raise ValueError(f"a {self.status} card payment is on no document")
        return CardDetails(
            status=status,
            transaction_id=self.transaction_id if status != "stored" else None,
            brand=self.brand,
            last4=self.last4,
            deadline=self.deadline if status == "stored" else None,
        )


def brand_of(card_token: str) -> str:
    """The brand a terminal reports offline, from the card's first digit (ISO/IEC 7812
    major industry identifier and the networks' ranges): 4 visa, 5 mastercard, 3 amex."""
    return {"4": "visa", "5": "mastercard", "3": "amex"}.get(card_token[:1], "card")


def last4_of(card_token: str) -> str:
    """The last four characters of the card as read (what a receipt may print)."""
    return card_token[-4:]


def settled_event(payment: CardPayment) -> CardSettled:
    """The `card.settled` event of a settled payment held by a document."""
    if payment.document_id is None or payment.tender_no is None or payment.outcome is None:
        raise ValueError(f"card payment {payment.tender_id} is not settled on a document")
    if payment.deadline is None or payment.settled_at is None:
        raise ValueError(f"card payment {payment.tender_id} was not stored offline")
    return CardSettled(
        tender_id=payment.tender_id,
        document_id=payment.document_id,
        document_kind="sale" if payment.operation == "charge" else "return",
        tender_no=payment.tender_no,
        till_id=payment.till_id,
        outcome=payment.outcome,
        amount=payment.amount,
        transaction_id=payment.transaction_id,
        decline_code=payment.decline_code,
        taken_at=payment.taken_at,
        deadline=payment.deadline,
        settled_at=payment.settled_at,
    )
