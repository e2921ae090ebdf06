"""How the replay's customers pay: a pure, deterministic tender mix for every invoice.

The data names no tender, so the replay decides one from the file alone (the same file and
days give the same mix, whatever the stores, timing or chaos):

- a **trade customer** (an invoice with a customer id) pays by card, always the same card;
- a **walk-in customer** (no customer id) pays cash or card by a hash of the invoice number
  (about half each), a new card each time;
- **every tenth sale** (by another part of the same hash) is split: whole pounds of about half
  the amount in cash, the rest by card;
- a **gift card** sold in the data (a `gift_...` line of a sale) loads a card whose number is
  derived from the invoice and row. Its holder is the customer who bought it or, a walk-in
  customer's (every gift card of the data is), the next walk-in customer at the same store
  who receives it as a present. The holder's first sale on a later business day redeems half
  of the card's balance (at most the sale's total) before paying the rest as above;
- a **cancellation** (a return without receipt) is refunded in cash.

What the till then does with a tender (a decline, an offline cap reached) is the cashier's
business at run time (`vectis.replay.till`): the card part is taken in cash instead.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from typing import Literal

from vectis.replay.dataset import DatasetInvoice, DatasetLine, item_kind, store_for

TenderKind = Literal["cash", "card", "gift_card", "store_credit"]
TENDER_KINDS: tuple[TenderKind, ...] = ("cash", "card", "gift_card", "store_credit")
SPLIT_EVERY = 10  # one sale in ten is split between card and cash
PENNY = Decimal("0.01")
_IDS = uuid.UUID("0b9e4c1e-4f7a-4d61-9b1a-2b0c5e7d9a31")
# The simulated acquirer's test cards that decline or are held (docs/payments.md); the
# replay's cards never start "40000000", so they never meet one of them.
_TEST_CARD_PREFIX = "40000000"


@dataclass(frozen=True, slots=True)
class PlannedTender:
    """One tender as the replay's customer offers it. `amount`: GBP charged to it (cash: the
    part of the total it pays; the customer hands over more, see `cash_handed_over`);
    `card`: the card number as the terminal reads it (card only); `account`: the gift card's
    number (gift_card only); `tender_id`: derived, so a retried checkout sends the same one."""

    kind: TenderKind
    amount: Decimal
    tender_id: uuid.UUID
    card: str | None = None
    account: str | None = None


@dataclass(frozen=True, slots=True)
class InvoicePlan:
    """How one invoice is paid: its tenders (none for a zero total or a return: cash refund)
    and the numbers of the gift cards each gift-card line of a sale loads, by the line's row
    number: one card per unit (a till loads one card a line, so a row of 3 is rung up as
    three lines of one card each)."""

    tenders: tuple[PlannedTender, ...] = ()
    gift_cards: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def luhn_check_digit(digits: str) -> str:
    """The Luhn (ISO/IEC 7812-1, annex B) check digit to append to `digits`."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 0:  # doubled: every second digit from the right of the full number
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str((10 - total % 10) % 10)


def card_number(key: str) -> str:
    """A 16-digit card number with a valid Luhn digit derived from `key`: a Visa (4...) or
    Mastercard (5...) by the hash; never one of the simulator's declining test cards."""
    value = _digest(f"card/{key}")
    brand = "4" if value % 3 else "5"
    second = str(1 + value // 3 % 9)  # 1-9: never the test cards' 4000 0000 ...
    body = f"{brand}{second}{value // 27 % 10**13:013d}"
    assert not body.startswith(_TEST_CARD_PREFIX)
    return body + luhn_check_digit(body)


def gift_card_number(invoice_no: str, row_number: int, unit: int = 0) -> str:
    """The 16-digit number of the gift card a sale's line loads (row `row_number` of the file;
    `unit`: which card of a row of several, from 0)."""
    key = f"gift/{invoice_no}/{row_number}" + (f"/{unit}" if unit else "")
    return f"6{_digest(key) % 10**15:015d}"


def tender_id(invoice_no: str, place: int) -> uuid.UUID:
    """The id of an invoice's `place`-th planned tender (1-based): the acquirer's idempotency
    key derives from it, so a retried checkout charges nothing twice."""
    return uuid.uuid5(_IDS, f"{invoice_no}/tender/{place}")


def cash_tender_id(invoice_no: str) -> uuid.UUID:
    """The id of the cash the cashier takes instead of a refused card or gift card."""
    return uuid.uuid5(_IDS, f"{invoice_no}/tender/cash")


def invoice_total(invoice: DatasetInvoice) -> Decimal:
    """The invoice's total in GBP as the till charges it: the sum of its line totals."""
    return sum((line.line_total for line in invoice.lines), Decimal("0.00"))


def _loads_gift_card(invoice: DatasetInvoice, line: DatasetLine) -> bool:
    return (
        invoice.kind == "sale" and item_kind(line.stock_code) == "gift_card" and line.quantity > 0
    )


def till_lines(invoice: DatasetInvoice, line: DatasetLine) -> int:
    """How many lines a row of the file is at a till: one, or one per gift card a sale's
    gift-card row loads (a till loads one card a line)."""
    return line.quantity if _loads_gift_card(invoice, line) else 1


@dataclass(slots=True)
class _HeldCard:
    number: str
    balance: Decimal
    bought_on: date


class TenderMix:
    """Plans invoices in the order they are tendered; remembers who holds which gift card.

    Feed it every invoice of the run in time order (`plan_all`); the plan of an invoice depends
    only on it and on the gift cards its holder received before. `stores`: how many stores the
    invoices are spread over (`vectis.replay.dataset.store_for`: a walk-in's gift card is
    redeemed at the store that sold it)."""

    def __init__(self, stores: int = 1) -> None:
        self.stores = stores
        self._gift_cards: dict[str, list[_HeldCard]] = {}  # holder -> unredeemed cards

    def _holder(self, invoice: DatasetInvoice) -> str:
        if invoice.customer_id is not None:
            return f"customer/{invoice.customer_id}"
        return f"walk-in/{store_for(invoice, self.stores)}"

    def plan(self, invoice: DatasetInvoice) -> InvoicePlan:
        """The tenders of `invoice` (see the module docstring for the rules)."""
        gift_cards = {
            line.row_number: tuple(
                gift_card_number(invoice.invoice_no, line.row_number, unit)
                for unit in range(line.quantity)
            )
            for line in invoice.lines
            if _loads_gift_card(invoice, line)
        }
        total = invoice_total(invoice)
        if invoice.kind == "return" or total <= 0:
            self._remember(invoice, gift_cards)
            return InvoicePlan((), gift_cards)
        planned: list[PlannedTender] = []
        remaining = total
        held = self._gift_cards.get(self._holder(invoice), [])
        if held and held[0].bought_on < invoice.business_day:
            card = held.pop(0)
            redeemed = min((card.balance / 2).quantize(PENNY, rounding=ROUND_DOWN), remaining)
            if redeemed > 0:
                planned.append(
                    PlannedTender(
                        "gift_card", redeemed, tender_id(invoice.invoice_no, 1), account=card.number
                    )
                )
                remaining -= redeemed
        if remaining > 0:
            planned.extend(self._pay(invoice, remaining, len(planned) + 1))
        self._remember(invoice, gift_cards)
        return InvoicePlan(tuple(planned), gift_cards)

    def _pay(self, invoice: DatasetInvoice, amount: Decimal, place: int) -> list[PlannedTender]:
        value = _digest(f"tender/{invoice.invoice_no}")
        card = card_number(invoice.customer_id or invoice.invoice_no)
        by_card = invoice.customer_id is not None or value % 2 == 0
        cash_part = (amount / 2).to_integral_value(rounding=ROUND_FLOOR)
        if value // 2 % SPLIT_EVERY == 0 and cash_part >= 1:
            return [
                PlannedTender(
                    "card", amount - cash_part, tender_id(invoice.invoice_no, place), card
                ),
                PlannedTender("cash", cash_part, tender_id(invoice.invoice_no, place + 1)),
            ]
        if by_card:
            return [PlannedTender("card", amount, tender_id(invoice.invoice_no, place), card)]
        return [PlannedTender("cash", amount, tender_id(invoice.invoice_no, place))]

    def _remember(self, invoice: DatasetInvoice, gift_cards: dict[int, tuple[str, ...]]) -> None:
        for line in invoice.lines:
            if line.unit_price <= 0:
                continue
            for number in gift_cards.get(line.row_number, ()):
                self._gift_cards.setdefault(self._holder(invoice), []).append(
                    _HeldCard(number, line.unit_price, invoice.business_day)
                )


def plan_all(invoices: Iterable[DatasetInvoice], stores: int = 1) -> dict[str, InvoicePlan]:
    """The plan of every invoice by invoice number; `invoices` in the order they are tendered,
    spread over `stores` stores."""
    mix = TenderMix(stores)
    return {invoice.invoice_no: mix.plan(invoice) for invoice in invoices}


# What the till's refusal of a tender says about which one to take in cash instead.
_REFUSED_KIND: dict[str, TenderKind] = {
    "card_declined": "card",
    "balance_too_low": "gift_card",
    "unknown_account": "gift_card",
}


def refused_kind(code: str, tenders: tuple[PlannedTender, ...]) -> TenderKind | None:
    """Which of `tenders` a checkout refusal with error `code` is about, or None when it is
    not about a tender the cashier could take in cash instead.

    `offline_limit_reached` names no kind: the cards go first (their caps are the tightest),
    then the gift cards."""
    kinds = {tender.kind for tender in tenders}
    if code == "offline_limit_reached":
        return next((kind for kind in ("card", "gift_card") if kind in kinds), None)
    kind = _REFUSED_KIND.get(code)
    return kind if kind in kinds else None


def instead_in_cash(
    invoice_no: str, tenders: tuple[PlannedTender, ...], kind: TenderKind
) -> tuple[PlannedTender, ...]:
    """`tenders` with every tender of `kind` taken in cash instead: one cash tender for all
    the cash, last (change only ever comes from cash)."""
    kept = tuple(tender for tender in tenders if tender.kind not in (kind, "cash"))
    cash = sum(
        (tender.amount for tender in tenders if tender.kind in (kind, "cash")), Decimal("0.00")
    )
    return kept + ((PlannedTender("cash", cash, cash_tender_id(invoice_no)),) if cash > 0 else ())


def cash_handed_over(amount: Decimal) -> Decimal:
    """What a customer hands over to pay `amount` in cash: rounded up to the next 5 pounds."""
    return (amount / 5).to_integral_value(rounding=ROUND_CEILING) * 5


def tender_body(tender: PlannedTender) -> dict[str, str]:
    """The `TenderIn` body of a planned tender (cash: the notes handed over)."""
    if tender.kind == "cash":
        return {"kind": "cash", "amount": str(cash_handed_over(tender.amount))}
    body = {"kind": tender.kind, "amount": str(tender.amount), "tender_id": str(tender.tender_id)}
    if tender.card is not None:
        body["card"] = tender.card
    if tender.account is not None:
        body["account"] = tender.account
    return body
