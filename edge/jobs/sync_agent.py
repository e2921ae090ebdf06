"""The edge's sync agent: enrol if needed, push the outbox, then pull the feed; back off offline.

One cycle runs at a time. Sales upload first and a feed download never delays them: the pull
stops after any page if new outbox events appeared meanwhile. While the hub is unreachable
the agent waits a jittered, capped exponential delay between attempts, and the till keeps
selling: nothing on the selling path waits for the network.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from edge.adapters.outbox import PendingEvent
from edge.adapters.unit_of_work import EdgeTransactions
from edge.domain.node import NodeIdentity
from edge.errors import NotEnrolled
from edge.metrics import EdgeMetrics
from edge.service.dashboard_sync import SAMPLE_EVERY, record_outbox_sample
from edge.service.sync import (
    PushOutcome,
    bootstrap,
    enrol_node,
    hub_credential,
    needs_bootstrap,
    next_batch,
    pending_events,
    pull_page,
    restart_bootstrap,
    rotate_credential,
    rotation_due,
    send_batch,
    verify_days,
)
from edge.settings import EdgeSettings
from shared.clock import Clock
from sync.client import HubClient
from sync.errors import (
    AuthenticationFailed,
    CursorCompacted,
    HubRejected,
    HubRequestFailed,
    HubUnreachable,
)
from sync.messages import RoundTripV1
from sync.protocol import Backoff

log = logging.getLogger("vectis.edge.sync")


@dataclass(slots=True)
class SyncStatus:
    """What the agent knows about its link to the hub, for /v1/status and the dashboard."""

    online: bool | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    next_attempt_in_s: float = 0.0
    skew_ms: int | None = None
    credential_rejected: bool = False


class SyncAgent:
    """Runs sync cycles for one node; `run_cycle` is what the scheduler calls."""

    def __init__(
        self,
        *,
        settings: EdgeSettings,
        transactions: EdgeTransactions,
        clock: Clock,
        metrics: EdgeMetrics,
        identity: Callable[[], NodeIdentity | None],
        on_enrolled: Callable[[NodeIdentity], Awaitable[None]],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._transactions = transactions
        self._clock = clock
        self._metrics = metrics
        self._identity = identity
        self._on_enrolled = on_enrolled
        self._transport = transport
        self._backoff = Backoff(base_s=settings.backoff_base_s, cap_s=settings.backoff_cap_s)
        self._lock = asyncio.Lock()
        self._next_attempt = 0.0
        self._client: HubClient | None = None
        self.status = SyncStatus()
        self._sampled_at: datetime | None = None  # the last outbox-depth sample's time
        # The skew estimate of the last push, reported with the next (in memory: after a
        # restart the hub's first figure is one way again).
        self._round_trip: RoundTripV1 | None = None
        self._answered_at = -math.inf  # time.monotonic() of the last push answered

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _hub(self) -> HubClient:
        if self._client is None:
            credential = await self._transactions.read(hub_credential)
            self._client = HubClient(
                self._settings.hub_url,
                credential,
                transport=self._transport,
                timeout_s=self._settings.hub_timeout_s,
                connect_timeout_s=self._settings.hub_connect_timeout_s,
            )
        return self._client

    async def run_cycle(self, *, force: bool = False) -> None:
        """One attempt: enrol if needed, push what is pending (`_push_all`), pull the feed.

        Unless `force`, skipped while an earlier cycle runs or while backing off. With `force`
        (someone asked to sync now: the link is back) it waits for a cycle under way to end,
        then runs, whatever the back-off: a cycle that failed just before the link came back
        would otherwise leave the outbox waiting out its back-off (seconds, up to
        `backoff_cap_s`) while the hub is there.
        """
        if self._lock.locked() and not force:
            return
        async with self._lock:
            if not force and time.monotonic() < self._next_attempt:
                self.status.next_attempt_in_s = self._next_attempt - time.monotonic()
                return
            try:
                await self._cycle(handshake=force or self._handshake_due())
            except HubRequestFailed as error:
                self._failed(error)
            except Exception as error:  # a bug must not kill the agent: report and retry
                log.exception("sync cycle failed")
                self._failed(error)
            else:
                self._backoff.reset()
                self._next_attempt = 0.0
                self.status.online = True
                self.status.consecutive_failures = 0
                self.status.next_attempt_in_s = 0.0
                self.status.last_success_at = self._clock.now()
            await self._sample_outbox()

    async def _sample_outbox(self) -> None:
        """Record the outbox's depth for the dashboard's chart (at most once a minute; see
        edge.service.dashboard_sync). A failure to record is logged, never raised: the
        chart must not stop the sync."""
        now = self._clock.now()
        if self._identity() is None or (
            self._sampled_at is not None and now - self._sampled_at < SAMPLE_EVERY
        ):
            return  # no write transaction at every run: the file holds the same rule
        online = bool(self.status.online)
        try:
            if await self._transactions.write(
                lambda uow: record_outbox_sample(uow, online=online), durable=False
            ):
                self._sampled_at = now
        except Exception:
            log.exception("could not record the outbox depth sample")

    def _failed(self, error: Exception) -> None:
        delay_s = self._backoff.next_delay_s()
        self._next_attempt = time.monotonic() + delay_s
        self.status.online = False
        self.status.consecutive_failures += 1
        self.status.next_attempt_in_s = delay_s
        self.status.last_error = str(error)
        self.status.last_error_at = self._clock.now()
        if isinstance(error, AuthenticationFailed):
            self.status.credential_rejected = True
        self._metrics.sync_failures.labels(type(error).__name__).inc()
        if isinstance(error, HubRejected):
            log.warning("hub refused sync: %s", error)
        else:
            log.info("hub unreachable, next attempt in %.1fs: %s", delay_s, error)

    async def rotate_credential(self) -> None:
        """Replace the store credential (a manager's action; also after a suspected leak).

        Runs between sync cycles; raises the client's errors (nothing changes then).
        """
        async with self._lock:
            if self._identity() is None:
                raise NotEnrolled()
            await self._rotate(await self._hub())

    async def _rotate(self, client: HubClient) -> HubClient:
        """Rotate the credential; returns the client that presents the new one."""
        await rotate_credential(self._transactions, client, clock=self._clock)
        await self.close()  # the next request uses the new credential
        self.status.credential_rejected = False
        return await self._hub()

    def _handshake_due(self) -> bool:
        """Whether a cycle with nothing to upload still pushes: after a failed cycle, or once
        the last answered push is `handshake_interval_s` old. An idle store otherwise made an
        empty push every cycle, a request and a transaction at the hub each time (per edge,
        at the replay's 0.5 s: 22 ms of the edge's CPU and 25 ms of the hub's each second)."""
        if self.status.consecutive_failures > 0:
            return True
        return time.monotonic() - self._answered_at >= self._settings.handshake_interval_s

    async def _cycle(self, *, handshake: bool) -> None:
        identity = self._identity()
        if identity is None:
            identity = await self._enrol()
            if identity is None:
                return
        client = await self._hub()
        now = self._clock.now()
        if await self._transactions.read(lambda uow: rotation_due(uow, now=now)):
            log.info("store credential due for rotation (HQ's maximum age): rotating")
            client = await self._rotate(client)
        try:
            await self._push_all(client, identity, handshake=handshake)
        except AuthenticationFailed as error:
            if error.error != "credential_expired":
                raise
            # Past its maximum age (this node's clock missed the moment, or it was offline):
            # within the grace period the hub still lets it rotate; past that it refuses.
            log.warning("store credential expired at the hub: rotating (%s)", error.detail)
            client = await self._rotate(client)
            await self._push_all(client, identity, handshake=True)
        await self._bootstrap_if_needed(client, identity)
        for _ in range(100):
            started = time.perf_counter()
            try:
                has_more = await pull_page(
                    self._transactions,
                    client,
                    page_size=self._settings.feed_page_size,
                    clock=self._clock,
                )
            except CursorCompacted:
                log.warning(
                    "the hub compacted the feed past this node's position: bootstrapping again"
                )
                await restart_bootstrap(self._transactions)
                await self._bootstrap_if_needed(client, identity)
                continue
            self._metrics.pull_seconds.observe(time.perf_counter() - started)
            if not has_more:
                break
            if await self._pending() > 0:
                await self._push_all(client, identity)
        await verify_days(self._transactions, client, identity, clock=self._clock)

    async def _bootstrap_if_needed(self, client: HubClient, identity: NodeIdentity) -> None:
        """Download the store's snapshot chunk by chunk; sales waiting to upload go first."""
        if not await needs_bootstrap(self._transactions):
            return

        async def uploads_first() -> None:
            if await self._pending() > 0:
                await self._push_all(client, identity)

        await bootstrap(
            self._transactions,
            client,
            page_size=self._settings.snapshot_chunk_size,
            clock=self._clock,
            between_chunks=uploads_first,
        )

    async def _push_all(
        self, client: HubClient, identity: NodeIdentity, *, handshake: bool = False
    ) -> None:
        """Upload what the outbox held when the round began, and full batches after it, with
        up to `push_pipeline` pushes in flight; with `handshake`, an empty outbox still makes
        one (empty) push, the handshake at which both sides measure the clock skew.

        Events queued during the round go in the same push when they fit in a batch cut from
        earlier ones; a batch of only such events goes now if it is full (a backlog still
        growing) and otherwise waits for the next cycle. A till that sells without a pause
        would else keep the round going with a push of a few events each time one is
        answered: in `vectis demo` that was about 6 events a push and 900 pushes an edge,
        each paying the request's fixed cost at both ends.

        Batches are cut in seq order after the last one in flight; the hub applies them in
        seq order, whatever order they arrive in. An answer saying the hub deferred part of a
        push (it followed a gap: an earlier push lost, or too late) stops new pushes; once
        those in flight are answered, sending goes on from the ack. A push that did not reach
        the hub (or whose answer was lost) while later ones are in flight is sent again at
        once, once: the later ones wait at the hub for it (`PUSH_ORDER_WAIT_S`), and would be
        deferred. After a failure the pushes in flight are awaited (their acks kept), then the
        first error is raised.
        """
        window, full = self._settings.push_pipeline, self._settings.push_batch_events
        stats = await self._transactions.read(lambda uow: uow.outbox.stats())
        sent_through, queued_through = stats.acked_seq, stats.last_seq
        acked = sent_through
        in_flight: set[asyncio.Task[PushOutcome]] = set()
        batches: dict[asyncio.Task[PushOutcome], list[PendingEvent]] = {}
        resent: set[int] = set()  # first seqs of the batches sent again
        error: BaseException | None = None
        rewind = False
        try:
            while True:
                while error is None and not rewind and len(in_flight) < window:
                    batch = await next_batch(
                        self._transactions,
                        after_seq=sent_through,
                        max_events=self._settings.push_batch_events,
                        max_bytes=self._settings.push_batch_bytes,
                    )
                    if not batch and not handshake:
                        break
                    if batch and batch[0].seq > queued_through and len(batch) < full:
                        break  # queued since the round began, and not a full batch: next cycle
                    task = asyncio.create_task(self._push(client, identity, batch))
                    in_flight.add(task)
                    batches[task] = batch
                    handshake = False
                    if not batch:
                        break
                    sent_through = batch[-1].seq
                if not in_flight:
                    if error is not None:
                        raise error
                    if not rewind:
                        return
                    rewind, sent_through = False, acked  # send again what the hub deferred
                    continue
                done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    in_flight.discard(task)
                    batch = batches.pop(task)
                    try:
                        outcome = task.result()
                    except Exception as failure:
                        if self._send_again(failure, batch, in_flight, resent, error):
                            again = asyncio.create_task(self._push(client, identity, batch))
                            in_flight.add(again)
                            batches[again] = batch
                            continue
                        log.warning("a push of the pipeline failed: %s", failure)
                        error = error or failure
                        continue
                    acked = max(acked, outcome.acked_seq)
                    sent_through = max(sent_through, acked)  # held already: skip it
                    if outcome.held_back:
                        log.warning(
                            "the hub deferred seqs %d to %d (a push ahead was late or lost): "
                            "sending again from the ack",
                            outcome.acked_seq + 1,
                            outcome.last_seq,
                        )
                    rewind = rewind or outcome.held_back
        finally:  # cancelled from outside: the pushes in flight go too, their acks unrecorded
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)

    @staticmethod
    def _send_again(
        failure: Exception,
        batch: list[PendingEvent],
        in_flight: set[asyncio.Task[PushOutcome]],
        resent: set[int],
        error: BaseException | None,
    ) -> bool:
        """Whether to send `batch` again at once: it did not reach the hub or its answer was
        lost (HubUnreachable), pushes after it are in flight, nothing failed before, and it
        was not sent again already."""
        if not isinstance(failure, HubUnreachable) or not batch or not in_flight:
            return False
        if error is not None or batch[0].seq in resent:
            return False
        resent.add(batch[0].seq)
        log.info("a push of the pipeline did not arrive (%s): sending it again", failure)
        return True

    async def _push(
        self, client: HubClient, identity: NodeIdentity, batch: list[PendingEvent]
    ) -> PushOutcome:
        """One push of the pipeline, with the skew estimate of the last push answered."""
        started = time.perf_counter()
        outcome = await send_batch(
            self._transactions,
            client,
            identity,
            batch,
            clock=self._clock,
            previous_round_trip=self._round_trip,
        )
        self._round_trip = outcome.round_trip
        self._answered_at = time.monotonic()
        self.status.skew_ms = outcome.round_trip.skew_ms
        self._metrics.clock_skew_ms.set(outcome.round_trip.skew_ms)
        if outcome.sent:
            self._metrics.push_seconds.observe(time.perf_counter() - started)
            self._metrics.events_pushed.inc(outcome.sent)
        return outcome

    async def _pending(self) -> int:
        return await self._transactions.read(pending_events)

    async def _enrol(self) -> NodeIdentity | None:
        try:
            token = self._settings.read_enrolment_token()
        except OSError as error:
            self.status.last_error = (
                f"not enrolled: cannot read the enrolment token file: {error.strerror}"
            )
            return None
        if token is None:
            self.status.last_error = "not enrolled: no enrolment token configured"
            return None
        async with HubClient(
            self._settings.hub_url,
            transport=self._transport,
            timeout_s=self._settings.hub_timeout_s,
            connect_timeout_s=self._settings.hub_connect_timeout_s,
        ) as client:
            identity = await enrol_node(
                self._transactions,
                client,
                token=token,
                node_name=self._settings.node_name,
                clock=self._clock,
            )
        await self._on_enrolled(identity)
        log.info("enrolled as node %s of %s", identity.node_id, identity.store_id)
        return identity
