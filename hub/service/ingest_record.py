"""Ingest's last step: the accepted events of a push written down, in the push's transaction.

Ledger documents (sales, returns) go into the ledger a batch at a time, with their stock
movements and sale exceptions; what other handlers kept is recorded in a savepoint per
event, or at once for a handler that can (`records_in_bulk`); a handler that reads the
ledger (`records_after_ledger`) runs after it. Whatever the database refuses is quarantined
alone: the batch is then recorded event by event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.adapters.unit_of_work import HubTransaction
from hub.domain.ledger import LedgerDocument, StockMovement, movements_of
from hub.domain.sale_exceptions import (
    CurrentPrice,
    line_arithmetic,
    oversold,
    price_drift,
    tender_problems,
    unknown_skus,
)
from hub.errors import StorageRefused
from hub.service import b2b
from hub.service.ingest_handlers import Applied, EventHandler
from hub.service.refunds import settle_refunds
from hub.service.stored_value import move_balances
from shared.errors import SharedError


async def record_accepted(
    accepted: list[Applied], tx: HubTransaction, received_at: datetime
) -> list[Applied]:
    """Put the documents of `accepted` in the ledger and move stock, all at once; record what
    other handlers kept before them, or after them for a handler that reads the documents
    (`records_after_ledger`: a card settled for a sale uploaded in the same batch).

    If the database refuses the batch, record event by event, each in a savepoint, and
    quarantine only those it refuses: one bad record never blocks the rest of the store.
    """
    in_bulk = await _record_in_bulk(accepted, tx, received_at)
    accepted = [
        item if _late(item) or index in in_bulk else await _record_one(item, tx, received_at)
        for index, item in enumerate(accepted)
    ]
    try:
        async with tx.savepoint():
            await _apply([item.document for item in accepted if item.document], tx, received_at)
        recorded = accepted
    except StorageRefused:
        recorded = []
        for item in accepted:
            if item.document is None:
                recorded.append(item)
                continue
            try:
                async with tx.savepoint():
                    await _apply([item.document], tx, received_at)
                recorded.append(item)
            except StorageRefused as error:
                reason = f"the ledger refused it: {error.reason.splitlines()[0][:300]}"
                recorded.append(Applied.quarantined(item.raw, reason))
    recorded = [
        await _record_one(item, tx, received_at) if _late(item) else item for item in recorded
    ]
    return await _after_ledger(recorded, tx, received_at)


async def _record_in_bulk(
    accepted: list[Applied], tx: HubTransaction, received_at: datetime
) -> set[int]:
    """Record at once, in a savepoint per handler that can (`records_in_bulk`: audit entries),
    the values it kept of `accepted`; the indexes of the items so recorded. If the database
    refuses a handler's bulk write, its items are left to `_record_one`, so only the bad one
    is quarantined. Measured in `vectis demo` (SQLite hub): see docs/operations.md."""
    by_handler: dict[EventHandler[Any, Any], list[int]] = {}
    for index, item in enumerate(accepted):
        if item.handler is not None and item.handler.records_in_bulk and not _late(item):
            by_handler.setdefault(item.handler, []).append(index)
    recorded: set[int] = set()
    for handler, indexes in by_handler.items():
        try:
            async with tx.savepoint():
                await handler.record_all([accepted[i].value for i in indexes], tx, received_at)
        except (StorageRefused, SharedError, ArithmeticError):  # as _record_one refuses one
            continue
        recorded.update(indexes)
    return recorded


def _late(item: Applied) -> bool:
    return item.handler is not None and item.handler.records_after_ledger


async def _after_ledger(
    recorded: list[Applied], tx: HubTransaction, received_at: datetime
) -> list[Applied]:
    """Let each recorded value's handler check it against the ledger as it now stands (a Z
    report against the sales uploaded with it)."""
    for item in recorded:
        if item.handler is not None and item.reason is None:
            await item.handler.after_ledger(item.value, tx, received_at)
    return recorded


async def _record_one(item: Applied, tx: HubTransaction, now: datetime) -> Applied:
    """Record what the event's handler kept (a record edit, a cash movement, a refund request,
    a B2B order's step) in a savepoint of its own; quarantine it if the database (or the
    handler's own check) refuses it. Ledger documents pass through."""
    handler = item.handler
    if handler is None:
        return item
    try:
        async with tx.savepoint():
            reason = await handler.record(item.value, tx, now)
            if reason is not None:
                raise _Refused(reason)  # undoes the savepoint
    except _Refused as refused:
        return Applied.quarantined(item.raw, str(refused))
    except SharedError as error:  # an amount the order's currency cannot hold
        return Applied.quarantined(item.raw, str(error))
    except ArithmeticError as error:  # decimal.Overflow and kin: a number beyond reason
        return Applied.quarantined(item.raw, f"a number is out of range: {type(error).__name__}")
    except StorageRefused as error:
        reason = f"the hub refused it: {error.reason.splitlines()[0][:300]}"
        return Applied.quarantined(item.raw, reason)
    return item


class _Refused(Exception):
    """A record's own check refused it (the reason is the message)."""


async def _apply(documents: list[LedgerDocument], tx: HubTransaction, now: datetime) -> None:
    """Ledger rows, stock movements and the exceptions of `documents`, in upload order.
    Raises StorageRefused."""
    if not documents:
        return
    await tx.ledger.add(documents)
    skus = sorted({line.sku for document in documents for line in document.lines})
    terms = await tx.catalogue.sale_terms(skus, "default")
    tracked = {sku for sku, (track_inventory, _) in terms.items() if track_inventory}
    prices = {
        sku: CurrentPrice(price.unit_price, price.version)
        for sku, (_, price) in terms.items()
        if price is not None
    }
    movements: list[StockMovement] = [
        movement for document in documents for movement in movements_of(document, tracked)
    ]
    levels_before = await tx.stock.add_movements(movements, now)
    await tx.sale_exceptions.add(
        unknown_skus(documents, set(terms))
        + oversold(documents, tracked, levels_before)
        + price_drift(documents, prices)
        + tender_problems(documents)
        + line_arithmetic(documents)
        + await settle_refunds(documents, tx, now)
        + await b2b.settle_orders(documents, tx, now)
        + await move_balances(documents, tx, now),
        now,
    )
