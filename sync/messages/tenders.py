"""Payloads of tenders beyond cash: cards, gift cards and store credit (issue 14).

A sale's or a return's tenders travel in version 5 of its event (`TenderV3`, in
`sync.messages.sales`); what became of a card taken offline travels later as its own event,
`card.settled` (`CardSettledV1`). Gift-card and store-credit balances are ledgers at the hub
keyed by (document id, tender number) or (sale id, line number): a retried upload moves no
balance twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.bounds import LedgerDecimal
from sync.messages.base import CurrencyCode, Identifier, Payload, ShortText, TillId

TenderKind = Literal["cash", "on_account", "card", "gift_card", "store_credit"]
# A card tender as the document recorded it: `captured` online, or `stored` (taken offline,
# store-and-forward: `card.settled` says later whether it was captured, declined or expired).
# On a return, `refunded` online or `stored` likewise.
CardStatus = Literal["captured", "refunded", "stored"]
CardOutcome = Literal["captured", "refunded", "declined", "expired"]


class CardTenderV1(Payload):
    """What the till knows of a card tender. Never a card number: the last four digits and
    the brand the acquirer (or, offline, the terminal) reported."""

    status: CardStatus
    transaction_id: ShortText | None = Field(
        default=None, description="The acquirer's payment id; absent while stored offline"
    )
    brand: ShortText | None = None
    last4: ShortText | None = None
    deadline: AwareDatetime | None = Field(
        default=None, description="Stored offline: when it must have been forwarded"
    )


class CardSettledV1(Payload):
    """What became of a card tender taken or refunded offline (`stored`), once the edge
    forwarded it to the acquirer or its deadline passed. `captured`/`refunded`: the money
    moved; `declined`: the acquirer refused it; `expired`: it was not forwarded before its
    deadline. A declined or expired sale tender stands (the risk is the store's) and the hub
    raises an exception for it."""

    tender_id: UUID
    document_id: UUID = Field(description="The sale or return the tender belongs to")
    document_kind: Literal["sale", "return"]
    tender_no: int = Field(ge=1, le=2**31 - 1)
    till_id: TillId
    outcome: CardOutcome
    amount: LedgerDecimal = Field(description="The tender's amount, positive")
    currency: CurrencyCode
    transaction_id: ShortText | None = None
    decline_code: ShortText | None = None
    taken_at: AwareDatetime = Field(description="When the till took it offline")
    deadline: AwareDatetime
    settled_at: AwareDatetime = Field(description="When the edge learnt the outcome")


class StoredValueBalanceV1(Payload):
    """The hub's answer to a store asking a gift card's or a customer's store-credit balance
    (`GET /v1/sync/stored-value/{kind}/{account}`): the balance after every movement the hub
    has recorded, and whether the account can be spent."""

    kind: Literal["gift_card", "store_credit"]
    account: Identifier
    balance: LedgerDecimal
    currency: CurrencyCode
    status: Literal["active", "blocked"] = "active"
    as_of: datetime
