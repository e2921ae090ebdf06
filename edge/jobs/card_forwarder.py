"""The edge job that forwards card payments taken offline, and settles the ones left behind.

Every `FORWARD_INTERVAL_S` (and on a manager's "forward now", `POST /v1/card-payments/
forward`):

1. stored payments past their deadline expire (`card.settled` outcome expired: the sale
   stands, the hub raises an exception; field notes: Square's offline payments expire after
   24 h);
2. the other stored payments are sent in the order taken, each with the key its checkout
   used, so one the acquirer had already seen is answered, not charged again; the first with
   no answer stops the run (the rest keep their order for the next);
3. a payment whose cart can no longer end on a sale (voided, or checked out with other
   tenders) is settled: captured ones are paid back (`reverse:<tender id>`), pending ones are
   looked up by their key (`find`) and paid back if they went through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from edge.adapters.unit_of_work import EdgeTransactions, EdgeUnitOfWork
from edge.domain.card_payments import CardPayment, Outcome
from edge.domain.node import NodeIdentity
from edge.payments.port import (
    AcquirerError,
    AcquirerUnreachable,
    PaymentResult,
    PaymentTerminal,
    idempotency_key,
)
from edge.service import card_payments

log = logging.getLogger("vectis.edge.card_forwarder")

FORWARD_INTERVAL_S = 15


@dataclass(frozen=True, slots=True)
class ForwardRun:
    """What one run did: payments forwarded and captured (or refunded), declined, expired,
    reversed (left behind by their cart); `left`: payments still stored or pending (sent
    without an answer known) when it stopped; `reachable`: the acquirer answered all."""

    forwarded: int = 0
    declined: int = 0
    expired: int = 0
    reversed: int = 0
    left: int = 0
    reachable: bool = True


async def forward_card_payments(
    transactions: EdgeTransactions,
    identity: Callable[[], NodeIdentity | None],
    terminal: Callable[[], PaymentTerminal | None],
) -> ForwardRun:
    """One run of the job (see the module). Nothing before the node is enrolled or without a
    card terminal."""
    node, card_terminal = identity(), terminal()
    if node is None or card_terminal is None:
        return ForwardRun()
    expired = await transactions.write(_expire_overdue)
    due = await transactions.read(lambda uow: card_payments.due_for_forwarding(uow))
    forwarded = declined = 0
    reachable = True
    for position, payment in enumerate(due):
        try:
            result = await _send(card_terminal, payment, node)
        except (AcquirerUnreachable, AcquirerError) as error:
            log.info("card forwarding stopped, %d left: %s", len(due) - position, error)
            reachable = False
            break
        outcome: Outcome = (
            ("captured" if payment.operation == "charge" else "refunded")
            if result.success
            else "declined"
        )
        await transactions.write(
            partial(
                card_payments.settle, tender_id=payment.tender_id, outcome=outcome, result=result
            )
        )
        forwarded += result.success
        declined += not result.success
    reversed_count, reached = (
        await _reverse_orphans(transactions, card_terminal) if reachable else (0, False)
    )
    reachable = reachable and reached
    left = await transactions.read(_unfinished)
    if forwarded or declined or expired:
        log.info(
            "card payments: %d forwarded, %d declined, %d expired, %d left",
            forwarded,
            declined,
            expired,
            left,
        )
    return ForwardRun(forwarded, declined, expired, reversed_count, left, reachable)


def _unfinished(uow: EdgeUnitOfWork) -> int:
    """Card payments still to settle: stored ones, and pending ones (sent, no answer known)."""
    return uow.card_payments.count_with_status(["stored", "pending"])


def _expire_overdue(uow: EdgeUnitOfWork) -> int:
    now = uow.now()
    overdue = [
        payment
        for payment in uow.card_payments.with_status(["stored"], documented=True, limit=10_000)
        if card_payments.expired(payment, now)
    ]
    for payment in overdue:
        card_payments.settle(uow, payment.tender_id, "expired")
    return len(overdue)


async def _send(
    terminal: PaymentTerminal, payment: CardPayment, node: NodeIdentity
) -> PaymentResult:
    if payment.operation == "refund":
        if payment.original_transaction_id is None:
            raise AcquirerError(f"refund {payment.tender_id} names no captured payment")
        return await terminal.refund(
            payment.original_transaction_id,
            payment.amount,
            idempotency_key=idempotency_key(payment.tender_id, "refund"),
        )
    if payment.card_token is None:
        raise AcquirerError(f"stored payment {payment.tender_id} has no card to send")
    return await terminal.charge(
        payment.amount,
        payment.card_token,
        idempotency_key=idempotency_key(payment.tender_id),
        reference=f"{node.store_id}/{payment.till_id}/{payment.cart_id}",
    )


async def _reverse_orphans(
    transactions: EdgeTransactions, terminal: PaymentTerminal
) -> tuple[int, bool]:
    """Settle payments whose cart can no longer end on a sale (see the module, step 3).
    Returns how many, and whether the acquirer answered every question asked."""
    orphans = await transactions.read(
        lambda uow: [
            payment
            # A payment of a recorded sale or return is that document's: never an orphan.
            for payment in uow.card_payments.with_status(
                ["pending", "captured", "stored"], documented=False
            )
            if payment.operation == "charge" and card_payments.orphaned(uow, payment)
        ]
    )
    count = 0
    for payment in orphans:
        result: PaymentResult | None = None
        try:
            if payment.status == "pending":
                found = await terminal.find(idempotency_key(payment.tender_id))
                captured = found.transaction_id if found is not None and found.success else None
            else:
                captured = payment.transaction_id
            if captured is not None:
                result = await terminal.refund(
                    captured,
                    payment.amount,
                    idempotency_key=idempotency_key(payment.tender_id, "reverse"),
                )
        except (AcquirerUnreachable, AcquirerError):
            return count, False
        await transactions.write(
            partial(card_payments.reverse, tender_id=payment.tender_id, result=result)
        )
        count += 1
    return count, True
