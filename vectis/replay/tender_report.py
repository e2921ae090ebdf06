"""What the replay's tills were paid with, per store and day, and how their cards fared offline.

A till records every document the edge accepted from the edge's own answer (the tenders it
applied, net of change; a return's refunds count negative), so the tally is what was taken,
not what was planned: a card declined at the till or refused above an offline cap was taken in
cash instead, and the tally says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from vectis.replay.reconcile import Mismatch, Report, Scope, Totals, format_money

# kind -> net GBP amount
TenderAmounts = dict[str, Decimal]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class OfflineCard:
    """A card taken while the acquirer was out of reach (stored to forward later)."""

    store_id: str
    till_id: str
    tender_id: str
    amount: Decimal


@dataclass(slots=True)
class TenderTally:
    """Tenders taken per (store, business day), and what happened to cards and gift cards.

    `over_cap_paid_cash`: card tenders the till refused offline above its caps (409
    `offline_limit_reached`), taken in cash; `declined_at_till`: cards the acquirer declined
    online (402), taken in cash; `gift_card_refused`: gift-card tenders refused (balance,
    unknown card, offline cap), taken in cash."""

    by_store_day: dict[tuple[str, str], TenderAmounts] = field(default_factory=dict)
    offline_cards: list[OfflineCard] = field(default_factory=list)
    over_cap_paid_cash: int = 0
    declined_at_till: int = 0
    gift_card_refused: int = 0

    def add_document(
        self, store_id: str, till_id: str, day: str, tenders: Iterable[Mapping[str, Any]], sign: int
    ) -> None:
        """Count the tenders of an accepted document as the edge answered them (`TenderOut`
        bodies: kind, amount applied, card status); `sign` -1 for a return's refunds."""
        amounts = self.by_store_day.setdefault((store_id, day), {})
        for tender in tenders:
            kind = str(tender["kind"])
            amount = Decimal(str(tender["amount"]))
            amounts[kind] = amounts.get(kind, Decimal("0.00")) + sign * amount
            card = tender.get("card") or {}
            if kind == "card" and sign > 0 and card.get("status") == "stored":
                self.offline_cards.append(
                    OfflineCard(store_id, till_id, str(tender.get("tender_id")), amount)
                )

    def merge(self, other: TenderTally) -> None:
        """Add `other`'s counts to this tally (a till's into the run's)."""
        for key, amounts in other.by_store_day.items():
            mine = self.by_store_day.setdefault(key, {})
            for kind, amount in amounts.items():
                mine[kind] = mine.get(kind, Decimal("0.00")) + amount
        self.offline_cards.extend(other.offline_cards)
        self.over_cap_paid_cash += other.over_cap_paid_cash
        self.declined_at_till += other.declined_at_till
        self.gift_card_refused += other.gift_card_refused

    def by_day(self) -> dict[str, TenderAmounts]:
        """Tender amounts per business day, every store together."""
        days: dict[str, TenderAmounts] = {}
        for (_, day), amounts in self.by_store_day.items():
            _add(days.setdefault(day, {}), amounts)
        return days

    def nested(self) -> dict[str, dict[str, TenderAmounts]]:
        """Tender amounts per store, then business day."""
        stores: dict[str, dict[str, TenderAmounts]] = {}
        for (store, day), amounts in self.by_store_day.items():
            _add(stores.setdefault(store, {}).setdefault(day, {}), amounts)
        return stores

    def fill(self, report: Report) -> None:
        """Set `report`'s tender breakdown to this tally's."""
        report.tenders_by_day = self.by_day()
        report.tenders_by_store_day = self.nested()


def _add(into: TenderAmounts, amounts: Mapping[str, Decimal]) -> None:
    for kind, amount in amounts.items():
        into[kind] = into.get(kind, Decimal("0.00")) + amount


def check_tenders(expected: Report, actual: Report) -> list[Mismatch]:
    """Tender breakdowns that do not add up: on each side, per day and per store and day, the
    tenders must sum to that side's revenue (field `tenders (dataset)` / `tenders (hub)`);
    where the hub gives a breakdown, each kind must equal what the tills took (field
    `tenders.KIND`). Empty when all agree."""
    return _check(
        "day", expected.tenders_by_day, actual.tenders_by_day, expected.by_day, actual.by_day
    ) + _check(
        "store_day",
        _flat(expected.tenders_by_store_day),
        _flat(actual.tenders_by_store_day),
        _flat(expected.by_store_day),
        _flat(actual.by_store_day),
    )


def _check(
    scope: Scope,
    mine: Mapping[str, TenderAmounts],
    theirs: Mapping[str, TenderAmounts],
    revenue_mine: Mapping[str, Totals],
    revenue_theirs: Mapping[str, Totals],
) -> list[Mismatch]:
    mismatches: list[Mismatch] = []
    for side, breakdown, revenue in (
        ("dataset", mine, revenue_mine),
        ("hub", theirs, revenue_theirs),
    ):
        if not breakdown:
            continue  # the hub gives none (a hub whose report has no tenders yet)
        for key in sorted(revenue.keys() | breakdown.keys()):
            total = sum(breakdown.get(key, {}).values(), Decimal("0.00"))
            due = revenue.get(key, Totals.zero()).revenue
            if total != due:
                mismatches.append(
                    Mismatch(
                        scope, key, f"tenders ({side})", format_money(due), format_money(total)
                    )
                )
    if theirs:
        zero = Decimal("0.00")
        for key in sorted(mine.keys() | theirs.keys()):
            left, right = mine.get(key, {}), theirs.get(key, {})
            for kind in sorted(left.keys() | right.keys()):
                if left.get(kind, zero) != right.get(kind, zero):
                    mismatches.append(
                        Mismatch(
                            scope,
                            key,
                            f"tenders.{kind}",
                            format_money(left.get(kind, zero)),
                            format_money(right.get(kind, zero)),
                        )
                    )
    return mismatches


def _flat(nested: Mapping[str, Mapping[str, T]]) -> dict[str, T]:
    return {
        f"{store}/{day}": value for store, days in nested.items() for day, value in days.items()
    }
