"""The payment terminal port: what the till asks of a card acquirer, and what it answers.

The shape of the seeds' `PaymentProcessStrategy` (authorize, capture, charge, void, refund,
results with `held_for_review`), narrowed to what a till needs and made safe to retry: every
call carries an idempotency key, and an acquirer that has seen a key answers the first
result again without moving money twice. The till derives the key from the tender's id
(`idempotency_key`), so a retry after a lost answer, a restart or a store-and-forward upload
can never charge a card twice.

A real gateway adapter (Stripe Terminal, Adyen's Terminal API) implements `PaymentTerminal`
and nothing else changes: it maps `card` to the payment method the reader produced (a
Stripe `payment_method` id, an Adyen `PaymentInstrumentData` token) and the key to the
gateway's own idempotency header (Stripe `Idempotency-Key`, Adyen `Idempotency-Key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol
from uuid import UUID

from shared.money import Money

PaymentStatus = Literal["authorized", "captured", "voided", "refunded", "declined"]


class AcquirerUnreachable(Exception):
    """No answer from the acquirer (refused, timed out, or cut mid-answer): the request may
    or may not have reached it. Retrying with the same idempotency key is always safe."""


class AcquirerError(Exception):
    """The acquirer answered something the till cannot use (a 5xx, a malformed body, a
    refusal of the request itself rather than of the card). Carries the acquirer's text."""


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """What the acquirer said of one call. `success` is False for a decline (`decline_code`
    says why: `card_declined`, `insufficient_funds`, `expired_card`, `do_not_honour`, ...).
    `held_for_review`: accepted but held by the acquirer's fraud filters (captured later or
    not: the till treats it as captured, the settlement report says which). `amount` is
    what this call moved (positive). `replayed`: the acquirer had seen the idempotency key
    and answered its first result again."""

    success: bool
    status: PaymentStatus
    idempotency_key: str
    amount: Money
    transaction_id: str | None = None
    decline_code: str | None = None
    message: str | None = None
    brand: str | None = None
    last4: str | None = None
    held_for_review: bool = False
    replayed: bool = False


class PaymentTerminal(Protocol):
    """A card terminal and its acquirer. Every method raises AcquirerUnreachable when no
    answer came and AcquirerError for an answer it cannot use; a declined card is a result
    (`success=False`), not an error."""

    @property
    def gateway_name(self) -> str: ...

    async def authorize(
        self, amount: Money, card: str, *, idempotency_key: str, reference: str
    ) -> PaymentResult:
        """Hold `amount` on `card` (the token the terminal read) without taking it."""
        ...

    async def capture(
        self, transaction_id: str, amount: Money, *, idempotency_key: str
    ) -> PaymentResult:
        """Take `amount` (at most what was authorized) of an authorized payment."""
        ...

    async def charge(
        self, amount: Money, card: str, *, idempotency_key: str, reference: str
    ) -> PaymentResult:
        """Authorize and capture in one call: what the till does at checkout."""
        ...

    async def void(self, transaction_id: str, *, idempotency_key: str) -> PaymentResult:
        """Release an authorized, uncaptured payment."""
        ...

    async def refund(
        self, transaction_id: str, amount: Money, *, idempotency_key: str
    ) -> PaymentResult:
        """Pay back `amount` of a captured payment; never more than captured less refunded
        (the acquirer declines it with `refund_exceeds_capture`)."""
        ...

    async def find(self, idempotency_key: str) -> PaymentResult | None:
        """The result the acquirer recorded for `idempotency_key`, or None if it never saw
        it: how a till learns whether a request whose answer was lost went through."""
        ...


def idempotency_key(tender_id: UUID, operation: str = "charge") -> str:
    """The acquirer idempotency key of one operation on one tender: `"<op>:<tender id>"`.
    Derived, never random, so every retry of the same tender sends the same key."""
    return f"{operation}:{tender_id}"
