"""What a node's push holds that the hub holds already: events by seq, each with its content
digest, and the checks of a re-sent seq (a fork, a reused id, an altered re-send)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from hub.adapters.unit_of_work import HubTransaction
from hub.domain.inbox import InboxEvent, content_digest
from hub.domain.sale_exceptions import SaleException, altered_resend
from hub.errors import EventIdReused, MalformedBatch, SeqConflict
from sync.messages import RawEvent


def unique_by_seq(events: list[RawEvent], node_id: str) -> dict[int, tuple[RawEvent, str]]:
    """Events by seq, each with its content digest. The same event twice in one batch counts
    once; two ids for one seq is a fork (SeqConflict), one id under two seqs a reuse
    (EventIdReused), one event twice with different content a contradiction
    (MalformedBatch): the batch cannot say which copy it means."""
    by_seq: dict[int, tuple[RawEvent, str]] = {}
    seq_of: dict[UUID, int] = {}
    for raw in events:
        digest = content_digest(raw)
        other = by_seq.get(raw.seq)
        if other is not None and other[0].event_id != raw.event_id:
            raise SeqConflict(node_id, raw.seq, str(other[0].event_id), str(raw.event_id))
        if other is not None and other[1] != digest:
            raise MalformedBatch(
                node_id,
                raw.seq,
                f"event {raw.event_id} is in the batch twice with different content",
            )
        first_seq = seq_of.setdefault(raw.event_id, raw.seq)
        if first_seq != raw.seq:
            raise EventIdReused(node_id, raw.seq, str(raw.event_id), first_seq)
        by_seq[raw.seq] = (raw, digest)
    return by_seq


@dataclass(frozen=True, slots=True)
class Held:
    """The seqs of a batch the hub holds already, and the altered re-sends among them."""

    held: set[int]
    flagged: list[SaleException]


async def check_held(
    node_id: str, received: dict[int, tuple[RawEvent, str]], tx: HubTransaction, now: datetime
) -> Held:
    """Compare the events of the batch the hub holds already with what it holds. Raises
    SeqConflict (a held seq under another event id). A held event sent with other content is
    still a duplicate (the held one stands) and is flagged as an `altered_resend` exception,
    once per different content; an identical re-send says nothing."""
    held = await tx.inbox.held(node_id, list(received))
    flagged: list[SaleException] = []
    for seq, event in sorted(held.items()):
        raw, digest = received[seq]
        if event.event_id != raw.event_id:
            raise SeqConflict(node_id, seq, str(event.event_id), str(raw.event_id))
        held_digest = event.content_sha256 or await _digest_of_held(raw.event_id, tx)
        if held_digest != digest:
            flagged.append(altered_resend(raw.event_id, raw.store_id, seq, held_digest, digest))
    if flagged:
        said = await tx.sale_exceptions.open_details(
            [item.document_id for item in flagged], "altered_resend"
        )
        news = [item for item in flagged if (item.document_id, item.detail) not in said]
        await tx.sale_exceptions.add(news, now)
    return Held(set(held), flagged)


async def _digest_of_held(event_id: UUID, tx: HubTransaction) -> str:
    """The digest of an event received before the hub kept digests, from what it stored."""
    held = await tx.inbox.get(event_id)
    if held is None:  # the caller read it under the node's lock a moment ago
        raise RuntimeError(f"held event {event_id} vanished")
    return content_digest(raw_of(held))


def raw_of(held: InboxEvent) -> RawEvent:
    """The event as its node sent it, rebuilt from what the inbox stored (not validated
    again: it was when it arrived)."""
    return RawEvent.model_construct(
        event_id=held.event_id,
        store_id=held.store_id,
        node_id=held.node_id,
        seq=held.seq,
        schema_version=held.schema_version,
        hlc=held.hlc,
        occurred_at=held.occurred_at,
        kind=held.kind,
        payload=held.payload,
    )
