"""Clocks: an injectable wall clock and a hybrid logical clock (HLC).

Business code asks a `Clock` for the time instead of calling `datetime.now`, so tests and the
replay can drive time (`ManualClock`). Ordering across machines never uses a wall clock: it
uses `HybridLogicalClock`, after Kulkarni, Demirbas et al., "Logical Physical Clocks and
Consistent Snapshots in Globally Distributed Databases" (OPODIS 2014), algorithm 2.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from shared.errors import InvalidTimestamp


class Clock(Protocol):
    """A source of the current time, always timezone-aware (UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: tests, and edges whose time the replay drives.

    `set` refuses naive datetimes (InvalidTimestamp); time may move backwards only if
    `allow_backwards` is set, because a till whose clock jumps back is a fault worth seeing.
    """

    def __init__(self, start: datetime, *, allow_backwards: bool = False) -> None:
        self._now = require_aware(start)
        self.allow_backwards = allow_backwards
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        moment = require_aware(moment)
        with self._lock:
            if moment < self._now and not self.allow_backwards:
                raise InvalidTimestamp(
                    moment.isoformat(), f"clock would move backwards from {self._now.isoformat()}"
                )
            self._now = moment

    def advance(self, delta: timedelta) -> None:
        """Move the clock by `delta`; a negative one only if `allow_backwards`."""
        with self._lock:
            if delta < timedelta(0) and not self.allow_backwards:
                raise InvalidTimestamp(str(delta), "clock would move backwards")
            self._now = self._now + delta


def require_aware(moment: datetime) -> datetime:
    """Return `moment` in UTC; raise InvalidTimestamp if it is naive."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidTimestamp(str(moment), "a time zone is required")
    return moment.astimezone(UTC)


def to_epoch_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch of an aware datetime."""
    moment = require_aware(moment)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_epoch_ms(epoch_ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=epoch_ms)


_HLC_PATTERN = re.compile(r"^(\d{15})-(\d{6})-([A-Za-z0-9_.:-]{1,64})$")
_MAX_COUNTER = 999_999


@dataclass(frozen=True, order=True, slots=True)
class HLCTimestamp:
    """One HLC reading: (wall_ms, counter, node). Tuple order is the causal total order.

    `encode()` gives a fixed-width string whose lexicographic order equals that order, e.g.
    `001291197160000-000003-node-7`.
    """

    wall_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        return f"{self.wall_ms:015d}-{self.counter:06d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> HLCTimestamp:
        """Inverse of `encode`; raises InvalidTimestamp on anything else."""
        match = _HLC_PATTERN.match(text)
        if match is None:
            raise InvalidTimestamp(text, "not an HLC timestamp (wall_ms-counter-node)")
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))

    def __str__(self) -> str:
        return self.encode()


class HybridLogicalClock:
    """A hybrid logical clock for one node (Kulkarni et al. 2014, algorithm 2).

    `tick()` stamps a local or send event; `receive(remote)` merges a timestamp seen in a
    message. Readings never go backwards even if the wall clock does. `last` restores the
    clock's state after a restart (the highest timestamp this node ever issued).
    """

    def __init__(self, clock: Clock, node: str, last: HLCTimestamp | None = None) -> None:
        self._clock = clock
        self._node = node
        self._wall_ms = last.wall_ms if last else 0
        self._counter = last.counter if last else 0
        self._lock = threading.Lock()

    @property
    def node(self) -> str:
        return self._node

    def _physical_ms(self) -> int:
        return to_epoch_ms(self._clock.now())

    def tick(self) -> HLCTimestamp:
        with self._lock:
            physical = self._physical_ms()
            if physical > self._wall_ms:
                self._wall_ms, self._counter = physical, 0
            else:
                self._counter += 1
            return self._reading()

    def receive(self, remote: HLCTimestamp) -> HLCTimestamp:
        with self._lock:
            physical = self._physical_ms()
            previous = self._wall_ms
            self._wall_ms = max(previous, remote.wall_ms, physical)
            if self._wall_ms == previous == remote.wall_ms:
                self._counter = max(self._counter, remote.counter) + 1
            elif self._wall_ms == previous:
                self._counter += 1
            elif self._wall_ms == remote.wall_ms:
                self._counter = remote.counter + 1
            else:
                self._counter = 0
            return self._reading()

    def _reading(self) -> HLCTimestamp:
        if self._counter > _MAX_COUNTER:
            # A million events inside one millisecond of a stalled clock: borrow the next
            # millisecond rather than overflow the fixed-width encoding.
            self._wall_ms += 1
            self._counter = 0
        return HLCTimestamp(self._wall_ms, self._counter, self._node)
