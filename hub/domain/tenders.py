"""Tenders beyond cash at the hub, pure: the gift-card and store-credit movements a document
makes, overdrafts, and what a card taken offline became (`card.settled`).

Stored value (gift cards by number, store credit by customer id) is a ledger of signed
movements in minor units, one per (document, tender) or (document, line):
- a sale line with `gift_card_number` of a `gift_card` product activates (or reloads) the
  card with its line total (`activation`, +);
- a sale's `gift_card` tender redeems it (`redemption`, -); a return's `gift_card` refund
  credits it back (`refund`, +);
- a sale's `store_credit` tender spends the customer's credit (`spend`, -); a return's
  `store_credit` refund pays a store-credit tender back (`refund`, +, it names the original
  tender) or issues new credit (`issue`, +, a return without receipt or by choice).
A spend beyond the balance (two stores offline spending one card) is recorded all the same:
the sale stands, the balance goes below zero and an `overdraft` exception says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from hub.domain.ledger import LedgerDocument
from hub.domain.sale_exceptions import SaleException
from shared.money import Money, to_minor
from sync.messages import CardSettled

StoredValueKind = Literal["gift_card", "store_credit"]
MovementKind = Literal["activation", "redemption", "refund", "adjustment", "issue", "spend"]


@dataclass(frozen=True, slots=True)
class Movement:
    """One signed movement of a stored-value account, keyed by (document, source, number)."""

    kind: StoredValueKind
    account: str
    movement: MovementKind
    amount_minor: int
    currency: str
    document_id: UUID
    source: Literal["tender", "line"]
    number: int
    store_id: str
    business_time: datetime

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.account)


def movements_of(
    documents: Iterable[LedgerDocument], gift_card_skus: set[str]
) -> tuple[list[Movement], list[SaleException]]:
    """The stored-value movements of `documents`, in upload order, and the exceptions of lines
    that name a gift card on a product that is not one (nothing is loaded)."""
    movements: list[Movement] = []
    found: list[SaleException] = []
    for document in documents:

        def movement(
            kind: StoredValueKind,
            account: str,
            name: MovementKind,
            amount_minor: int,
            source: Literal["tender", "line"],
            number: int,
            document: LedgerDocument = document,
        ) -> Movement:
            return Movement(
                kind,
                account,
                name,
                amount_minor,
                document.currency,
                document.document_id,
                source,
                number,
                document.store_id,
                document.business_time,
            )

        for line in document.lines:
            if line.gift_card_number is None or document.kind != "sale":
                continue
            if line.sku not in gift_card_skus:
                found.append(
                    SaleException(
                        document.document_id,
                        document.store_id,
                        "tender_problem",
                        line.sku,
                        f"line {line.line_no} loads gift card {masked(line.gift_card_number)} "
                        f"but {line.sku} is not a gift-card product: the card was not loaded",
                    )
                )
                continue
            movements.append(
                movement(
                    "gift_card",
                    line.gift_card_number,
                    "activation",
                    line.line_total_minor,
                    "line",
                    line.line_no,
                )
            )
        for tender in document.tenders:
            if tender.kind not in ("gift_card", "store_credit") or tender.account is None:
                continue
            kind: StoredValueKind = "gift_card" if tender.kind == "gift_card" else "store_credit"
            if document.kind == "sale":
                name: MovementKind = "redemption" if kind == "gift_card" else "spend"
                amount = -tender.amount_minor
            else:
                refunds_original = kind == "gift_card" or tender.original_tender_no is not None
                name = "refund" if refunds_original else "issue"
                amount = tender.amount_minor
            movements.append(
                movement(kind, tender.account, name, amount, "tender", tender.tender_no)
            )
    return movements, found


def masked(account: str) -> str:
    """A gift card's number as receipts and exceptions show it: its last four digits."""
    return f"****{account[-4:]}"


def shown(kind: str, account: str) -> str:
    """An account as an exception names it: a gift card masked, a customer's credit by id."""
    return f"gift card {masked(account)}" if kind == "gift_card" else f"store credit of {account}"


def overdraft(item: Movement, balance_before_minor: int) -> SaleException:
    """A spend that took an account below zero: recorded, and flagged for HQ."""
    after = balance_before_minor + item.amount_minor

    def money(minor: int) -> str:
        return f"{Money.from_minor(minor, item.currency).amount} {item.currency}"

    return SaleException(
        item.document_id,
        item.store_id,
        "overdraft",
        None,
        f"tender {item.number}: {shown(item.kind, item.account)} spent {money(-item.amount_minor)} "
        f"with {money(balance_before_minor)} left; its balance is {money(after)}. The sale stands",
    )


@dataclass(frozen=True, slots=True)
class SettledCard:
    """What `card.settled` says became of a card tender taken or refunded offline."""

    store_id: str
    document_id: UUID
    document_kind: str
    tender_no: int
    tender_id: UUID
    outcome: str
    amount_minor: int
    currency: str
    transaction_id: str | None
    decline_code: str | None
    deadline: datetime


def settled_card_of(event: CardSettled) -> SettledCard:
    """Raises SharedError for an unknown currency."""
    settled = event.payload
    return SettledCard(
        store_id=event.store_id,
        document_id=settled.document_id,
        document_kind=settled.document_kind,
        tender_no=settled.tender_no,
        tender_id=settled.tender_id,
        outcome=settled.outcome,
        amount_minor=to_minor(settled.amount, settled.currency),
        currency=settled.currency,
        transaction_id=settled.transaction_id,
        decline_code=settled.decline_code,
        deadline=settled.deadline,
    )


@dataclass(frozen=True, slots=True)
class HeldCardTender:
    """A tender as the ledger holds it, with its document's store, kind and currency."""

    store_id: str
    document_kind: str
    currency: str
    kind: str
    amount_minor: int
    tender_id: UUID | None
    card_status: str | None
    card_brand: str | None
    card_last4: str | None


def settle_problem(held: HeldCardTender | None, settled: SettledCard) -> str | None:
    """Why `settled` cannot be recorded on the tender the ledger holds (None: it can, or it
    says again what is held already). A card is settled once, from `stored`."""
    where = f"{settled.document_kind} {settled.document_id} tender {settled.tender_no}"
    if held is None or held.store_id != settled.store_id:
        return f"{where} is not in the ledger of {settled.store_id}"
    if held.document_kind != settled.document_kind:
        return f"{where} is a {held.document_kind}'s tender"
    if held.kind != "card":
        return f"{where} is a {held.kind} tender, not a card"
    if held.tender_id is not None and held.tender_id != settled.tender_id:
        return f"{where} has tender id {held.tender_id}, not {settled.tender_id}"
    if (held.amount_minor, held.currency) != (settled.amount_minor, settled.currency):
        return f"{where} is {held.amount_minor} minor units of {held.currency}"
    if held.card_status not in ("stored", settled.outcome):
        return f"{where} is {held.card_status} already"
    return None


def card_exception(held: HeldCardTender, settled: SettledCard) -> SaleException | None:
    """A card declined or not forwarded in time: the document stands, the store bears the
    risk, and HQ hears of it (`card_declined`, `card_expired`). None for money that moved."""
    if settled.outcome not in ("declined", "expired"):
        return None
    amount = f"{Money.from_minor(settled.amount_minor, settled.currency).amount} {settled.currency}"
    card = " ".join(
        part for part in (held.card_brand, held.card_last4 and f"****{held.card_last4}") if part
    )
    taken = f"card tender {settled.tender_no} ({card or 'card'}) of {amount}, taken offline,"
    if settled.outcome == "declined":
        why = f"was declined by the acquirer ({settled.decline_code or 'no code'})"
        kind: Literal["card_declined", "card_expired"] = "card_declined"
    else:
        why = f"was not forwarded before its deadline {settled.deadline.isoformat()}"
        kind = "card_expired"
    return SaleException(
        settled.document_id,
        settled.store_id,
        kind,
        None,
        f"{taken} {why}; the {settled.document_kind} stands",
    )


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """A gift card or a customer's store credit at the hub; money in minor units."""

    kind: str
    account: str
    currency: str
    balance_minor: int
    status: str
    store_id: str | None
    activated_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class MovementRecord:
    movement: str
    amount_minor: int
    balance_after_minor: int
    document_id: UUID
    store_id: str
    business_time: datetime
