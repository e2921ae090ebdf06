"""A replayed till's shifts: one per business day, opened with a float counted by
denomination and closed with a blind count into its Z report (docs/replay.md).

The count equals the cash the till expects, except on about one shift in seven (chosen by a
hash of store, till and day, so every run picks the same ones), where the drawer is 0.05
short: the Z reports a variance of -0.05 there. A drawer expected to hold less than nothing
(cash refunds above the day's cash) is counted as empty.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from shared.denominations import DENOMINATIONS
from vectis.replay.errors import EdgeRefused

FLOAT = Decimal("100.00")
SHORT = Decimal("0.05")
_IDS = uuid.UUID("0b7a6c1e-52a4-4d0e-8d4f-3a1f5e9c2d71")

Call = Callable[..., Any]


def counts_of(total: Decimal, currency: str = "GBP") -> dict[str, int]:
    """`total` (>= 0) in the fewest notes and coins of `currency`, as the till's count."""
    counts: dict[str, int] = {}
    left = total
    for value in DENOMINATIONS[currency]:
        number = int(left // value)
        if number:
            counts[str(value)] = number
            left -= number * value
    return counts


def variance_of(store_id: str, till_id: str, day: date) -> Decimal:
    """What the replayed count differs from the expected cash by: -0.05 on about one shift in
    seven, deterministically, 0 otherwise."""
    digest = hashlib.sha256(f"{store_id}/{till_id}/{day.isoformat()}".encode()).digest()
    return -SHORT if digest[0] % 7 == 0 else Decimal(0)


def counted_of(expected: Decimal, store_id: str, till_id: str, day: date) -> Decimal:
    """What the replay counts in a drawer that should hold `expected`: that, plus the day's
    deterministic variance, and never less than nothing (a day whose cash refunds outran its
    cash takings expects a negative drawer: the count is 0)."""
    return max(expected + variance_of(store_id, till_id, day), Decimal(0))


class TillShifts:
    """The shift of one replayed till: `ensure(day)` before each sale, `close()` at the end."""

    def __init__(self, call: Call, store_id: str, till_id: str) -> None:
        self._call = call
        self.store_id = store_id
        self.till_id = till_id
        self._shift: str | None = None
        self._day: date | None = None
        self.closed = 0

    def adopt(self) -> None:
        """Take over the shift open at the till, if any (a replay resumed on an edge)."""
        try:
            current = self._call("GET", f"/v1/shifts/current?till_id={self.till_id}")
        except EdgeRefused as refused:
            if refused.status != 409:
                raise
            return
        self._shift, self._day = current["shift_id"], date.fromisoformat(current["business_day"])

    def ensure(self, day: date) -> None:
        """The till's shift for business day `day`: the day's own, after closing an older
        one with its Z."""
        if self._shift is not None and self._day == day:
            return
        if self._shift is not None:
            self.close()
        shift_id = uuid.uuid5(_IDS, f"{self.store_id}/{self.till_id}/{day.isoformat()}")
        opened = self._call(
            "POST",
            "/v1/shifts",
            {"till_id": self.till_id, "float_counts": counts_of(FLOAT), "shift_id": str(shift_id)},
        )
        self._shift, self._day = opened["shift_id"], day

    def close(self) -> None:
        """Close the open shift (if any) with a blind count of what the till expects, less
        the day's deterministic shortage; the Z report is the edge's answer."""
        if self._shift is None or self._day is None:
            return
        report = self._call("GET", f"/v1/shifts/{self._shift}/x-report")
        expected = Decimal(report["expected_cash"])
        counted = counted_of(expected, self.store_id, self.till_id, self._day)
        self._call("POST", f"/v1/shifts/{self._shift}/close", {"counted": counts_of(counted)})
        self._shift = self._day = None
        self.closed += 1
