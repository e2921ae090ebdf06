"""Sync ingest: store a node's batch of events exactly once and acknowledge what is contiguous.

In one transaction, with the node's row locked so two copies of a request cannot interleave:
1. refuse the whole request if any event claims another store or node (403) or reuses a seq
   under a different event id (409): nothing is half-applied;
2. skip events already held (by seq and event id): a batch sent twice changes nothing;
3. record every new event in the inbox, apply those that parse to the sales ledger and the
   stock counters, and quarantine, with the reason, those that do not; a quarantined event
   is stored, so it is acknowledged and never blocks the events behind it;
4. acknowledge the highest seq up to which every seq is held, and list the gaps above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic_core import to_json
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.adapters.database import HubDatabase
from hub.adapters.repository import (
    CashRepository,
    CatalogueRepository,
    EventRepository,
    ExceptionRepository,
    InboxRow,
    LedgerRepository,
    NodeRepository,
    PushState,
    StockRepository,
    StoreRepository,
)
from hub.domain.exceptions import (
    CurrentPrice,
    cash_problems,
    oversold,
    price_drift,
    tender_problems,
    unknown_skus,
)
from hub.domain.ledger import (
    MAX_MINOR,
    CashEntry,
    LedgerDocument,
    StockMovement,
    cash_entry_of,
    document_of,
    movements_of,
    problems_of,
)
from hub.errors import (
    EventIdReused,
    PermissionDenied,
    ProtocolVersionMismatch,
    SeqConflict,
    StorageRefused,
)
from hub.service import b2b, refunds
from hub.service.ports import ApprovalWorkflows
from hub.service.records import merge
from hub.service.refunds import settle_refunds
from hub.service.stores import AuthenticatedNode
from shared.clock import Clock
from shared.errors import InvalidAmount, SharedError
from sync.errors import EventRejected
from sync.messages import (
    PROTOCOL_VERSION,
    B2BCartSubmitted,
    B2BPaymentComposed,
    CashMoved,
    PushRequest,
    PushResponse,
    RawEvent,
    RecordUpdated,
    RecordUpdatedV1,
    RefundRequested,
    RejectedEvent,
    RoundTripV1,
    parse_event,
)
from sync.protocol import contiguous_high_water, hub_skew_ms, missing_ranges
from sync.records import FieldValue


@dataclass(frozen=True, slots=True)
class Applied:
    """One new event and what became of it: a ledger document, a record edit, or a quarantine
    reason."""

    raw: RawEvent
    document: LedgerDocument | None
    reason: str | None
    record: RecordUpdatedV1 | None = None
    cash: CashEntry | None = None
    refund: dict[str, Any] | None = None  # a refund request's row
    b2b_cart: dict[str, Any] | None = None  # a submitted B2B order's row
    b2b_payment: B2BPaymentComposed | None = None

    @property
    def needs_recording(self) -> bool:
        """Whether it is one of the records `_record_one` writes (not a ledger document)."""
        return any(
            part is not None
            for part in (self.record, self.cash, self.refund, self.b2b_cart, self.b2b_payment)
        )


async def apply_events(
    fresh: list[RawEvent], connection: AsyncConnection, received_at: datetime
) -> list[Applied]:
    """Type, check and record events not held before, in the caller's transaction.

    Never raises for an event's content: what cannot be applied comes back with its reason.
    """
    return await _record(await _classify(fresh, connection, received_at), connection, received_at)


async def ingest_batch(
    request: PushRequest,
    node: AuthenticatedNode,
    db: HubDatabase,
    clock: Clock,
    workflows: ApprovalWorkflows | None = None,
) -> PushResponse:
    """Apply one uploaded batch; then start the workflows of refund requests and B2B orders
    in it and tell those whose tills took a step (best effort: `refunds.after_ingest`,
    `b2b.after_ingest`). Raises ProtocolVersionMismatch, PermissionDenied, SeqConflict."""
    if request.protocol_version != PROTOCOL_VERSION:
        raise ProtocolVersionMismatch(request.protocol_version, PROTOCOL_VERSION)
    if request.store_id != node.store_id or request.node_id != node.node_id:
        raise PermissionDenied(
            f"credential of node {node.node_id} ({node.store_id}) cannot push for "
            f"node {request.node_id} ({request.store_id})"
        )
    for raw in request.events:
        if raw.store_id != node.store_id or raw.node_id != node.node_id:
            raise PermissionDenied(
                f"event {raw.event_id} (seq {raw.seq}) belongs to {raw.store_id}/{raw.node_id}, "
                f"not to {node.store_id}/{node.node_id}"
            )
    received = _unique_by_seq(request.events, node.node_id)
    received_at = clock.now()
    async with db.write() as connection:
        nodes = NodeRepository(connection)
        events = EventRepository(connection)
        state = await nodes.lock_push_state(node.node_id)
        acked = state.acked_seq
        held = await events.held(node.node_id, list(received))
        for seq, held_id in held.items():
            if held_id != received[seq].event_id:
                raise SeqConflict(node.node_id, seq, str(held_id), str(received[seq].event_id))
        fresh = [raw for seq, raw in sorted(received.items()) if seq not in held]
        reused = await events.known_event_ids([raw.event_id for raw in fresh])
        if reused:
            first = min((raw for raw in fresh if raw.event_id in reused), key=lambda raw: raw.seq)
            raise EventIdReused(node.node_id, first.seq, str(first.event_id))
        accepted = await apply_events(fresh, connection, received_at)
        await events.add([_event_row(item, received_at) for item in accepted])
        stored_above = await events.seqs_after(node.node_id, acked)
        new_acked = contiguous_high_water(acked, stored_above)
        one_way_ms = round((received_at - request.sent_at).total_seconds() * 1000)
        skew_ms = hub_skew_ms(one_way_ms, _transit_ms(state, request.previous_round_trip))
        await nodes.record_push(
            node.node_id, new_acked, received_at, skew_ms, request.sent_at, one_way_ms
        )
    await refunds.after_ingest(
        any(item.refund is not None and item.reason is None for item in accepted),
        [
            item.document.refund_request_id
            for item in accepted
            if item.document is not None and item.document.refund_request_id is not None
        ],
        db,
        workflows,
        clock,
    )
    await b2b.after_ingest(
        any(item.b2b_cart is not None and item.reason is None for item in accepted),
        any(
            (item.b2b_payment is not None and item.reason is None)
            or (item.document is not None and item.document.b2b_order_id is not None)
            for item in accepted
        ),
        db,
        workflows,
        clock,
    )
    return PushResponse(
        protocol_version=PROTOCOL_VERSION,
        acked_seq=new_acked,
        accepted=len(accepted),
        duplicates=len(request.events) - len(accepted),
        missing=missing_ranges(new_acked, stored_above),
        rejected=[
            RejectedEvent(seq=item.raw.seq, event_id=item.raw.event_id, reason=item.reason)
            for item in accepted
            if item.reason is not None
        ],
        hub_time=clock.now(),
    )


def _transit_ms(state: PushState, reported: RoundTripV1 | None) -> int | None:
    """The transit of the node's previous push: the hub's one-way figure for it less the
    node's estimate, if the node reports the estimate of that very push."""
    if reported is None or state.one_way_ms is None or reported.sent_at != state.last_sent_at:
        return None
    return state.one_way_ms - reported.skew_ms


def _unique_by_seq(events: list[RawEvent], node_id: str) -> dict[int, RawEvent]:
    """Events by seq; the same event twice in one batch counts once, two ids for one seq is a fork."""
    by_seq: dict[int, RawEvent] = {}
    for raw in events:
        other = by_seq.get(raw.seq)
        if other is not None and other.event_id != raw.event_id:
            raise SeqConflict(node_id, raw.seq, str(other.event_id), str(raw.event_id))
        by_seq[raw.seq] = raw
    return by_seq


async def _classify(
    fresh: list[RawEvent], connection: AsyncConnection, received_at: datetime
) -> list[Applied]:
    """Parse each new event; a document that would duplicate one already recorded is quarantined."""
    accepted: list[Applied] = []
    candidates: list[tuple[RawEvent, LedgerDocument]] = []
    for raw in fresh:
        try:
            event = parse_event(raw)
        except EventRejected as rejection:
            accepted.append(Applied(raw, None, rejection.reason))
            continue
        if isinstance(event, RecordUpdated):
            record = event.payload
            if record.entity == "store_settings" and record.key != raw.store_id:
                accepted.append(
                    Applied(raw, None, f"{raw.store_id} may not edit the settings of {record.key}")
                )
            else:
                accepted.append(Applied(raw, None, None, record))
            continue
        try:
            if isinstance(event, RefundRequested):
                row = refunds.request_row(event, received_at)
                if row["amount_minor"] > MAX_MINOR:
                    raise InvalidAmount(str(event.payload.amount), "beyond any refund")
                accepted.append(Applied(raw, None, None, refund=row))
                continue
            if isinstance(event, B2BCartSubmitted):
                row = b2b.order_row(event, received_at)
                if row["total_minor"] > MAX_MINOR:
                    raise InvalidAmount(str(event.payload.total), "beyond any order")
                accepted.append(Applied(raw, None, None, b2b_cart=row))
                continue
            if isinstance(event, B2BPaymentComposed):
                accepted.append(Applied(raw, None, None, b2b_payment=event))
                continue
            if isinstance(event, CashMoved):
                entry = cash_entry_of(event)
                if entry.amount_minor > MAX_MINOR:
                    raise InvalidAmount(str(event.payload.amount), "beyond what a drawer holds")
                accepted.append(Applied(raw, None, None, cash=entry))
                continue
            document = document_of(event)
        except SharedError as error:  # an unknown currency, an amount it cannot hold
            accepted.append(Applied(raw, None, str(error)))
            continue
        problems = problems_of(document)
        if problems:
            accepted.append(Applied(raw, None, "; ".join(problems)))
        else:
            candidates.append((raw, document))
    ledger = LedgerRepository(connection)
    existing_ids = await ledger.existing_documents(
        [document.document_id for _, document in candidates]
    )
    node_ids = {document.node_id for _, document in candidates}
    existing_receipts: set[str] = set()
    for node_id in node_ids:
        existing_receipts |= await ledger.existing_receipts(
            node_id, [document.receipt_number for _, document in candidates]
        )
    in_batch_ids: set[UUID] = set()
    in_batch_receipts: set[str] = set()
    for raw, document in candidates:
        if document.document_id in existing_ids or document.document_id in in_batch_ids:
            accepted.append(
                Applied(raw, None, f"document {document.document_id} is already recorded")
            )
        elif (
            document.receipt_number in existing_receipts
            or document.receipt_number in in_batch_receipts
        ):
            accepted.append(
                Applied(raw, None, f"receipt number {document.receipt_number} is already recorded")
            )
        else:
            accepted.append(Applied(raw, document, None))
            in_batch_ids.add(document.document_id)
            in_batch_receipts.add(document.receipt_number)
    return accepted


async def _record(
    accepted: list[Applied], connection: AsyncConnection, received_at: datetime
) -> list[Applied]:
    """Put the documents of `accepted` in the ledger and move stock, all at once.

    If the database refuses the batch, record event by event, each in a savepoint, and
    quarantine only those it refuses: one bad record never blocks the rest of the store.
    """
    accepted = [await _record_one(item, connection, received_at) for item in accepted]
    try:
        async with connection.begin_nested():
            await _apply(
                [item.document for item in accepted if item.document], connection, received_at
            )
        return accepted
    except (DBAPIError, StorageRefused):
        pass
    recorded: list[Applied] = []
    for item in accepted:
        if item.document is None:
            recorded.append(item)
            continue
        try:
            async with connection.begin_nested():
                await _apply([item.document], connection, received_at)
            recorded.append(item)
        except (DBAPIError, StorageRefused) as error:
            detail = error.reason if isinstance(error, StorageRefused) else str(error.orig)
            reason = f"the ledger refused it: {detail.splitlines()[0][:300]}"
            recorded.append(Applied(item.raw, None, reason))
    return recorded


async def _record_one(item: Applied, connection: AsyncConnection, now: datetime) -> Applied:
    """Merge a store's edit of a shared record, record a cash movement, a refund request or
    a B2B order's step, in a savepoint of its own; quarantine it if the database (or the
    step's check) refuses it. Ledger documents pass through."""
    if not item.needs_recording:
        return item
    try:
        async with connection.begin_nested():
            reason = None
            if item.refund is not None:
                reason = await refunds.record_request(item.refund, connection)
            elif item.b2b_cart is not None:
                reason = await b2b.record_cart(item.b2b_cart, connection)
            elif item.b2b_payment is not None:
                reason = await b2b.record_payment(item.b2b_payment, connection, now)
            elif item.record is not None:
                record = item.record
                incoming = {
                    field: FieldValue(value.value, value.hlc, value.base)
                    for field, value in record.fields.items()
                }
                await merge(record.entity, record.key, incoming, connection, now)
            elif item.cash is not None:
                await _record_cash(item.cash, connection, now)
            if reason is not None:
                raise _Refused(reason)  # undoes the savepoint
    except _Refused as refused:
        return Applied(item.raw, None, str(refused))
    except SharedError as error:  # an amount the order's currency cannot hold
        return Applied(item.raw, None, str(error))
    except (DBAPIError, StorageRefused) as error:
        detail = error.reason if isinstance(error, StorageRefused) else str(error.orig)
        return Applied(item.raw, None, f"the hub refused it: {detail.splitlines()[0][:300]}")
    return item


class _Refused(Exception):
    """A record's own check refused it (the reason is the message)."""


async def _record_cash(entry: CashEntry, connection: AsyncConnection, now: datetime) -> None:
    await CashRepository(connection).add(entry, now)
    store = await StoreRepository(connection).get(entry.store_id)
    if store is not None:
        await ExceptionRepository(connection).add(cash_problems(entry, store.currency), now)


async def _apply(
    documents: list[LedgerDocument], connection: AsyncConnection, now: datetime
) -> None:
    """Ledger rows, stock movements and the exceptions of `documents`, in upload order."""
    if not documents:
        return
    await LedgerRepository(connection).add(documents)
    skus = sorted({line.sku for document in documents for line in document.lines})
    terms = await CatalogueRepository(connection).sale_terms(skus, "default")
    tracked = {sku for sku, (track_inventory, _) in terms.items() if track_inventory}
    prices = {
        sku: CurrentPrice(price.unit_price, price.version)
        for sku, (_, price) in terms.items()
        if price is not None
    }
    movements: list[StockMovement] = [
        movement for document in documents for movement in movements_of(document, tracked)
    ]
    levels_before = await StockRepository(connection).add_movements(movements, now)
    await ExceptionRepository(connection).add(
        unknown_skus(documents, set(terms))
        + oversold(documents, tracked, levels_before)
        + price_drift(documents, prices)
        + tender_problems(documents)
        + await settle_refunds(documents, connection, now)
        + await b2b.settle_orders(documents, connection, now),
        now,
    )


def _event_row(item: Applied, received_at: datetime) -> InboxRow:
    raw = item.raw
    return InboxRow(
        raw.event_id,
        raw.node_id,
        raw.store_id,
        raw.seq,
        raw.kind,
        raw.schema_version,
        raw.hlc,
        raw.occurred_at,
        received_at,
        "applied" if item.reason is None else "quarantined",
        item.reason,
        # pydantic-core's serialiser: compact, UTF-8 unescaped, as json.dumps with
        # separators=(",", ":") and ensure_ascii=False, at a fraction of its cost.
        to_json(raw.payload).decode(),
    )
