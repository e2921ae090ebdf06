"""Card settlement verdicts and the sales report's tender split, as HQ reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hub.domain.ledger import tender_split
from hub.domain.settlements import CardMoney, reconcile

DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def test_a_store_day_matches_only_when_captured_and_refunded_both_agree() -> None:
    hub = {
        "s-1": CardMoney(1000, 200, 3),
        "s-2": CardMoney(1000, 0, 1),
        "s-3": CardMoney(500, 0, 1),
    }
    acquirer = {
        "s-1": CardMoney(1000, 200, 3),
        "s-2": CardMoney(1200, 200, 2),  # same net, different money: a mismatch
        "s-4": CardMoney(300, 0, 1),  # money the hub has no sale for
    }
    verdicts = reconcile(DAY, "GBP", hub, acquirer, NOW)
    assert [(v.store_id, v.status, v.difference_minor) for v in verdicts] == [
        ("s-1", "matched", 0),
        ("s-2", "mismatch", 0),
        ("s-3", "mismatch", -500),
        ("s-4", "mismatch", 300),
    ]
    assert "hub captured 1000 refunded 0, acquirer captured 1200 refunded 200" in (
        verdicts[1].describe()
    )


def test_a_store_reconciled_before_gets_a_verdict_even_when_both_sides_are_now_empty() -> None:
    (verdict,) = reconcile(DAY, "GBP", {}, {}, NOW, recorded=["s-1"])
    assert (verdict.store_id, verdict.status, verdict.hub, verdict.acquirer) == (
        "s-1",
        "matched",
        CardMoney(),
        CardMoney(),
    )


def test_counts_alone_do_not_make_a_mismatch() -> None:
    (verdict,) = reconcile(
        DAY, "GBP", {"s": CardMoney(500, 0, 1)}, {"s": CardMoney(500, 0, 2)}, NOW
    )
    assert verdict.status == "matched"


@pytest.mark.parametrize(
    ("revenue", "tendered", "split"),
    [
        (
            3500,
            {"cash": 1500, "card": 1500, "gift_card": 500},
            {"card": 1500, "cash": 1500, "gift_card": 500},
        ),
        (-3000, {"card": -2000, "store_credit": -1000}, {"card": -2000, "store_credit": -1000}),
        (1000, {"cash": 900}, {"cash": 900, "untendered": 100}),
        (0, {"cash": 0, "card": 0}, {}),
        (500, {"cash": 1000, "card": -500}, {"card": -500, "cash": 1000}),
    ],
)
def test_the_tender_split_always_sums_to_the_revenue(
    revenue: int, tendered: dict[str, int], split: dict[str, int]
) -> None:
    assert tender_split(revenue, tendered) == split
    assert sum(split.values()) == revenue
