"""Process-wide tuning that the hub's and the edge's entry points apply at start."""

from __future__ import annotations

import gc


def tune_garbage_collector() -> None:
    """Collect young objects every 50,000 allocations instead of every 700.

    A push of 250 events allocates some hundred thousand short-lived objects; with the default
    threshold the collector ran over them again and again. Measured: validating an event's
    payload took 66 us, 22 us with this setting. Reference cycles are still collected.
    """
    gc.set_threshold(50_000, 20, 20)
