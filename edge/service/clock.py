"""Use case of a driven clock: the replay moves a node's time forward (clock_mode=manual)."""

from __future__ import annotations

from datetime import datetime

from edge.adapters.unit_of_work import EdgeTransactions
from edge.errors import ClockNotDriven
from shared.clock import Clock, ManualClock


async def drive_clock(
    moment: datetime, transactions: EdgeTransactions, *, clock: Clock
) -> datetime:
    """Move the node's driven clock to `moment` (aware) and remember it, so a restart does not
    turn time back; returns the clock's new time.

    The clock moves before the write is queued: requests already waiting for the writer see
    the new time, as they would on a clock that kept running. Raises ClockNotDriven on a node
    running on the system clock, shared.errors.InvalidTimestamp for a naive `moment` or one
    before the clock's time.
    """
    if not isinstance(clock, ManualClock):
        raise ClockNotDriven()
    clock.set(moment)
    now = clock.now()
    await transactions.write(lambda uow: uow.node.remember_driven_time(now), durable=False)
    return now
