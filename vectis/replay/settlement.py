"""The replay's card check: the acquirer's settlement against the hub's card money, per store.

After the run the replay asks the acquirer (`vectis acquirer-sim`, system clock) for the
settlement of every UTC day the run spanned and checks, for each store:

- **no card captured twice**: no two captures carry the same tender (the capture's
  idempotency key is `charge:<tender id>`, `edge.payments.port.idempotency_key`);
- **the money agrees**: the acquirer's net for the store (captures less refunds) equals the
  hub's card money for the store's days, less the cards taken offline that were never
  captured (declined when forwarded, or expired): those sales stand at the hub, the store
  carries the loss.

Differences are mismatches of scope `settlement` (`dataset`: the acquirer's figure, `hub`:
the hub's).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from vectis.ops.acquirer import AcquirerProcess
from vectis.replay.reconcile import Mismatch, Report, format_money
from vectis.replay.tender_report import OfflineCard, TenderTally

# What became of a card taken offline, by the acquirer's record of its key.
CAPTURED, DECLINED, NEVER_SENT = "captured", "declined", "never_sent"


@dataclass(frozen=True, slots=True)
class Settlement:
    """The acquirer's captures and refunds over some days: net GBP per store and the tender id
    of every capture (from its idempotency key)."""

    net_by_store: dict[str, Decimal]
    captured_tenders: list[str]

    @classmethod
    def of(cls, days: Iterable[Mapping[str, Any]]) -> Settlement:
        """From `GET /v1/settlements/{day}` bodies (docs/payments.md)."""
        net: dict[str, Decimal] = {}
        captured: list[str] = []
        for day in days:
            for store, figures in day["by_reference"].items():
                net[store] = net.get(store, Decimal("0.00")) + Decimal(figures["net"])
            captured.extend(
                str(item["idempotency_key"]).partition(":")[2]
                for item in day["items"]
                if item["kind"] == "capture"
            )
        return cls(net, captured)


def days_between(first: date, last: date) -> list[date]:
    """`first` to `last` inclusive (empty when last < first)."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def check_settlement(
    settlement: Settlement,
    hub_card_by_store: Mapping[str, Decimal],
    offline_cards: Sequence[OfflineCard],
    outcomes: Mapping[str, str],
) -> list[Mismatch]:
    """Mismatches between the acquirer and the hub (see the module): per store, field `card`;
    per tender captured more than once, field `captures` (key: the tender id)."""
    mismatches = [
        Mismatch("settlement", tender, "captures", str(count), "1")
        for tender, count in sorted(Counter(settlement.captured_tenders).items())
        if count > 1
    ]
    lost: dict[str, Decimal] = {}
    for card in offline_cards:
        if outcomes.get(card.tender_id) != CAPTURED:
            lost[card.store_id] = lost.get(card.store_id, Decimal("0.00")) + card.amount
    zero = Decimal("0.00")
    for store in sorted(settlement.net_by_store.keys() | hub_card_by_store.keys()):
        expected = hub_card_by_store.get(store, zero) - lost.get(store, zero)
        acquired = settlement.net_by_store.get(store, zero)
        if expected != acquired:
            mismatches.append(
                Mismatch(
                    "settlement", store, "card", format_money(acquired), format_money(expected)
                )
            )
    return mismatches


def hub_card_money(report: Report) -> dict[str, Decimal]:
    """Each store's card money over the report's days (its tender breakdown's `card`)."""
    return {
        store: sum((amounts.get("card", Decimal(0)) for amounts in days.values()), Decimal("0.00"))
        for store, days in report.tenders_by_store_day.items()
    }


def offline_summary(tally: TenderTally, outcomes: Mapping[str, str]) -> dict[str, Any]:
    """The report's `offline_cards`: cards `taken` offline and their `amount`, how many were
    `forwarded` (reached the acquirer), `declined` there, `expired` (never sent: their deadline
    passed), and card tenders refused offline above the caps and paid in cash
    (`over_cap_paid_cash`)."""
    taken = tally.offline_cards
    found = Counter(outcomes.get(card.tender_id, NEVER_SENT) for card in taken)
    return {
        "taken": len(taken),
        "amount": format_money(sum((card.amount for card in taken), Decimal("0.00"))),
        "forwarded": found[CAPTURED] + found[DECLINED],
        "declined": found[DECLINED],
        "expired": found[NEVER_SENT],
        "over_cap_paid_cash": tally.over_cap_paid_cash,
    }


async def fetch_settlement(acquirer: AcquirerProcess, first: date, last: date) -> Settlement:
    """The acquirer's settlement of the UTC days `first`..`last`."""
    return Settlement.of([await acquirer.settlement(day) for day in days_between(first, last)])


async def fetch_outcomes(acquirer: AcquirerProcess, cards: Iterable[OfflineCard]) -> dict[str, str]:
    """What the acquirer recorded for each card taken offline: captured, declined, or (no
    record of its key) never_sent."""
    outcomes: dict[str, str] = {}
    async with httpx.AsyncClient(
        base_url=acquirer.url, headers=acquirer.headers, timeout=30.0, trust_env=False
    ) as client:
        for card in cards:
            answer = await client.get(f"/v1/operations/charge:{card.tender_id}")
            if answer.status_code == 404:
                outcomes[card.tender_id] = NEVER_SENT
                continue
            answer.raise_for_status()
            outcomes[card.tender_id] = (
                CAPTURED if answer.json().get("status") == "captured" else DECLINED
            )
    return outcomes
