"""Errors of tenders beyond cash (HTTP statuses through their edge.errors bases).

Declined (402)   CardDeclined, BalanceTooLow
Conflict (409)   OfflineLimitReached: taken offline, the tender would pass a store limit
                 NoCardTerminal: no card terminal is configured at this till
NotFound (404)   UnknownAccount: a gift card never activated, a customer without an account
Invalid (422)    GiftCardNotActivated: a gift-card item sold without a card number,
                 GiftCardLoadNotPositive: a gift card that would load 0.00 or less,
                 RefundTenderRefused: a refund to a tender the rules do not allow
"""

from __future__ import annotations

from edge.errors import Conflict, Declined, Invalid, NotFound


class CardDeclined(Declined):
    """The acquirer declined the card (`decline_code`); nothing was taken."""

    code = "card_declined"

    def __init__(self, decline_code: str, detail: str | None = None) -> None:
        self.decline_code = decline_code
        super().__init__(detail or f"the card was declined: {decline_code}")


class BalanceTooLow(Declined):
    """A gift card's or store credit's balance (or, offline, its offline allowance) is below
    the amount asked; `available` is what may be taken."""

    code = "balance_too_low"

    def __init__(self, kind: str, available: str, asked: str, offline: bool = False) -> None:
        self.available = available
        where = "offline allowance" if offline else "balance"
        super().__init__(f"the {kind} {where} is {available}, {asked} was asked")


class OfflineLimitReached(Conflict):
    """The acquirer or the hub is out of reach and taking this tender offline would pass a
    store limit (`limit`: per_transaction, per_till, per_account). Take another tender."""

    code = "offline_limit_reached"

    def __init__(self, kind: str, limit: str, headroom: str) -> None:
        self.limit = limit
        self.headroom = headroom
        super().__init__(
            f"offline, a {kind} tender is capped ({limit}): {headroom} is left; take cash"
        )


class NoCardTerminal(Conflict):
    """This till has no card terminal configured: take another tender."""

    code = "no_card_terminal"


class UnknownAccount(NotFound):
    """No such gift card (never activated) or store-credit account."""

    code = "unknown_account"


class GiftCardNotActivated(Invalid):
    """A gift-card item needs the number of the card it loads."""

    code = "gift_card_number_needed"


class GiftCardLoadNotPositive(Invalid):
    """A gift-card line whose total is 0.00 or less: it would load nothing, and the hub
    quarantines a sale that loads a card with no value, so the till refuses it first."""

    code = "gift_card_load_not_positive"

    def __init__(self, sku: str, total: str) -> None:
        super().__init__(f"{sku} would load a gift card with {total}: a card loads more than 0")


class RefundTenderRefused(Invalid):
    """A refund to a tender the rules do not allow (docs/counter.md, "Refunds")."""

    code = "refund_tender_refused"
