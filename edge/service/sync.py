"""Use cases of the sync agent: enrol, push the outbox, pull the store's change feed.

Push reads the outbox after the acknowledged seq (or after the last batch in flight), so
whatever was not acknowledged (a lost response, a crash between send and ack, a batch the
hub deferred behind a gap) is simply sent again; the hub de-duplicates by seq and event id. Pull applies a feed page and its cursor in one transaction
(the page's entities by edge.service.feed).

These use cases talk to the hub between transactions, so they take `EdgeTransactions` and
open each transaction with a unit of work themselves; none holds a transaction open across
a request to the hub.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from edge.adapters.outbox import PendingEvent
from edge.adapters.unit_of_work import EdgeTransactions, EdgeUnitOfWork
from edge.domain.node import NodeIdentity, rotation_due_at
from edge.domain.reports import DayCheck
from edge.errors import AlreadyEnrolled
from edge.service.feed import apply_feed_entries
from shared.clock import Clock
from sync.client import HubClient
from sync.messages import (
    PROTOCOL_VERSION,
    ChecksumRequest,
    DayChecksumV1,
    EnrolRequest,
    PushRequest,
    RawEvent,
    RoundTripV1,
    SnapshotPage,
)
from sync.protocol import day_totals, estimate_skew_ms


async def enrol_node(
    transactions: EdgeTransactions,
    client: HubClient,
    *,
    token: str,
    node_name: str,
    clock: Clock,
) -> NodeIdentity:
    """Exchange a one-time enrolment token for this node's identity; the credential is one
    this node makes itself (256 random bits), of which the hub gets only the SHA-256.

    The credential is stored, with the token's hash, before the request goes: a repeat after a
    lost answer or a restart proposes the same one and gets the same node back; a new token
    gets a new credential. Raises AlreadyEnrolled, or the client's errors
    (AuthenticationFailed for a spent or unknown token, HubUnreachable).
    """
    current = await transactions.read(lambda uow: uow.node.identity())
    if current is not None:
        raise AlreadyEnrolled(current.store_id)
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    attempt = await transactions.read(lambda uow: uow.node.enrolment_attempt())
    if attempt is not None and attempt[0] == token_hash:
        credential = attempt[1]
    else:
        credential = new_credential()
        started_at = clock.now()
        await transactions.write(
            lambda uow: uow.node.begin_enrolment(token_hash, credential, started_at)
        )
    response = await client.enrol(
        EnrolRequest(
            protocol_version=PROTOCOL_VERSION,
            token=token,
            node_name=node_name,
            credential_hash=hashlib.sha256(credential.encode()).hexdigest(),
        )
    )
    if response.credential is not None:  # a hub that makes credentials itself
        credential = response.credential
    identity = NodeIdentity(
        store_id=response.store.store_id,
        node_id=response.node_id,
        node_name=node_name,
        store_name=response.store.name,
        timezone=response.store.timezone,
        currency=response.store.currency,
    )
    enrolled_at = clock.now()
    rotate_at = rotation_due_at(enrolled_at, response.credential_max_age_s)
    await transactions.write(
        lambda uow: uow.node.enrol(identity, credential, enrolled_at, rotate_at)
    )
    return identity


def new_credential() -> str:
    """A node credential: 256 bits from `secrets`, with the prefix the hub's credentials have."""
    return f"vxn_{secrets.token_urlsafe(32)}"


async def rotate_credential(
    transactions: EdgeTransactions, client: HubClient, *, clock: Clock
) -> None:
    """Get a new store credential from the hub and keep it, durably, before anything uses it,
    with when to rotate it next (HQ's maximum age).

    If the answer is lost the hub still accepts the old credential, so nothing is locked out;
    the hub retires the old one when the new one is first used. Raises the client's errors.
    """
    rotated = await client.rotate_credential()
    rotate_at = rotation_due_at(clock.now(), rotated.credential_max_age_s)
    await transactions.write(lambda uow: uow.node.set_credential(rotated.credential, rotate_at))


def rotation_due(uow: EdgeUnitOfWork, *, now: datetime) -> bool:
    """Whether the node's credential is due for rotation at `now`."""
    due_at = uow.node.credential_rotate_at()
    return due_at is not None and now >= due_at


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """One push: how many events it carried, the hub's ack, the last seq it carried (the ack
    for an empty push), and its skew estimate."""

    sent: int
    acked_seq: int
    last_seq: int
    round_trip: RoundTripV1

    @property
    def held_back(self) -> bool:
        """Whether the hub deferred some of the push (they followed a gap): send them again."""
        return self.acked_seq < self.last_seq


async def next_batch(
    transactions: EdgeTransactions, *, after_seq: int, max_events: int, max_bytes: int
) -> list[PendingEvent]:
    """The outbox events after `after_seq`, in seq order, as one push takes them (at most
    `max_events` events and `max_bytes` bytes, at least one); empty when none is left."""
    return await transactions.read(
        lambda uow: uow.outbox.pending(after_seq, max_events=max_events, max_bytes=max_bytes)
    )


async def send_batch(
    transactions: EdgeTransactions,
    client: HubClient,
    identity: NodeIdentity,
    batch: list[PendingEvent],
    *,
    clock: Clock,
    previous_round_trip: RoundTripV1 | None = None,
) -> PushOutcome:
    """Push `batch` (empty: the handshake) and record the hub's ack (never lowered: answers of
    pushes in flight together come back in any order) and quarantined events. The outcome's
    `last_seq` is the batch's last seq, or the ack for an empty batch. Raises the client's
    errors; nothing is marked acknowledged unless the hub said so."""
    sent_at = clock.now()
    request = PushRequest(
        protocol_version=PROTOCOL_VERSION,
        store_id=identity.store_id,
        node_id=identity.node_id,
        sent_at=sent_at,
        previous_round_trip=previous_round_trip,
        events=[_raw_event(event, identity) for event in batch],
    )
    response = await client.push(request)
    round_trip = RoundTripV1(
        sent_at=sent_at, skew_ms=estimate_skew_ms(sent_at, clock.now(), response.hub_time)
    )
    rejected = [(item.seq, item.reason) for item in response.rejected]

    def record(uow: EdgeUnitOfWork) -> None:
        uow.node.advance_ack(response.acked_seq)
        uow.outbox.mark_quarantined(rejected)

    await transactions.write(record)
    last_seq = batch[-1].seq if batch else response.acked_seq
    return PushOutcome(len(batch), response.acked_seq, last_seq, round_trip)


def _raw_event(event: PendingEvent, identity: NodeIdentity) -> RawEvent:
    # The event was validated when it was written; skip re-validation on the hot path.
    return RawEvent.model_construct(
        event_id=event.event_id,
        store_id=identity.store_id,
        node_id=identity.node_id,
        seq=event.seq,
        schema_version=event.schema_version,
        hlc=event.hlc,
        occurred_at=event.occurred_at,
        kind=event.kind,
        payload=event.payload,
    )


async def verify_days(
    transactions: EdgeTransactions, client: HubClient, identity: NodeIdentity, *, clock: Clock
) -> int:
    """Compare the totals of every fully uploaded business day with the hub's; returns how many
    days did not match (the hub raises an alert for each). Raises the client's errors.
    """

    def gather(uow: EdgeUnitOfWork) -> tuple[int, int, list[DayChecksumV1]]:
        integrity = uow.integrity
        acked = uow.node.acked_seq()
        done = integrity.checksum_seq()
        ready: list[DayChecksumV1] = []
        mark = acked
        for day in integrity.days_between(done, acked):
            if integrity.last_seq_of_day(day) > acked:
                mark = done  # part of the day is still uploading: look again later
                continue
            totals = day_totals(integrity.day_events(day))
            ready.append(
                DayChecksumV1(
                    business_day=day,
                    count=totals.count,
                    total_minor=totals.total_minor,
                    id_hash=totals.id_hash,
                )
            )
        return done, mark, ready

    done, mark, ready = await transactions.read(gather)
    if not ready:
        return 0
    response = await client.checksums(
        ChecksumRequest(
            protocol_version=PROTOCOL_VERSION,
            store_id=identity.store_id,
            node_id=identity.node_id,
            days=ready,
        )
    )
    checked_at = clock.now()
    mine = {day.business_day: day for day in ready}
    checks = [
        DayCheck(
            business_day=verdict.business_day,
            count=mine[verdict.business_day].count,
            total_minor=mine[verdict.business_day].total_minor,
            id_hash=mine[verdict.business_day].id_hash,
            status=verdict.status,
            hub_count=verdict.hub.count,
            hub_total_minor=verdict.hub.total_minor,
            hub_id_hash=verdict.hub.id_hash,
            checked_at=checked_at,
        )
        for verdict in response.days
    ]

    def record(uow: EdgeUnitOfWork) -> None:
        uow.integrity.record(checks)
        if mark > done:
            uow.integrity.set_checksum_seq(mark)

    await transactions.write(record)
    return sum(verdict.status == "mismatch" for verdict in response.days)


async def bootstrap(
    transactions: EdgeTransactions,
    client: HubClient,
    *,
    page_size: int,
    clock: Clock,
    between_chunks: Callable[[], Awaitable[None]],
) -> None:
    """Download and apply the store's snapshot, chunk by chunk, from where it was left off.

    Each chunk is applied with the resume key in one transaction, so a download cut short
    (network, crash) goes on from the last applied chunk. The next chunk is downloaded while
    this one is applied: the hub builds it while the edge writes, where each waited for the
    other before (measured in docs/operations.md); the requests are the same, in the same
    order, and at most two chunks are held. `between_chunks` runs after each applied chunk but
    the last (sales waiting to upload go first). At the end the node follows the feed from
    the position the hub named in the first chunk. The outbox is never touched.

    Raises what the client raises (the chunks applied before it stay applied).
    """
    _, position, after = await transactions.read(lambda uow: uow.node.bootstrap_state())
    page = await client.snapshot(after, page_size)
    start = position if position is not None else (page.position or "")
    while True:
        following = (
            asyncio.ensure_future(client.snapshot(page.next_after, page_size))
            if page.has_more
            else None
        )
        try:
            await _apply_chunk(transactions, page, start, clock.now())
            if following is None:
                return
            await between_chunks()
            page = await following
        except BaseException:
            if following is not None:
                following.cancel()  # a no-op once it is done
                await asyncio.wait([following])
                if not following.cancelled():
                    following.exception()  # seen: the error raised here is the one to report
            raise


async def _apply_chunk(
    transactions: EdgeTransactions, page: SnapshotPage, start: str, now: datetime
) -> None:
    def apply(uow: EdgeUnitOfWork) -> None:
        apply_feed_entries(page.items, uow, now=now)
        if page.has_more:
            uow.node.record_bootstrap(start, page.next_after)
        else:
            uow.node.finish_bootstrap(start)

    await transactions.write(apply, durable=False)


async def needs_bootstrap(transactions: EdgeTransactions) -> bool:
    """Whether the node must download the store's snapshot (first sync, or one cut short)."""
    needed, _, _ = await transactions.read(lambda uow: uow.node.bootstrap_state())
    return needed


async def restart_bootstrap(transactions: EdgeTransactions) -> None:
    """Forget the feed position (the hub compacted it away); the outbox is untouched."""
    await transactions.write(lambda uow: uow.node.restart_bootstrap())


async def pull_page(
    transactions: EdgeTransactions, client: HubClient, *, page_size: int, clock: Clock
) -> bool:
    """Fetch the next page of the store's feed and apply it with its cursor, atomically;
    True while the feed has more pages."""
    cursor = await transactions.read(lambda uow: uow.node.feed_cursor())
    page = await client.feed(cursor, page_size)
    now = clock.now()
    if page.entries:

        def apply(uow: EdgeUnitOfWork) -> None:
            apply_feed_entries(page.entries, uow, now=now)
            uow.node.set_feed_cursor(page.next_cursor)

        await transactions.write(apply, durable=False)
    return page.has_more


def hub_credential(uow: EdgeUnitOfWork) -> str | None:
    """The store credential this node presents to the hub; None before enrolment."""
    return uow.node.credential()


def pending_events(uow: EdgeUnitOfWork) -> int:
    """How many outbox events the hub has not acknowledged yet."""
    return uow.outbox.stats().pending
