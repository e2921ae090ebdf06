"""The till's tax and promotion arithmetic (edge.domain.pricing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from edge.domain.pricing import Promotion, TaxRate, best_promotion, price_line, share
from shared.money import Money

NOON = datetime(2010, 12, 1, 12, tzinfo=UTC)
VAT = TaxRate("STD", Decimal("20"), 3)


def promo(pid: str, percent: str, hours: int = 1) -> Promotion:
    return Promotion(
        pid, 1, Decimal(percent), NOON - timedelta(hours=1), NOON + timedelta(hours=hours)
    )


def test_tax_is_the_share_of_the_discounted_total_and_changes_nothing_paid() -> None:
    priced = price_line(Money.of("7.65", "GBP"), promo("P", "10"), VAT)
    assert (priced.discount, priced.total, priced.tax) == (
        Money.of("0.77", "GBP"),  # 0.765 rounds half up
        Money.of("6.88", "GBP"),
        Money.of("1.15", "GBP"),  # 6.88 x 20 / 120 = 1.1467
    )
    untaxed = price_line(Money.of("7.65", "GBP"), None, None)
    assert (untaxed.total, untaxed.tax, untaxed.discount.is_zero()) == (
        Money.of("7.65", "GBP"),
        Money.zero("GBP"),
        True,
    )


def test_a_line_given_back_inside_a_sale_mirrors_a_sold_one_exactly() -> None:
    sold = price_line(Money.of("7.65", "GBP"), promo("P", "10"), VAT)
    given_back = price_line(Money.of("-7.65", "GBP"), promo("P", "10"), VAT)
    assert (given_back.discount, given_back.total, given_back.tax) == (
        -sold.discount,
        -sold.total,
        -sold.tax,
    )


def test_the_best_promotion_in_force_wins_and_none_stack() -> None:
    offers = [promo("SMALL", "5"), promo("BIG", "20"), promo("EXPIRED", "50", hours=-1)]
    best = best_promotion(offers, NOON)
    assert best is not None and best.promotion_id == "BIG"
    tied = best_promotion([promo("B", "10"), promo("A", "10")], NOON)
    assert tied is not None and tied.promotion_id == "A"
    assert best_promotion(offers, NOON + timedelta(hours=2)) is None
    assert best_promotion([promo("P", "5")], NOON + timedelta(hours=1)) is None  # end is exclusive


@given(
    minor=st.integers(min_value=-(10**9), max_value=10**9),
    parts=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=20),
)
def test_shares_taken_one_return_at_a_time_add_up_to_the_whole_line(
    minor: int, parts: list[int]
) -> None:
    amount = Money.from_minor(minor, "GBP")
    whole = sum(parts)
    taken, total = 0, Money.zero("GBP")
    for part in parts:
        piece = share(amount, taken, part, whole)
        # each piece is within a penny of the exact proportion
        exact = amount.amount * part / whole
        assert abs(piece.amount - exact) <= Decimal("0.01")
        total, taken = total + piece, taken + part
    assert total == amount
