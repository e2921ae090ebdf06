"""Pure rules of the sync protocol: batching, acknowledgements, gaps, back-off, clock skew.

No I/O here: the edge's agent and the hub's ingest both call these, and the unit tests pin
them down exhaustively.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sync.messages import SeqRange


class Sized(Protocol):
    """An outbox row as far as batching cares: its encoded size in bytes."""

    @property
    def size_bytes(self) -> int: ...


RowT = TypeVar("RowT", bound=Sized)


def take_batch(rows: Sequence[RowT], max_events: int, max_bytes: int) -> list[RowT]:
    """The longest prefix of `rows` with at most `max_events` rows and `max_bytes` bytes.

    Always takes the first row, even alone over `max_bytes`, so an oversized event is sent
    (and refused with 413 by the hub) instead of silently stalling the queue behind it.
    """
    batch: list[RowT] = []
    total = 0
    for row in rows:
        if batch and (len(batch) >= max_events or total + row.size_bytes > max_bytes):
            break
        batch.append(row)
        total += row.size_bytes
    return batch


def contiguous_high_water(acked: int, received: Iterable[int]) -> int:
    """Highest seq h >= `acked` such that every seq in (acked, h] is in `received`."""
    present = set(received)
    high = acked
    while high + 1 in present:
        high += 1
    return high


def missing_ranges(acked: int, received: Iterable[int]) -> list[SeqRange]:
    """The gaps between `acked` and the highest received seq, as inclusive ranges."""
    present = sorted(seq for seq in set(received) if seq > acked)
    gaps: list[SeqRange] = []
    expected = acked + 1
    for seq in present:
        if seq > expected:
            gaps.append(SeqRange(first=expected, last=seq - 1))
        expected = seq + 1
    return gaps


@dataclass(slots=True)
class Backoff:
    """Capped exponential back-off with full jitter.

    Delay after the n-th consecutive failure is uniform in [0, min(cap_s, base_s * 2**n)],
    after Brooker, "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015): it spreads
    the retries of many stores that lost the hub at the same moment.
    """

    base_s: float = 0.5
    cap_s: float = 30.0
    failures: int = 0
    rng: random.Random | None = None

    def next_delay_s(self) -> float:
        """Record one more failure and return how long to wait before the next attempt."""
        ceiling = min(self.cap_s, self.base_s * (2 ** min(self.failures, 32)))
        self.failures += 1
        return (self.rng or random).uniform(0.0, ceiling)

    def reset(self) -> None:
        self.failures = 0


@dataclass(frozen=True, slots=True)
class DayTotals:
    """A day's documents summed three ways: how many, their signed total, and their ids.

    `id_hash` is the sum, modulo 2**64, of the first 8 bytes of each event id's SHA-256, in
    hex: independent of order, and, unlike an XOR, changed by an event counted twice.
    """

    count: int
    total_minor: int
    id_hash: str


def day_totals(events: Iterable[tuple[str, int]]) -> DayTotals:
    """Totals of (event id, signed total in minor units) pairs: returns count negative."""
    count = 0
    total = 0
    digest_sum = 0
    for event_id, total_minor in events:
        count += 1
        total += total_minor
        digest_sum += int.from_bytes(hashlib.sha256(str(event_id).encode()).digest()[:8], "big")
    return DayTotals(count, total, f"{digest_sum % 2**64:016x}")


def hub_skew_ms(one_way_ms: int, transit_ms: int | None) -> int:
    """The hub clock minus a node's clock, in milliseconds, as the hub records it at a push.

    `one_way_ms` is the hub's receipt time minus the node's `sent_at`: the skew plus the
    transit. `transit_ms` is that transit as measured at the node's previous push: the hub's
    one-way figure then, less the node's round-trip estimate for that same push
    (`estimate_skew_ms`), never below zero. Without it (a node's first push, a node that
    does not report, an estimate of another push) the one-way figure stands. A clock that
    jumped since the previous push shows at once: only the transit comes from it.
    """
    return one_way_ms - max(transit_ms, 0) if transit_ms is not None else one_way_ms


def estimate_skew_ms(sent: datetime, received: datetime, hub_time: datetime) -> int:
    """The hub clock minus the edge clock, in milliseconds, NTP-style.

    Assumes the hub stamped `hub_time` half-way between the edge's `sent` and `received`
    (both read from the edge's clock). Reported only; never used to order anything.
    """
    midpoint = sent + (received - sent) / 2
    return round((hub_time - midpoint).total_seconds() * 1000)
