"""The simulator's deterministic card rules (docs/payments.md, "Test cards and amounts"):
which card or amount is declined and why, and what a card's brand and last four are.

Pure functions: no clock, no storage, so a test can name the outcome of any request before
sending it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Test cards, as in the public test-card tables of the major gateways (Stripe's "decline"
# cards): the number decides the outcome whatever the amount.
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_EXPIRED = "4000000000000069"
CARD_HELD_FOR_REVIEW = "4000000000000259"

DECLINING_CARDS: dict[str, str] = {
    CARD_DECLINED: "card_declined",
    CARD_INSUFFICIENT_FUNDS: "insufficient_funds",
    CARD_EXPIRED: "expired_card",
}
# Any amount whose minor units end in these two digits (12.51, 0.51, 3051 JPY) is declined.
DO_NOT_HONOUR_ENDING = 51

BRANDS: dict[str, str] = {"4": "visa", "5": "mastercard", "3": "amex"}


@dataclass(frozen=True, slots=True)
class CardOutcome:
    """What the simulated issuer says of a payment: `decline_code` None = approved;
    `held_for_review` = approved but held by the (simulated) fraud filters."""

    decline_code: str | None
    held_for_review: bool = False


def payment_outcome(card: str, amount_minor: int) -> CardOutcome:
    """The outcome of a payment of `amount_minor` (integer minor units, > 0) on `card`.

    The card's rule comes first (a declining card declines any amount), then the amount's
    (minor units ending in 51: `do_not_honour`), then the review card.
    """
    code = DECLINING_CARDS.get(card)
    if code is not None:
        return CardOutcome(code)
    if amount_minor % 100 == DO_NOT_HONOUR_ENDING:
        return CardOutcome("do_not_honour")
    return CardOutcome(None, held_for_review=card == CARD_HELD_FOR_REVIEW)


def brand_of(card: str) -> str:
    """The card's brand by its first digit: 4 visa, 5 mastercard, 3 amex, else `card`."""
    return BRANDS.get(card[:1], "card")


def last4_of(card: str) -> str:
    """The last four characters of the card (all a receipt or a report ever shows)."""
    return card[-4:]
