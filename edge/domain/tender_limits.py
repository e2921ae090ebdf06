"""Limits on tenders taken while the acquirer or the hub is out of reach (store settings).

Field notes (Square: offline card payments expire after 24 h, 72 h at most, default limit
100 per transaction; Shopify: per-transaction and per-device limits set in advance): every
tender works offline, within limits the cashier can see. The rules:

- a card taken offline (store-and-forward) is at most `card_transaction_max`; the till's card
  payments not yet forwarded stay within `card_till_max`; each must be forwarded within
  `card_hours` of being taken, or it expires (the sale stands, the store carries the risk);
- a gift card or store credit spent offline is at most the balance the store last knew
  less what it has spent of it since, and at most `gift_card_max` / `store_credit_max` for
  that account until the hub is heard from again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from shared.money import Money

DEFAULT_CARD_TRANSACTION_MAX = Decimal("100")
DEFAULT_CARD_TILL_MAX = Decimal("500")
DEFAULT_CARD_HOURS = 24
DEFAULT_GIFT_CARD_MAX = Decimal("50")
DEFAULT_STORE_CREDIT_MAX = Decimal("50")


@dataclass(frozen=True, slots=True)
class OfflineLimits:
    """The store's offline tender limits in its currency (settings fields in parentheses):
    `card_transaction_max` (card_offline_transaction_max), `card_till_max`
    (card_offline_till_max), `card_hours` (card_offline_hours, 1-72), `gift_card_max`
    (gift_card_offline_max), `store_credit_max` (store_credit_offline_max)."""

    card_transaction_max: Money
    card_till_max: Money
    card_hours: int
    gift_card_max: Money
    store_credit_max: Money

    @classmethod
    def of(cls, settings: Mapping[str, object], currency: str) -> OfflineLimits:
        """The limits from a store's settings values (text, or None: the default)."""

        def amount(name: str, default: Decimal) -> Money:
            value = settings.get(name)
            try:
                return Money.of(Decimal(value) if isinstance(value, str) else default, currency)
            except InvalidOperation:
                return Money.of(default, currency)

        hours = settings.get("card_offline_hours")
        return cls(
            card_transaction_max=amount(
                "card_offline_transaction_max", DEFAULT_CARD_TRANSACTION_MAX
            ),
            card_till_max=amount("card_offline_till_max", DEFAULT_CARD_TILL_MAX),
            card_hours=int(hours)
            if isinstance(hours, str) and hours.isdigit()
            else DEFAULT_CARD_HOURS,
            gift_card_max=amount("gift_card_offline_max", DEFAULT_GIFT_CARD_MAX),
            store_credit_max=amount("store_credit_offline_max", DEFAULT_STORE_CREDIT_MAX),
        )

    def card_deadline(self, taken_at: datetime) -> datetime:
        """When a card taken offline at `taken_at` must have been forwarded."""
        return taken_at + timedelta(hours=self.card_hours)

    def card_headroom(self, outstanding: Money) -> Money:
        """The most one more offline card may be at a till with `outstanding` not yet
        forwarded: the lesser of the per-transaction cap and what the till cap leaves."""
        left = self.card_till_max - outstanding
        if left.is_negative():
            return Money.zero(outstanding.currency)
        return left if left < self.card_transaction_max else self.card_transaction_max

    def stored_value_headroom(self, kind: str, known_balance: Money, spent_since: Money) -> Money:
        """The most one account (`kind` gift_card or store_credit) may be spent offline: the
        balance this store knows now (the hub's last answer less this store's spending
        since), capped by the kind's offline maximum less `spent_since` (what it spent
        offline since that answer); never below zero."""
        cap = self.gift_card_max if kind == "gift_card" else self.store_credit_max
        by_balance = known_balance
        by_cap = cap - spent_since
        headroom = by_balance if by_balance < by_cap else by_cap
        return Money.zero(known_balance.currency) if headroom.is_negative() else headroom
