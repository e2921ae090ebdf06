"""Gift cards and store credit at the till: what a sale's tenders and lines move on the
balances this store knows, and the offline rule (edge.domain.tender_limits) when the hub's
ledger cannot be asked. The hub's ledgers are the truth; these rows only bound the risk of
spending while the hub is out of reach."""

from __future__ import annotations

from collections.abc import Iterable

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.cart import TenderRequest
from edge.domain.documents import Sale
from edge.domain.node import NodeIdentity
from edge.payments.errors import BalanceTooLow, OfflineLimitReached, UnknownAccount
from edge.payments.stored_value import StoredValueBalance
from edge.service.card_payments import offline_limits
from shared.money import Money


def record_tender_effects(
    sale: Sale, requests: Iterable[TenderRequest], uow: EdgeUnitOfWork
) -> None:
    """In the sale's transaction: card payments name the sale that holds them; gift cards
    and store credit spent come off the balances this store knows (counted towards the
    offline allowance when taken offline); gift cards the sale loads go on."""
    offline = {request.tender_id for request in requests if request.offline}
    now = uow.now()
    for tender in sale.tenders:
        if tender.tender_id is None:
            continue
        if tender.kind == "card":
            uow.card_payments.attach(tender.tender_id, sale.sale_id, tender.tender_no)
        elif tender.kind in ("gift_card", "store_credit") and tender.account is not None:
            uow.stored_values.moved(
                tender.kind,
                tender.account,
                -tender.amount,
                offline=tender.tender_id in offline,
                at=now,
            )
    for line in sale.lines:
        if line.gift_card_number is not None:
            uow.stored_values.moved(
                "gift_card", line.gift_card_number, line.line_total, offline=False, at=now
            )


def heard_balance(
    uow: EdgeUnitOfWork, answer: StoredValueBalance, asked: Money, identity: NodeIdentity
) -> Money:
    """The hub's live answer for one account, kept as the balance this store knows; returns
    what may be spent now (the balance less this store's spending the hub has not received
    yet). Raises BalanceTooLow when `asked` is more (or the account is blocked)."""
    uow.stored_values.heard(
        answer.kind, answer.account, answer.balance, answer.as_of, answer.blocked
    )
    unsynced = uow.stored_values.unsynced_spend(answer.kind, answer.account, identity.currency)
    available = answer.balance - unsynced
    if answer.blocked:
        raise BalanceTooLow(answer.kind, "0.00 (blocked)", str(asked.amount))
    if available < asked:
        shown = available if not available.is_negative() else Money.zero(identity.currency)
        raise BalanceTooLow(answer.kind, str(shown.amount), str(asked.amount))
    return available


def offline_allowance(
    uow: EdgeUnitOfWork, kind: str, account: str, identity: NodeIdentity
) -> Money:
    """What one account may be spent now without the hub: the lesser of the last balance
    this store knew (less its spending since) and the kind's offline cap (less the same);
    zero for an account this store never heard of."""
    known = uow.stored_values.get(kind, account, identity.currency)
    if known is None or known.blocked:
        return Money.zero(identity.currency)
    limits = offline_limits(uow, identity)
    return limits.stored_value_headroom(kind, known.balance, known.spent_offline)


def take_offline(
    uow: EdgeUnitOfWork, kind: str, account: str, asked: Money, identity: NodeIdentity
) -> None:
    """Check that `asked` may be spent offline on the account. Raises UnknownAccount (never
    heard of here: nothing is known to spend), OfflineLimitReached (above the allowance)."""
    known = uow.stored_values.get(kind, account, identity.currency)
    if known is None:
        raise UnknownAccount(
            f"the {kind.replace('_', ' ')} {account} is unknown here and the hub is out of reach"
        )
    allowance = offline_allowance(uow, kind, account, identity)
    if asked > allowance:
        raise OfflineLimitReached(kind, "per_account", str(allowance.amount))
