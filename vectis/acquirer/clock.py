"""The simulator's clock: the system's (UTC), or driven through `PUT /v1/clock` so that a
replay of past days settles each capture on the day it was taken (`--clock manual`)."""

from __future__ import annotations

from datetime import UTC, datetime

from vectis.acquirer.errors import ClockBackwards, ClockNotDriven


class AcquirerClock:
    """`now()` is an aware UTC datetime. A manual clock starts at `start` (default: the
    system's time) and moves only by `drive`."""

    def __init__(self, manual: bool = False, start: datetime | None = None) -> None:
        self.manual = manual
        self._now = (start or datetime.now(UTC)).astimezone(UTC) if manual else None

    def now(self) -> datetime:
        return self._now if self._now is not None else datetime.now(UTC)

    def drive(self, to: datetime) -> datetime:
        """Move a manual clock to `to` (aware). Raises ClockNotDriven on the system clock,
        ClockBackwards for a time before the clock's."""
        if self._now is None:
            raise ClockNotDriven("the simulator runs on the system clock (--clock manual)")
        target = to.astimezone(UTC)
        if target < self._now:
            raise ClockBackwards(f"{target.isoformat()} is before {self._now.isoformat()}")
        self._now = target
        return target
