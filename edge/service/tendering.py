"""Taking tenders beyond cash at checkout: cards through the payment terminal, gift cards and
store credit against the hub's ledgers, each online or, out of reach, within the store's
offline limits. Asynchronous, between transactions: no transaction is held open while the
acquirer or the hub is asked.

    1. prepare   (one transaction) the cart is open, its tenders get their ids and settle
                 its total on paper; each card tender is logged `pending` before anything
                 is asked (edge.service.card_payments)
    2. cards     each pending card is charged with the key derived from its tender id; an
                 answer is recorded in its own transaction; no answer: stored offline within
                 the limits, or refused (the payment stays pending for the sweep)
    3. balances  each gift card and store-credit account is asked live (a short timeout);
                 no answer: the offline allowance (edge.service.stored_values)
    4. the sale  (one transaction, edge.service.selling.checkout) with every tender's id,
                 card details and offline flag

A retry of the whole checkout (the same cart and tenders) finds each card where the last
attempt left it, so a capture whose answer was lost, or a till killed between the capture
and the sale's commit, is charged once: the acquirer answers the same key with its first
result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from uuid import UUID

from edge.adapters.unit_of_work import EdgeTransactions, EdgeUnitOfWork
from edge.domain.card_payments import CardPayment, derived_tender_id
from edge.domain.cart import TenderRequest, settle_tenders
from edge.domain.node import NodeIdentity
from edge.domain.till_limits import check_sale_total
from edge.errors import CartNotFound, InvalidTender, Unavailable
from edge.payments.errors import CardDeclined, NoCardTerminal, UnknownAccount
from edge.payments.port import (
    AcquirerError,
    AcquirerUnreachable,
    PaymentTerminal,
    idempotency_key,
)
from edge.payments.stored_value import (
    AccountUnknown,
    LedgerUnreachable,
    StoredValueKind,
    StoredValueLedger,
)
from edge.service import card_payments, stored_values
from edge.service.selling import Checkout
from edge.service.shifts import require_open_shift
from shared.money import Money


@dataclass(frozen=True, slots=True)
class TenderPorts:
    """What a till takes money through besides its drawer; None: not configured here (no
    card terminal: card tenders are refused; no ledger: stored value is offline-only)."""

    terminal: PaymentTerminal | None = None
    ledger: StoredValueLedger | None = None


@dataclass(frozen=True, slots=True)
class _Prepared:
    till_id: str
    customer_id: str | None
    tenders: list[TenderRequest]
    payments: dict[UUID, CardPayment]
    checked_out: bool


async def take_tenders(
    command: Checkout,
    transactions: EdgeTransactions,
    ports: TenderPorts,
    identity: NodeIdentity,
) -> Checkout:
    """The checkout `command` with every card, gift-card and store-credit tender taken: its
    id, card details (captured or stored offline) and offline flag set, ready for
    `selling.checkout`. A cart already checked out is returned as it is (checkout answers
    its sale). Raises CartNotFound, CartClosed, NoOpenShift, SaleOverCap, InvalidTender,
    InsufficientTender, IdReused, NoCardTerminal, CardDeclined, OfflineLimitReached,
    BalanceTooLow, UnknownAccount, Unavailable (the acquirer answered nonsense; retry)."""
    if all(tender.kind in ("cash", "on_account") for tender in command.tenders):
        return command
    prepared = await transactions.write(lambda uow: _prepare(command, uow, identity))
    if prepared.checked_out:
        return command
    # Balances first: asking moves no money, so a refusal leaves no card charged.
    taken = list(prepared.tenders)
    for index, tender in enumerate(taken):
        if tender.kind in ("gift_card", "store_credit"):
            taken[index] = await _stored_value(tender, transactions, ports.ledger, identity)
    for index, tender in enumerate(taken):
        if tender.kind == "card":
            assert tender.tender_id is not None
            payment = prepared.payments[tender.tender_id]
            payment = await _charge(
                payment, transactions, ports.terminal, identity, prepared.till_id
            )
            taken[index] = replace(tender, card=None, card_details=payment.details())
    return replace(command, tenders=taken)


def _prepare(command: Checkout, uow: EdgeUnitOfWork, identity: NodeIdentity) -> _Prepared:
    cart = uow.carts.get(command.cart_id)
    if cart is None:
        raise CartNotFound(str(command.cart_id))
    if cart.status == "checked_out":
        return _Prepared(cart.till_id, cart.customer_id, [], {}, True)
    cart._require_open()  # noqa: SLF001 (the cart's own rule: open, not parked or voided)
    require_open_shift(uow, cart.till_id)
    total = cart.total()
    check_sale_total(total, uow.node.till_limits().in_force(identity.currency))
    tenders = [
        _identified(tender, position, command.cart_id, cart.customer_id)
        for position, tender in enumerate(command.tenders, start=1)
    ]
    settle_tenders(total, tenders)  # on paper: refuse a short or over-charged split first
    accounts = [(t.kind, t.account) for t in tenders if t.kind in ("gift_card", "store_credit")]
    if len(accounts) != len(set(accounts)):
        raise InvalidTender("one tender per gift card or store-credit account")
    payments: dict[UUID, CardPayment] = {}
    for tender in tenders:
        if tender.kind != "card":
            continue
        assert tender.tender_id is not None
        payment = card_payments.open_payment(
            uow,
            tender_id=tender.tender_id,
            operation="charge",
            till_id=cart.till_id,
            amount=tender.amount,
            card_token=tender.card,
            cart_id=cart.cart_id,
        )
        card_payments.declined_before(payment)
        payments[tender.tender_id] = payment
    return _Prepared(cart.till_id, cart.customer_id, tenders, payments, False)


def _identified(
    tender: TenderRequest, position: int, cart_id: UUID, customer_id: str | None
) -> TenderRequest:
    """The tender with its id (the client's, or derived) and its account checked."""
    if tender.kind in ("cash", "on_account"):
        return tender
    account = tender.account
    if tender.kind == "store_credit":
        account = account or customer_id
        if account is None:
            raise InvalidTender("store credit is spent by a customer: name one (account)")
    elif tender.kind == "gift_card" and account is None:
        raise InvalidTender("a gift card tender needs the card's number (account)")
    elif tender.kind == "card":
        account = None
        if tender.card is None:
            raise InvalidTender("a card tender needs the card as the terminal read it (card)")
    tender_id = tender.tender_id or derived_tender_id(
        cart_id, position, tender.kind, tender.amount, tender.card or account or ""
    )
    return replace(tender, tender_id=tender_id, account=account)


async def _charge(
    payment: CardPayment,
    transactions: EdgeTransactions,
    terminal: PaymentTerminal | None,
    identity: NodeIdentity,
    till_id: str,
) -> CardPayment:
    if payment.status in ("captured", "stored"):
        return payment
    if terminal is None:
        raise NoCardTerminal("this till has no card terminal configured: take another tender")
    if payment.card_token is None:
        raise InvalidTender(f"card payment {payment.tender_id} has no card to charge")
    key = idempotency_key(payment.tender_id)
    reference = f"{identity.store_id}/{till_id}/{payment.cart_id}"
    try:
        result = await terminal.charge(
            payment.amount, payment.card_token, idempotency_key=key, reference=reference
        )
    except AcquirerUnreachable:
        tender_id = payment.tender_id
        return await transactions.write(
            lambda uow: card_payments.take_offline(uow, identity, tender_id)
        )
    except AcquirerError as error:
        raise Unavailable(
            f"the card acquirer answered something unusable ({error}); retry"
        ) from None
    tender_id = payment.tender_id
    recorded = await transactions.write(
        lambda uow: card_payments.record_answer(uow, tender_id, result)
    )
    if recorded.status == "declined":
        raise CardDeclined(recorded.decline_code or "declined", result.message)
    return recorded


async def _stored_value(
    tender: TenderRequest,
    transactions: EdgeTransactions,
    ledger: StoredValueLedger | None,
    identity: NodeIdentity,
) -> TenderRequest:
    assert tender.account is not None and tender.kind in ("gift_card", "store_credit")
    kind: StoredValueKind = "gift_card" if tender.kind == "gift_card" else "store_credit"
    account, asked = tender.account, tender.amount
    if ledger is not None:
        try:
            answer = await ledger.balance(kind, account)
        except AccountUnknown:
            raise UnknownAccount(f"no {kind.replace('_', ' ')} {account} at the hub") from None
        except LedgerUnreachable:
            pass
        else:
            await transactions.write(
                lambda uow: stored_values.heard_balance(uow, answer, asked, identity)
            )
            return tender
    await transactions.write(
        lambda uow: stored_values.take_offline(uow, kind, account, asked, identity)
    )
    return replace(tender, offline=True)


@dataclass(frozen=True, slots=True)
class BalanceEnquiry:
    """A gift card's or store-credit account's balance as the till can tell it: from the hub
    live (`source` hub: the hub's balance less this store's spending it has not received
    yet), or the last one this store knew (`last_known`, the hub out of reach). `allowance`
    is what may be spent offline now."""

    kind: StoredValueKind
    account: str
    balance: Money
    as_of: datetime
    source: Literal["hub", "last_known"]
    allowance: Money
    blocked: bool


async def enquire_balance(
    kind: StoredValueKind,
    account: str,
    transactions: EdgeTransactions,
    ledger: StoredValueLedger | None,
    identity: NodeIdentity,
) -> BalanceEnquiry:
    """The balance enquiry at the till. Raises UnknownAccount (the hub has no such account,
    or, offline, this store never heard of it)."""
    if ledger is not None:
        try:
            answer = await ledger.balance(kind, account)
        except AccountUnknown:
            raise UnknownAccount(f"no {kind.replace('_', ' ')} {account} at the hub") from None
        except LedgerUnreachable:
            pass
        else:

            def heard(uow: EdgeUnitOfWork) -> BalanceEnquiry:
                zero = Money.zero(identity.currency)
                uow.stored_values.heard(kind, account, answer.balance, answer.as_of, answer.blocked)
                unsynced = uow.stored_values.unsynced_spend(kind, account, identity.currency)
                allowance = stored_values.offline_allowance(uow, kind, account, identity)
                return BalanceEnquiry(
                    kind, account, answer.balance - unsynced, answer.as_of, "hub",
                    allowance if not answer.blocked else zero, answer.blocked,
                )  # fmt: skip

            return await transactions.write(heard)

    def last_known(uow: EdgeUnitOfWork) -> BalanceEnquiry:
        known = uow.stored_values.get(kind, account, identity.currency)
        if known is None:
            raise UnknownAccount(
                f"the {kind.replace('_', ' ')} {account} is unknown here and the hub is "
                "out of reach"
            )
        allowance = stored_values.offline_allowance(uow, kind, account, identity)
        return BalanceEnquiry(
            kind, account, known.balance, known.as_of, "last_known", allowance, known.blocked
        )

    return await transactions.read(last_known)
