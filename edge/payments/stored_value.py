"""The stored-value port: the hub's gift-card and store-credit ledgers as a till sees them.

The till asks the hub a balance live (a short timeout) before it takes a gift card or store
credit as a tender; the movement itself travels in the sale's or return's event (version 5)
and the hub keys it by (document id, tender number), so a retried upload moves nothing twice.
When the hub cannot be reached the till falls back to the last balance it knew, within the
store's per-account offline cap (edge.domain.tender_limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from shared.money import Money

StoredValueKind = Literal["gift_card", "store_credit"]


class LedgerUnreachable(Exception):
    """The hub did not answer in time (or the store is offline): use the offline rule."""


class AccountUnknown(Exception):
    """The hub has no such gift card (never activated) or customer account."""


@dataclass(frozen=True, slots=True)
class StoredValueBalance:
    """A gift card's or a customer's store-credit balance as the hub holds it at `as_of`
    (every movement it has recorded); `blocked` accounts cannot be spent."""

    kind: StoredValueKind
    account: str
    balance: Money
    as_of: datetime
    blocked: bool = False


class StoredValueLedger(Protocol):
    """The hub's stored-value ledgers, asked live. Raises LedgerUnreachable when no answer
    came within the adapter's timeout, AccountUnknown for an account the hub never saw."""

    async def balance(self, kind: StoredValueKind, account: str) -> StoredValueBalance: ...
