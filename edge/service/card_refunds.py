"""Card refunds at the returns desk: the card parts of a receipted return are paid back
through the payment terminal before the return is recorded, like a checkout's cards
(edge.service.tendering), and each refund tender's id keys its acquirer call
(`refund:<tender id>`, the id derived from the return's id), so a retried return refunds
nothing twice.

    1. the return is drafted within the store's refund rules (nothing moves if it is refused)
    2. each card part is logged `pending`, then refunded against the sale's payment: the
       answer is recorded (refunded, or declined: 402 `card_declined`, nothing recorded), or
       with no answer the refund is stored and the forwarder sends it when the link returns
    3. the return is recorded with the terminal's answers (edge.service.returns)

A card part whose sale's card was itself taken offline and not yet forwarded is stored at
once: it is sent after that card is captured.
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from edge.adapters.unit_of_work import EdgeTransactions
from edge.domain.documents import CardDetails, Tender
from edge.domain.node import NodeIdentity
from edge.errors import Unavailable
from edge.payments.errors import CardDeclined
from edge.payments.port import AcquirerError, AcquirerUnreachable, PaymentTerminal, idempotency_key
from edge.service import card_payments
from edge.service.returns import RecordReturn, checked_draft
from shared.clock import Clock
from shared.ids import new_id


async def refund_cards(
    command: RecordReturn,
    transactions: EdgeTransactions,
    terminal: PaymentTerminal | None,
    identity: NodeIdentity,
    clock: Clock,
) -> RecordReturn:
    """The return `command` (with its id fixed) with its card refunds made, ready for
    `returns.record_return`. A return seen before, or one without card parts, is returned
    as it is. Raises what `returns.checked_draft` raises, CardDeclined (a refund the
    acquirer refused: nothing is recorded), Unavailable (the acquirer answered nonsense)."""
    command = command if command.return_id is not None else replace(command, return_id=new_id())
    return_id = command.return_id
    assert return_id is not None
    if await transactions.read(lambda uow: uow.returns.get(return_id)) is not None:
        return command
    draft = await transactions.read(
        lambda uow: checked_draft(command, uow, identity=identity, clock=clock)
    )
    cards = [
        tender
        for tender in draft.refunds
        if tender.kind == "card" and tender.card is not None and tender.card.transaction_id
    ]
    if terminal is None or not cards:
        return command
    answers: dict[UUID, CardDetails] = {}
    for tender in cards:
        details = await _refund(tender, command.till_id, transactions, terminal, identity)
        if details is not None:
            assert tender.tender_id is not None
            answers[tender.tender_id] = details
    return replace(command, card_answers=answers)


async def _refund(
    tender: Tender,
    till_id: str,
    transactions: EdgeTransactions,
    terminal: PaymentTerminal,
    identity: NodeIdentity,
) -> CardDetails | None:
    """One card part refunded: its details as the return records them (None: stored, the
    return logs it for the forwarder)."""
    assert tender.tender_id is not None and tender.card is not None
    tender_id, card = tender.tender_id, tender.card
    original = card.transaction_id
    assert original is not None
    payment = await transactions.write(
        lambda uow: card_payments.open_payment(
            uow,
            tender_id=tender_id,
            operation="refund",
            till_id=till_id,
            amount=tender.amount,
            card_token=None,
            original_transaction_id=original,
        )
    )
    if payment.status == "refunded":
        return _details(payment.transaction_id, card)
    card_payments.declined_before(payment)
    try:
        result = await terminal.refund(
            original, tender.amount, idempotency_key=idempotency_key(tender_id, "refund")
        )
    except AcquirerUnreachable:
        await transactions.write(
            lambda uow: card_payments.take_offline(uow, identity, tender_id, check_limits=False)
        )
        return None
    except AcquirerError as error:
        raise Unavailable(
            f"the card acquirer answered something unusable ({error}); retry"
        ) from None
    recorded = await transactions.write(
        lambda uow: card_payments.record_answer(uow, tender_id, result)
    )
    if recorded.status == "declined":
        raise CardDeclined(recorded.decline_code or "declined", result.message)
    return _details(recorded.transaction_id, card)


def _details(transaction_id: str | None, card: CardDetails) -> CardDetails:
    return CardDetails(
        status="refunded", transaction_id=transaction_id, brand=card.brand, last4=card.last4
    )
