"""Refunds to the original tender: which of a sale's tenders pays back how much of a return.

A receipted return pays each tender of the sale back in proportion to what it paid (its
`amount`, the part applied to the total: cash net of change), never more than it paid less
what earlier returns already paid back to it. The refund total is spread over the tenders'
remaining amounts by `edge.domain.discounts.allocate_minor` (the largest remainder method, the
till's one rounding rule): on a first return the remaining amounts are what each tender paid,
so the split is exactly proportional; on a later one it is proportional to what is left, so
the last return of a receipt pays every tender back to the minor unit and none beyond.

A card part is refunded through the payment terminal (`transaction_id`: the acquirer's
payment it refunds), a gift-card part re-credits the card, a store-credit part re-issues the
customer's credit, an on-account part credits the trade customer's account, cash is cash.
A return without a receipt is paid back in cash or store credit (`RefundChoice`), never to
a card or gift card. Pure: no I/O; the caller reads the sale and its earlier returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID, uuid5

from edge.domain.discounts import allocate_minor
from edge.domain.documents import CardDetails, Return, Tender, TenderKind
from edge.payments.errors import RefundTenderRefused
from shared.money import Money

RefundKind = Literal["cash", "store_credit"]


@dataclass(frozen=True, slots=True)
class RefundChoice:
    """How the customer asked to be paid back: `cash`, or `store_credit` to `account` (a
    customer id; None: the return's customer). Without a receipt it is the whole refund;
    with one it turns only the cash parts into store credit (a card, gift card or store
    credit is always paid back to itself)."""

    kind: RefundKind = "cash"
    account: str | None = None


@dataclass(frozen=True, slots=True)
class RefundPart:
    """One refund tender of a return: `amount` (> 0) paid back to the sale's tender
    `original_tender_no` (None without a receipt) of `kind`, to `account` (gift card number,
    store-credit customer id) and, for a card, its acquirer payment `transaction_id` (and
    the card's `brand` and `last4`, for the receipt)."""

    original_tender_no: int | None
    kind: TenderKind
    amount: Money
    account: str | None = None
    transaction_id: str | None = None
    brand: str | None = None
    last4: str | None = None


def plan_refund(
    original_tenders: Sequence[Tender], refunded_so_far: Mapping[int, Money], total: Money
) -> list[RefundPart]:
    """Split a receipted return's refund `total` (>= 0) over the sale's tenders.

    `refunded_so_far` maps a sale tender's number to what earlier returns paid back to it
    (absent: nothing). Each tender gets its share of `total` by `allocate_minor` over what it
    has left (`amount` less `refunded_so_far`); tenders whose share is zero are left out.
    Returns the parts in the sale's tender order, summing to `total`, each at most what its
    tender has left. Raises RefundTenderRefused when `total` is more than all tenders have left
    (the receipt was refunded in full, or the tenders were refunded beyond their lines) or a
    tender is in another currency.
    """
    currency = total.currency
    if total.is_negative():
        raise RefundTenderRefused(f"a refund of {total.amount} is below zero")
    left: list[int] = []
    for tender in original_tenders:
        if tender.amount.currency != currency:
            raise RefundTenderRefused(f"tender {tender.tender_no} is not in {currency}")
        done = refunded_so_far.get(tender.tender_no, Money.zero(currency))
        left.append(max(tender.amount.minor - done.minor, 0))
    if total.minor > sum(left):
        raise RefundTenderRefused(
            f"a refund of {total.amount} is more than the receipt's tenders have left "
            f"({Money.from_minor(sum(left), currency).amount})"
        )
    shares = allocate_minor(total.minor, left) if original_tenders else []
    return [
        RefundPart(
            original_tender_no=tender.tender_no,
            kind=tender.kind,
            amount=Money.from_minor(share, currency),
            account=tender.account,
            transaction_id=tender.card.transaction_id if tender.card is not None else None,
            brand=tender.card.brand if tender.card is not None else None,
            last4=tender.card.last4 if tender.card is not None else None,
        )
        for tender, share in zip(original_tenders, shares, strict=True)
        if share > 0
    ]


def refunded_by_tender(
    original_tenders: Sequence[Tender], earlier_returns: Iterable[Return]
) -> dict[int, Money]:
    """What earlier returns of a sale paid back to each of its tenders, by tender number.

    A refund tender naming its `original_tender_no` counts for that tender; a return made
    before refunds named their tender (all in cash) counts as `plan_refund` would have split
    it then, so the sum over tenders is what the returns refunded. `earlier_returns` in the
    order they were made."""
    so_far: dict[int, Money] = {}
    for earlier in earlier_returns:
        named = [t for t in earlier.refunds if t.original_tender_no is not None]
        if named:
            for tender in named:
                number = tender.original_tender_no
                assert number is not None
                so_far[number] = so_far.get(number, Money.zero(tender.amount.currency)) + (
                    tender.amount
                )
            continue
        if earlier.total.is_zero():
            continue
        try:
            parts = plan_refund(original_tenders, so_far, earlier.total)
        except RefundTenderRefused:
            continue  # refunded beyond the tenders before the rule: nothing more to count
        for part in parts:
            number = part.original_tender_no
            assert number is not None
            so_far[number] = so_far.get(number, Money.zero(part.amount.currency)) + part.amount
    return so_far


def no_receipt_refund(
    total: Money, choice: RefundChoice | None, customer_id: str | None
) -> list[RefundPart]:
    """A return without a receipt: the whole `total` in cash (the default) or as store credit
    to `choice.account` or else `customer_id`. Raises RefundTenderRefused for store credit
    without a customer."""
    if total.is_zero():
        return []
    choice = choice or RefundChoice()
    if choice.kind == "cash":
        return [RefundPart(None, "cash", total)]
    if choice.kind == "store_credit":
        return [RefundPart(None, "store_credit", total, _credit_account(choice, customer_id))]
    raise RefundTenderRefused(
        f"a return without a receipt refunds cash or store credit, not {choice.kind}"
    )


def with_choice(
    parts: Sequence[RefundPart], choice: RefundChoice | None, customer_id: str | None
) -> list[RefundPart]:
    """A receipted return's plan with the customer's choice applied: store credit turns the
    cash parts into store credit to the customer (each still naming the cash tender it pays
    back); every other part stays with its tender. Raises RefundTenderRefused for store
    credit without a customer when there is a cash part."""
    if choice is None or choice.kind == "cash":
        return list(parts)
    if choice.kind != "store_credit":
        raise RefundTenderRefused(
            f"a refund is paid to its tenders or store credit, not {choice.kind}"
        )
    if not any(part.kind == "cash" for part in parts):
        return list(parts)
    account = _credit_account(choice, customer_id)
    return [
        RefundPart(part.original_tender_no, "store_credit", part.amount, account)
        if part.kind == "cash"
        else part
        for part in parts
    ]


def _credit_account(choice: RefundChoice, customer_id: str | None) -> str:
    account = choice.account or customer_id
    if not account:
        raise RefundTenderRefused("store credit needs a customer id (refund.account)")
    return account


def refund_tender_id(return_id: UUID, tender_no: int) -> UUID:
    """The id of a return's refund tender `tender_no`: `uuid5(return_id, "refund:<n>")`, so a
    retried return pays back under the same ids (the acquirer's idempotency key, the hub's
    ledger movement)."""
    return uuid5(return_id, f"refund:{tender_no}")


def refund_tenders(return_id: UUID, parts: Sequence[RefundPart]) -> tuple[Tender, ...]:
    """The return's refund tenders, numbered from 1 in the order of `parts`.

    A refund all in cash is recorded as cash refunds always were (no tender id, no original
    tender named), so it travels as before (edge.wire_tenders: version 5 only for tenders
    beyond cash): `refunded_by_tender` splits such a return again exactly as it was split.
    Otherwise every part names its sale tender and has its derived id (`refund_tender_id`);
    a card part is recorded `stored`, with the payment it refunds as `transaction_id` and
    the card's brand and last 4, until the payment terminal's answer replaces it (the
    till's card refund)."""
    plain = all(part.kind == "cash" for part in parts)
    tenders = []
    for number, part in enumerate(parts, start=1):
        tenders.append(
            Tender(
                tender_no=number,
                kind=part.kind,
                amount=part.amount,
                tendered=part.amount,
                change=Money.zero(part.amount.currency),
                tender_id=None if plain else refund_tender_id(return_id, number),
                account=part.account,
                card=CardDetails(
                    status="stored",
                    transaction_id=part.transaction_id,
                    brand=part.brand,
                    last4=part.last4,
                )
                if part.kind == "card"
                else None,
                original_tender_no=None if plain else part.original_tender_no,
            )
        )
    return tuple(tenders)
