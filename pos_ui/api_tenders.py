"""Balances the tender dialog asks before it takes a gift card or store credit (docs/api.md,
"Tenders": `GET /v1/gift-cards/{number}`, `GET /v1/store-credit/{customer}`).

Raises what `TillClient.request` raises (`EdgeRefused`: 404 `unknown_account`;
`EdgeUnreachable`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pos_ui.client import TillClient
from pos_ui.models import Answer


class Balance(Answer):
    """A gift card's or store-credit account's balance at the till: `source` "hub" (asked
    live) or "last_known" (HQ out of reach); `offline_allowance` the most that may be spent
    while HQ is out of reach."""

    kind: str
    account: str
    balance: Decimal
    currency: str
    as_of: datetime
    source: str
    offline_allowance: Decimal
    blocked: bool

    @property
    def spendable(self) -> Decimal:
        """What a tender may take now: the balance live, else the offline allowance."""
        if self.source == "hub":
            return self.balance
        return min(self.balance, self.offline_allowance)


async def stored_value_balance(
    client: TillClient, kind: Literal["gift_card", "store_credit"] | str, account: str
) -> Balance:
    """The balance of gift card `account` (kind "gift_card") or of customer `account`'s
    store credit (kind "store_credit")."""
    path = f"/v1/gift-cards/{account}" if kind == "gift_card" else f"/v1/store-credit/{account}"
    return await client.call(Balance, "GET", path)
