"""Card settlement: the hub's card money of a UTC day, store by store, against what the
acquirer settled for that day.

The acquirer's settlement report (docs/payments.md, `GET /v1/settlements/{day}`) totals the
captures and refunds it made on a UTC day, grouped by the first part of each payment's
reference, `"<store_id>/<till_id>/<document id>"`: the store. The hub's side of the same day is
the card tenders the stores recorded: a sale's card tender captured online (the day of the
sale's business time, in UTC) or captured later by the store's forwarder (`card.settled`
outcome `captured`, the day it settled), less a return's card refunds counted the same way.
A store-day matches when both captured and refunded agree to the minor unit; anything else is
a mismatch, and HQ gets an integrity alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

SettlementStatus = Literal["matched", "mismatch"]


@dataclass(frozen=True, slots=True)
class CardMoney:
    """Card money of one store on one UTC day, in minor units, both positive: `captured`
    (sales) and `refunded` (returns); `count` the captures and refunds behind them."""

    captured_minor: int = 0
    refunded_minor: int = 0
    count: int = 0

    @property
    def net_minor(self) -> int:
        return self.captured_minor - self.refunded_minor

    def __add__(self, other: CardMoney) -> CardMoney:
        return CardMoney(
            self.captured_minor + other.captured_minor,
            self.refunded_minor + other.refunded_minor,
            self.count + other.count,
        )


@dataclass(frozen=True, slots=True)
class AcquirerSettlement:
    """The acquirer's settlement of one UTC day in one currency, per store (`by_store`)."""

    day: date
    currency: str
    by_store: Mapping[str, CardMoney]


@dataclass(frozen=True, slots=True)
class CardSettlement:
    """A store's card money on a UTC day as the hub and the acquirer each have it, and
    whether they agree; the latest reconciliation of that store-day."""

    store_id: str
    day: date
    currency: str
    hub: CardMoney
    acquirer: CardMoney
    status: SettlementStatus
    reconciled_at: datetime

    @property
    def difference_minor(self) -> int:
        """What the acquirer settled beyond the hub's figure (negative: short)."""
        return self.acquirer.net_minor - self.hub.net_minor

    def describe(self) -> str:
        """One line for an integrity alert: both sides' figures, in minor units."""
        return (
            f"card settlement {self.day.isoformat()} ({self.currency}, minor units): hub "
            f"captured {self.hub.captured_minor} refunded {self.hub.refunded_minor}, acquirer "
            f"captured {self.acquirer.captured_minor} refunded {self.acquirer.refunded_minor}"
        )


def reconcile(
    day: date,
    currency: str,
    hub: Mapping[str, CardMoney],
    acquirer: Mapping[str, CardMoney],
    now: datetime,
    recorded: Iterable[str] = (),
) -> list[CardSettlement]:
    """One verdict per store either side has card money for on `day`, or with a verdict
    `recorded` before (so a difference that went away is marked matched), by store id:
    matched when captured and refunded are equal on both sides (counts are informative only:
    one capture split in two at the same total is no difference in money)."""
    verdicts = []
    for store_id in sorted({*hub, *acquirer, *recorded}):
        ours, theirs = hub.get(store_id, CardMoney()), acquirer.get(store_id, CardMoney())
        agreed = (ours.captured_minor, ours.refunded_minor) == (
            theirs.captured_minor,
            theirs.refunded_minor,
        )
        verdicts.append(
            CardSettlement(
                store_id=store_id,
                day=day,
                currency=currency,
                hub=ours,
                acquirer=theirs,
                status="matched" if agreed else "mismatch",
                reconciled_at=now,
            )
        )
    return verdicts
