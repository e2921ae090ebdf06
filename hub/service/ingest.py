"""Sync ingest: store a node's batch of events exactly once and acknowledge what is contiguous.

In one transaction, with the node's row locked so two copies of a request cannot interleave:
1. refuse the whole request if any event claims another store or node (403), has an envelope
   the inbox cannot hold (422 `malformed_batch`), reuses a seq under a different event id or
   an event id under a different seq (409), or sends one event twice with different content
   (422): nothing is half-applied;
2. skip events already held (by seq and event id): a batch sent twice changes nothing; a
   held event sent again with other content (its digest differs) is still skipped, and
   flagged for HQ as an `altered_resend` exception;
3. apply a node's events in seq order only: events above a gap (an earlier push of the
   node still in flight, or lost) are deferred, not stored, after a batch starting above
   the ack has waited for its turn `order_wait_s` without the node's ack moving (an edge
   keeps several pushes in flight); the node sends them again;
4. record every new event in the inbox, apply those that parse to the sales ledger and the
   stock counters, and quarantine, with the reason, those that do not (each in a savepoint
   of its own if the database refuses the batch); a quarantined event is stored, so it is
   acknowledged and never blocks the events behind it;
5. acknowledge the highest seq up to which every seq is held, and list the gaps above it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from pydantic_core import to_json

from hub.adapters.unit_of_work import HubTransaction, HubUnitOfWork
from hub.domain.inbox import InboxRow, envelope_problem
from hub.domain.stores import PushState
from hub.errors import (
    EventIdReused,
    MalformedBatch,
    PermissionDenied,
    ProtocolVersionMismatch,
    StorageRefused,
)
from hub.service import b2b, refunds
from hub.service.ingest_handlers import HANDLERS, Applied, FollowUp
from hub.service.ingest_held import Held, check_held, unique_by_seq
from hub.service.ingest_record import record_accepted
from hub.service.ingest_turn import NotYourTurn, TurnWait
from hub.service.ports import ApprovalWorkflows
from hub.service.stores import AuthenticatedNode
from shared.errors import SharedError
from sync.errors import EventRejected
from sync.messages import (
    PROTOCOL_VERSION,
    PushRequest,
    PushResponse,
    RawEvent,
    RejectedEvent,
    RoundTripV1,
    parse_event,
)
from sync.protocol import contiguous_high_water, hub_skew_ms, missing_ranges


async def apply_events(
    fresh: list[RawEvent], tx: HubTransaction, received_at: datetime
) -> list[Applied]:
    """Type, check and record events not held before, in the caller's transaction.

    Never raises for an event's content: what cannot be applied comes back with its reason.
    """
    typed = classify_events(fresh, received_at)
    return await record_accepted(await _unrecorded(typed, tx), tx, received_at)


@dataclass(frozen=True, slots=True)
class IngestBatch:
    """Record `batch`, which `node` (the caller, by its credential) uploaded. A batch whose
    first seq follows a gap waits for the node's earlier pushes until `order_wait_s` seconds
    pass without the node's ack moving; then what follows the gap is deferred."""

    node: AuthenticatedNode
    batch: PushRequest
    order_wait_s: float = 0.0


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """The acknowledgement of a batch, and how many of its events re-sent a held seq and
    event id with other content (`altered`: flagged as `altered_resend` exceptions)."""

    response: PushResponse
    altered: int


async def ingest_batch(
    command: IngestBatch, uow: HubUnitOfWork, workflows: ApprovalWorkflows | None = None
) -> IngestOutcome:
    """Apply one uploaded batch; returns the acknowledgement (highest contiguous seq held, the
    gaps above it, what was quarantined) and the count of altered re-sends. Then start the
    workflows of refund requests and B2B orders in it and tell those whose tills took a step
    (best effort: `refunds.after_ingest`, `b2b.after_ingest`). Raises
    ProtocolVersionMismatch, PermissionDenied, MalformedBatch, SeqConflict, EventIdReused;
    never an error for what an event's payload says (that is quarantined)."""
    batch, node = command.batch, command.node
    if batch.protocol_version != PROTOCOL_VERSION:
        raise ProtocolVersionMismatch(batch.protocol_version, PROTOCOL_VERSION)
    if batch.store_id != node.store_id or batch.node_id != node.node_id:
        raise PermissionDenied(
            f"credential of node {node.node_id} ({node.store_id}) cannot push for "
            f"node {batch.node_id} ({batch.store_id})"
        )
    try:
        batch.sent_at.astimezone(UTC)
    except OverflowError:
        raise MalformedBatch(node.node_id, None, "sent_at is out of range in UTC") from None
    for raw in batch.events:
        if raw.store_id != node.store_id or raw.node_id != node.node_id:
            raise PermissionDenied(
                f"event {raw.event_id} (seq {raw.seq}) belongs to {raw.store_id}/{raw.node_id}, "
                f"not to {node.store_id}/{node.node_id}"
            )
        problem = envelope_problem(raw)
        if problem is not None:
            raise MalformedBatch(node.node_id, raw.seq, problem)
    received = unique_by_seq(batch.events, node.node_id)
    arrived_at = uow.now()
    # Typing and checking each event needs no I/O: done before the node's turn, it overlaps
    # the transaction of the node's push ahead (with several in flight), which is the
    # critical path of a catch-up.
    typed = await classify_in_slices([raw for _, (raw, _) in sorted(received.items())], arrived_at)
    prepared = _Prepared(
        received, typed, {seq: _payload_text(raw) for seq, (raw, _) in received.items()}
    )
    first_seq = min(received, default=0)
    waiting = TurnWait(command.order_wait_s)
    while True:
        try:
            async with uow.write() as tx:
                state = await tx.nodes.lock_push_state(node.node_id)
                if first_seq > state.acked_seq + 1 and waiting.goes_on(state.acked_seq):
                    raise NotYourTurn()  # rolls back: the node's earlier push is on its way
                turn = await _in_turn(state, prepared, tx, batch, arrived_at)
            break
        except NotYourTurn:
            await waiting.pause()
    accepted, altered, new_acked = turn.accepted, turn.altered, turn.acked
    follow_ups: set[FollowUp | None] = {
        item.handler.follow_up
        for item in accepted
        if item.handler is not None and item.reason is None
    }
    await refunds.after_ingest(
        "refund_requested" in follow_ups,
        [
            item.document.refund_request_id
            for item in accepted
            if item.document is not None and item.document.refund_request_id is not None
        ],
        uow,
        workflows,
    )
    await b2b.after_ingest(
        "b2b_submitted" in follow_ups,
        "b2b_stepped" in follow_ups
        or any(
            item.document is not None and item.document.b2b_order_id is not None
            for item in accepted
        ),
        uow,
        workflows,
    )
    response = PushResponse(
        protocol_version=PROTOCOL_VERSION,
        acked_seq=new_acked,
        accepted=len(accepted),
        duplicates=len(batch.events) - len(accepted) - len(turn.deferred),
        missing=missing_ranges(new_acked, [*turn.stored_above, *turn.deferred]),
        deferred=len(turn.deferred),
        rejected=[
            RejectedEvent(seq=item.raw.seq, event_id=item.raw.event_id, reason=item.reason)
            for item in accepted
            if item.reason is not None
        ],
        hub_time=uow.now(),
    )
    return IngestOutcome(response, len(altered.flagged))


def _transit_ms(state: PushState, reported: RoundTripV1 | None) -> int | None:
    """The transit of the node's previous push: the hub's one-way figure for it less the
    node's estimate, if the node reports the estimate of that very push."""
    if reported is None or state.one_way_ms is None or reported.sent_at != state.last_sent_at:
        return None
    return state.one_way_ms - reported.skew_ms


@dataclass(frozen=True, slots=True)
class _Turn:
    """What one push's transaction did: the events recorded (applied or quarantined), the
    altered re-sends, the new ack, the seqs held above the old ack and the deferred seqs."""

    accepted: list[Applied]
    altered: Held
    acked: int
    stored_above: list[int]
    deferred: list[int]


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A batch's events by seq with their content digests, each typed and checked
    (`classify_events`), and each payload as the inbox stores it: the work that needs no
    I/O, done before the node's turn."""

    received: dict[int, tuple[RawEvent, str]]
    typed: list[Applied]
    payload_texts: dict[int, str]


async def _in_turn(
    state: PushState,
    prepared: _Prepared,
    tx: HubTransaction,
    batch: PushRequest,
    arrived_at: datetime,
) -> _Turn:
    """Record the events of the batch that follow the node's acknowledged seq without a gap,
    in seq order, with the node's row locked; defer (do not store) those above a gap.

    A node's events are applied in seq order only, so what the hub relies on stays true with
    several pushes in flight: a SKU's stock movements (and the oversold checks on them) in
    the order the tills sold, a Z report after its shift's sales, a card settlement after its
    sale, a return after the approval it uses, a B2B payment after its order."""
    node_id, received_at, acked = batch.node_id, arrived_at, state.acked_seq
    received = prepared.received
    altered = await check_held(node_id, received, tx, received_at)
    fresh = [raw for seq, (raw, _) in sorted(received.items()) if seq not in altered.held]
    present = set(received)
    high = contiguous_high_water(acked, present)
    if fresh and fresh[-1].seq > high:  # a gap: perhaps filled by events held before
        high = contiguous_high_water(
            acked, present | set(await tx.inbox.seqs_after(node_id, acked))
        )
    deferred = [raw.seq for raw in fresh if raw.seq > high]
    fresh = [raw for raw in fresh if raw.seq <= high]
    reused = await tx.inbox.known_event_ids([raw.event_id for raw in fresh])
    if reused:
        first = min((raw for raw in fresh if raw.event_id in reused), key=lambda raw: raw.seq)
        raise EventIdReused(node_id, first.seq, str(first.event_id))
    fresh_seqs = {raw.seq for raw in fresh}
    typed = [item for item in prepared.typed if item.raw.seq in fresh_seqs]
    accepted = await record_accepted(await _unrecorded(typed, tx), tx, received_at)
    rows = [
        _event_row(
            item, received_at, received[item.raw.seq][1], prepared.payload_texts[item.raw.seq]
        )
        for item in accepted
    ]
    try:
        async with tx.savepoint():
            await tx.inbox.add(rows)
    except StorageRefused as error:  # not even quarantine can hold it: refuse it all
        raise MalformedBatch(
            node_id, None, f"the inbox refused the batch: {error.reason[:300]}"
        ) from None
    stored_above = await tx.inbox.seqs_after(node_id, acked)
    new_acked = contiguous_high_water(acked, stored_above)
    one_way_ms = round((arrived_at - batch.sent_at).total_seconds() * 1000)
    skew_ms = hub_skew_ms(one_way_ms, _transit_ms(state, batch.previous_round_trip))
    await tx.nodes.record_push(node_id, new_acked, received_at, skew_ms, batch.sent_at, one_way_ms)
    return _Turn(accepted, altered, new_acked, stored_above, deferred)


def classify_events(fresh: list[RawEvent], received_at: datetime) -> list[Applied]:
    """Parse each event and let its handler (`ingest_handlers.HANDLERS`) check it, without
    I/O: an event of a kind with no handler, or one its handler refuses, is quarantined.
    Returns one outcome per event: the quarantined and those kept for a record first, then
    the ledger documents, each group in upload order."""
    settled: list[Applied] = []
    documents: list[Applied] = []
    _classify_into(fresh, received_at, settled, documents)
    return settled + documents


# Events typed between two turns of the event loop: about 3 ms of CPU (80 us an event).
_SLICE = 32


async def classify_in_slices(fresh: list[RawEvent], received_at: datetime) -> list[Applied]:
    """`classify_events`, `_SLICE` events at a time, letting the event loop run between
    slices: a push being typed (about 80 us of CPU an event, so tens of milliseconds a
    batch) never holds up another push's transaction in the same process for longer than a
    slice. That transaction, the node's turn, is the critical path of a catch-up."""
    settled: list[Applied] = []
    documents: list[Applied] = []
    for start in range(0, len(fresh), _SLICE):
        if start:
            await asyncio.sleep(0)
        _classify_into(fresh[start : start + _SLICE], received_at, settled, documents)
    return settled + documents


def _classify_into(
    fresh: list[RawEvent],
    received_at: datetime,
    settled: list[Applied],
    documents: list[Applied],
) -> None:
    for raw in fresh:
        try:
            event = parse_event(raw)
        except EventRejected as rejection:
            settled.append(Applied.quarantined(raw, rejection.reason))
            continue
        handler = HANDLERS.get(type(event))
        if handler is None:  # a kind sync.messages parses and this hub cannot apply yet
            settled.append(Applied.quarantined(raw, f"no handler for kind {raw.kind}"))
            continue
        try:
            outcome = handler.classify(raw, event, received_at)
        except SharedError as error:  # an unknown currency, an amount it cannot hold
            settled.append(Applied.quarantined(raw, str(error)))
            continue
        except ArithmeticError as error:  # decimal.Overflow and kin: a number beyond reason
            reason = f"a number is out of range: {type(error).__name__}"
            settled.append(Applied.quarantined(raw, reason))
            continue
        (settled if outcome.document is None else documents).append(outcome)


async def _unrecorded(typed: list[Applied], tx: HubTransaction) -> list[Applied]:
    """`typed` (from `classify_events`), with each ledger document that would duplicate one
    already recorded, or one before it in the batch, quarantined (by document id, then by
    the node's receipt number)."""
    accepted = [item for item in typed if item.document is None]
    candidates = [item for item in typed if item.document is not None]
    documents = [item.document for item in candidates if item.document is not None]
    existing_ids = await tx.ledger.existing_documents(
        [document.document_id for document in documents]
    )
    existing_receipts: set[str] = set()
    for node_id in {document.node_id for document in documents}:
        existing_receipts |= await tx.ledger.existing_receipts(
            node_id, [document.receipt_number for document in documents]
        )
    in_batch_ids: set[UUID] = set()
    in_batch_receipts: set[str] = set()
    for item, document in zip(candidates, documents, strict=True):
        if document.document_id in existing_ids or document.document_id in in_batch_ids:
            accepted.append(
                Applied.quarantined(
                    item.raw, f"document {document.document_id} is already recorded"
                )
            )
        elif (
            document.receipt_number in existing_receipts
            or document.receipt_number in in_batch_receipts
        ):
            accepted.append(
                Applied.quarantined(
                    item.raw, f"receipt number {document.receipt_number} is already recorded"
                )
            )
        else:
            accepted.append(item)
            in_batch_ids.add(document.document_id)
            in_batch_receipts.add(document.receipt_number)
    return accepted


def _payload_text(raw: RawEvent) -> str:
    """The payload as the inbox stores it: pydantic-core's serialiser, compact and UTF-8
    unescaped (as json.dumps with separators=(",", ":") and ensure_ascii=False), at a
    fraction of its cost."""
    return to_json(raw.payload).decode()


def _event_row(item: Applied, received_at: datetime, digest: str, payload: str) -> InboxRow:
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
        payload,
        digest,
    )
