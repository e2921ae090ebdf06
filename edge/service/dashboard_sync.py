"""Read models of the dashboard's Sync and Exceptions views, and the outbox-depth sampler the
sync agent runs after each of its runs. All from the node's own file: they answer offline.

The link to the hub (online or not, last success, last error, clock skew) is what the sync
agent holds in memory and GET /v1/status reports (edge.jobs.sync_agent.SyncStatus); the
entry point hands it in as a `LinkState`, since services do not reach into the jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from edge.adapters.repositories.dashboard_sync import DeclinedCard, DepthSample, Overdraft
from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.node import NodeIdentity
from edge.domain.reports import CheckedDays, DayCheck, QuarantinedEvent
from edge.service.card_payments import OfflineCardStatus, offline_card_status

# At most one sample a minute: the agent runs every few seconds; a day is 1,440 points.
SAMPLE_EVERY = timedelta(minutes=1)
# Samples are kept 8 days: today's chart, and the same day last week for comparison.
SAMPLES_KEPT = timedelta(days=8)
# A card taken offline whose deadline is this close is shown as urgent.
DEADLINE_WARNING = timedelta(hours=2)
LIST_LIMIT = 100


def record_outbox_sample(uow: EdgeUnitOfWork, *, online: bool) -> bool:
    """Record the outbox's depth now (events waiting, the oldest's age in whole seconds) and
    whether the last exchange with the hub succeeded, unless a sample was taken less than a
    minute ago; delete samples older than 8 days. Returns whether a sample was written.
    Meant for a write transaction of its own after each sync run (edge.jobs.sync_agent)."""
    now = uow.now().astimezone(UTC)
    latest = uow.dashboard_sync.latest_sample_at()
    if latest is not None and now - latest < SAMPLE_EVERY:
        return False
    stats = uow.outbox.stats()
    oldest = stats.oldest_pending_created_at
    uow.dashboard_sync.add_sample(
        DepthSample(
            at=now,
            pending=stats.pending,
            oldest_age_s=None if oldest is None else max(0, int((now - oldest).total_seconds())),
            online=online,
        )
    )
    uow.dashboard_sync.delete_samples_before(now - SAMPLES_KEPT)
    return True


@dataclass(frozen=True, slots=True)
class LinkState:
    """The sync agent's word on its link to the hub (edge.jobs.sync_agent.SyncStatus):
    `online` None before the first attempt; `skew_ms` hub clock minus node clock as measured
    at the last push (None: not measured since this node started)."""

    online: bool | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_attempt_in_s: float
    skew_ms: int | None
    credential_rejected: bool


@dataclass(frozen=True, slots=True)
class TillExposure:
    """One till's cards taken offline and not yet forwarded, against the store's caps (minor
    units): `outstanding` of `till_max`, `headroom` for the next one, `stored` cards, and the
    oldest's deadline; `urgent` when that deadline is under two hours away or past."""

    till_id: str
    outstanding_minor: int
    till_max_minor: int
    transaction_max_minor: int
    headroom_minor: int
    stored: int
    oldest_deadline: datetime | None
    urgent: bool


@dataclass(frozen=True, slots=True)
class SyncView:
    """Everything the Sync page shows. `state` is `online`, `offline` or `not yet tried`;
    `pending` events wait in the outbox, the oldest `oldest_age_s` seconds old (None: none
    wait); `samples` are the business day's outbox-depth samples, oldest first."""

    state: str
    link: LinkState
    pending: int
    oldest_pending_at: datetime | None
    oldest_age_s: int | None
    last_seq: int
    acked_seq: int
    exposures: list[TillExposure]
    quarantined: list[QuarantinedEvent]
    quarantined_count: int
    mismatches: list[DayCheck]
    checked: CheckedDays
    samples: list[DepthSample]


def state_of(online: bool | None) -> str:
    """The link in words: `online`, `offline` or `not yet tried`."""
    if online is None:
        return "not yet tried"
    return "online" if online else "offline"


def day_bounds(identity: NodeIdentity, day: date) -> tuple[datetime, datetime]:
    """The business day's start and end (store-local midnights) in UTC."""
    start = datetime.combine(day, time(0), tzinfo=identity.zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=identity.zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def sync_view(
    uow: EdgeUnitOfWork, identity: NodeIdentity, link: LinkState, *, day: date
) -> SyncView:
    """The Sync page: the link, the outbox, every till's offline card exposure, quarantined
    events, mismatched days and the outbox-depth samples of business day `day`."""
    now = uow.now()
    stats = uow.outbox.stats()
    oldest = stats.oldest_pending_created_at
    start, end = day_bounds(identity, day)
    return SyncView(
        state=state_of(link.online),
        link=link,
        pending=stats.pending,
        oldest_pending_at=oldest,
        oldest_age_s=None if oldest is None else max(0, int((now - oldest).total_seconds())),
        last_seq=stats.last_seq,
        acked_seq=stats.acked_seq,
        exposures=till_exposures(uow, identity, now=now),
        quarantined=uow.outbox.quarantined(LIST_LIMIT),
        quarantined_count=stats.quarantined,
        mismatches=uow.integrity.mismatches(LIST_LIMIT),
        checked=uow.integrity.summary(),
        samples=uow.dashboard_sync.samples_between(start, end),
    )


def till_exposures(
    uow: EdgeUnitOfWork, identity: NodeIdentity, *, now: datetime
) -> list[TillExposure]:
    """Each till's offline card position, as GET /v1/tills/{till_id}/tenders computes it
    (edge.service.card_payments.offline_card_status), for every till this node has seen."""
    return [
        _exposure(till_id, offline_card_status(uow, identity, till_id), now)
        for till_id in uow.dashboard_sync.till_ids()
    ]


def _exposure(till_id: str, status: OfflineCardStatus, now: datetime) -> TillExposure:
    deadline = status.oldest_deadline
    return TillExposure(
        till_id=till_id,
        outstanding_minor=status.outstanding.minor,
        till_max_minor=status.limits.card_till_max.minor,
        transaction_max_minor=status.limits.card_transaction_max.minor,
        headroom_minor=status.headroom.minor,
        stored=status.stored,
        oldest_deadline=deadline,
        urgent=deadline is not None and deadline - now < DEADLINE_WARNING,
    )


@dataclass(frozen=True, slots=True)
class ExceptionsView:
    """What the store should act on: cards taken offline that were declined or expired,
    stored-value accounts overdrawn, events the hub quarantined, days that do not match.
    `count` is the number of items in all four lists."""

    declined_cards: list[DeclinedCard]
    overdrafts: list[Overdraft]
    quarantined: list[QuarantinedEvent]
    mismatches: list[DayCheck]

    @property
    def count(self) -> int:
        return (
            len(self.declined_cards)
            + len(self.overdrafts)
            + len(self.quarantined)
            + len(self.mismatches)
        )


def exceptions_view(uow: EdgeUnitOfWork) -> ExceptionsView:
    """The Exceptions page (at most 100 of each kind)."""
    return ExceptionsView(
        declined_cards=uow.dashboard_sync.declined_offline_cards(LIST_LIMIT),
        overdrafts=uow.dashboard_sync.overdrafts(LIST_LIMIT),
        quarantined=uow.outbox.quarantined(LIST_LIMIT),
        mismatches=uow.integrity.mismatches(LIST_LIMIT),
    )
