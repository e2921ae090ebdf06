"""What became of a card taken or refunded offline (`card.settled`): recorded on its tender
once; a decline or a missed deadline raises an exception for HQ (the document stands)."""

from __future__ import annotations

from datetime import datetime

from hub.adapters.unit_of_work import HubTransaction
from hub.domain.tenders import SettledCard, card_exception, settle_problem


async def settle_card(settled: SettledCard, tx: HubTransaction, now: datetime) -> str | None:
    """Record `settled` on its tender (`card_status`, the acquirer's transaction id) in the
    caller's transaction, with a `card_declined` or `card_expired` exception when the money
    did not move. Returns why it cannot be recorded (no such card tender of the store, another
    amount or tender id, settled before with another outcome), or None; the same outcome
    said again records nothing more. Raises StorageRefused."""
    held = await tx.tenders.card_tender(settled.document_id, settled.tender_no)
    problem = settle_problem(held, settled)
    if problem is not None or held is None or held.card_status == settled.outcome:
        return problem
    await tx.tenders.settle_card(
        settled.document_id, settled.tender_no, settled.outcome, settled.transaction_id
    )
    exception = card_exception(held, settled)
    if exception is not None:
        await tx.sale_exceptions.add([exception], now)
    return None
