"""The replay's card check: the acquirer's settlement against the hub's card money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from vectis.replay.reconcile import Mismatch
from vectis.replay.settlement import (
    CAPTURED,
    DECLINED,
    NEVER_SENT,
    Settlement,
    check_settlement,
    days_between,
    offline_summary,
)
from vectis.replay.tender_report import OfflineCard, TenderTally


def capture(tender: str, amount: str, store: str = "store-1") -> dict[str, Any]:
    return {
        "kind": "capture",
        "amount": amount,
        "reference": f"{store}/T1/cart",
        "idempotency_key": f"charge:{tender}",
    }


def day(*items: dict[str, Any], net: dict[str, str]) -> dict[str, Any]:
    return {"items": list(items), "by_reference": {s: {"net": n} for s, n in net.items()}}


OFFLINE = [
    OfflineCard("store-1", "T1", "t-forwarded", Decimal("40.00")),
    OfflineCard("store-1", "T2", "t-declined", Decimal("12.51")),
    OfflineCard("store-2", "T1", "t-expired", Decimal("9.99")),
]
OUTCOMES = {"t-forwarded": CAPTURED, "t-declined": DECLINED, "t-expired": NEVER_SENT}


def test_the_acquirer_settling_the_hubs_card_money_less_cards_lost_offline_is_no_mismatch() -> None:
    settlement = Settlement.of(
        [
            day(capture("t-online", "100.00"), net={"store-1": "100.00"}),
            day(capture("t-forwarded", "40.00"), net={"store-1": "40.00", "store-2": "5.00"}),
        ]
    )
    assert settlement.net_by_store == {"store-1": Decimal("140.00"), "store-2": Decimal("5.00")}
    hub = {"store-1": Decimal("152.51"), "store-2": Decimal("14.99")}
    assert check_settlement(settlement, hub, OFFLINE, OUTCOMES) == []


def test_a_card_captured_twice_and_money_the_hub_does_not_know_are_mismatches() -> None:
    settlement = Settlement.of(
        [
            day(capture("t-1", "20.00"), net={"store-1": "20.00"}),
            day(capture("t-1", "20.00"), net={"store-1": "20.00"}),
        ]
    )
    assert check_settlement(settlement, {"store-1": Decimal("20.00")}, [], {}) == [
        Mismatch("settlement", "t-1", "captures", "2", "1"),
        Mismatch("settlement", "store-1", "card", "40.00", "20.00"),
    ]


def test_the_offline_cards_summary_counts_what_became_of_each() -> None:
    tally = TenderTally(offline_cards=list(OFFLINE), over_cap_paid_cash=3)
    assert offline_summary(tally, OUTCOMES) == {
        "taken": 3,
        "amount": "62.50",
        "forwarded": 2,
        "declined": 1,
        "expired": 1,
        "over_cap_paid_cash": 3,
    }


def test_a_run_over_midnight_asks_for_both_days() -> None:
    assert days_between(date(2026, 12, 6), date(2026, 12, 7)) == [
        date(2026, 12, 6),
        date(2026, 12, 7),
    ]
    assert days_between(date(2026, 12, 6), date(2026, 12, 6)) == [date(2026, 12, 6)]
