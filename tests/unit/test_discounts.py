"""Line and cart discounts: what a customer sees off each line, to the penny (or yen, or fils),
and the refusals a cashier meets."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.domain.discounts import (
    Discount,
    DiscountExceedsCart,
    DiscountExceedsLine,
    InvalidDiscount,
    allocate_cart_discount,
    allocate_minor,
    line_discount,
)
from shared.errors import CurrencyMismatch, InvalidAmount
from shared.money import Money


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_ten_percent_off_a_line():
    assert line_discount(gbp("19.99"), Discount.percent("10")) == gbp("2.00")


def test_a_percent_rounds_half_up_once():
    assert line_discount(gbp("0.05"), Discount.percent("50")) == gbp("0.03")


def test_an_amount_off_a_line_and_the_whole_line():
    assert line_discount(gbp("3.00"), Discount.amount("1.50")) == gbp("1.50")
    assert line_discount(gbp("3.00"), Discount.amount("3.00")) == gbp("3.00")
    assert line_discount(gbp("3.00"), Discount.percent("100")) == gbp("3.00")


def test_a_line_discount_above_the_line_is_refused():
    with pytest.raises(DiscountExceedsLine) as refused:
        line_discount(gbp("3.00"), Discount.amount("3.01"))
    assert refused.value.code == "discount_exceeds_line"
    assert (refused.value.discount, refused.value.line_total) == ("3.01", "3.00")


@pytest.mark.parametrize(
    ("discount", "currency"),
    [
        (Discount.percent("0"), "GBP"),
        (Discount.percent("-5"), "GBP"),
        (Discount.percent("100.01"), "GBP"),
        (Discount.percent("12.345"), "GBP"),
        (Discount.amount("0"), "GBP"),
        (Discount.amount("-1"), "GBP"),
        (Discount.amount("0.001"), "GBP"),
        (Discount.amount("0.5"), "JPY"),
        (Discount.amount("0.0001"), "KWD"),
    ],
)
def test_discounts_that_cannot_be_given_are_refused(discount, currency):
    with pytest.raises(InvalidDiscount) as refused:
        line_discount(Money.of("100", currency), discount)
    assert refused.value.code == "invalid_discount"


def test_a_float_is_never_a_discount():
    with pytest.raises(InvalidAmount):
        Discount.percent(10.0)  # type: ignore[arg-type]


def test_a_discount_on_a_return_line_is_refused():
    with pytest.raises(InvalidDiscount):
        line_discount(gbp("-3.00"), Discount.amount("1"))


def test_a_cart_discount_is_spread_in_proportion_and_sums_exactly():
    shares = allocate_cart_discount(
        [gbp("10.00"), gbp("20.00"), gbp("30.00")], Discount.amount("1.00")
    )
    assert shares == [gbp("0.17"), gbp("0.33"), gbp("0.50")]


def test_ties_go_to_the_earlier_line():
    assert allocate_minor(1, [100, 100, 100]) == [1, 0, 0]
    assert allocate_minor(2, [100, 100, 100]) == [1, 1, 0]


def test_a_percent_cart_discount():
    shares = allocate_cart_discount([gbp("9.99"), gbp("0.01")], Discount.percent("10"))
    assert shares == [gbp("1.00"), gbp("0.00")]


def test_the_whole_cart_discounted_takes_every_line_to_zero():
    lines = [gbp("1.99"), gbp("0.00"), gbp("5.01")]
    assert allocate_cart_discount(lines, Discount.percent("100")) == lines


def test_a_cart_discount_above_the_cart_is_refused():
    with pytest.raises(DiscountExceedsCart) as refused:
        allocate_cart_discount([gbp("1.00"), gbp("2.00")], Discount.amount("3.01"))
    assert refused.value.code == "discount_exceeds_cart"
    assert (refused.value.discount, refused.value.cart_total) == ("3.01", "3.00")


def test_a_cart_discount_on_an_empty_cart_or_a_zero_cart_is_refused():
    with pytest.raises(InvalidDiscount):
        allocate_cart_discount([], Discount.amount("1"))
    with pytest.raises(DiscountExceedsCart):
        allocate_cart_discount([gbp("0")], Discount.amount("0.01"))


def test_a_cart_discount_over_a_return_line_is_refused():
    with pytest.raises(InvalidDiscount):
        allocate_cart_discount([gbp("5"), gbp("-1")], Discount.amount("1"))


def test_lines_in_two_currencies_are_refused():
    with pytest.raises(CurrencyMismatch):
        allocate_cart_discount([gbp("5"), Money.of("5", "EUR")], Discount.amount("1"))


@pytest.mark.parametrize(
    ("currency", "lines", "discount", "expected"),
    [
        ("JPY", ["100", "200", "701"], "100", ["10", "20", "70"]),
        ("JPY", ["1", "1", "1"], "2", ["1", "1", "0"]),
        ("KWD", ["1.000", "2.000"], "0.001", ["0.000", "0.001"]),
        ("KWD", ["0.333", "0.333", "0.334"], "0.500", ["0.167", "0.166", "0.167"]),
    ],
)
def test_currencies_without_and_with_three_places(currency, lines, discount, expected):
    shares = allocate_cart_discount(
        [Money.of(x, currency) for x in lines], Discount.amount(discount)
    )
    assert shares == [Money.of(x, currency) for x in expected]


line_totals = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30)


@st.composite
def discount_and_lines(draw: st.DrawFn) -> tuple[int, list[int]]:
    lines = draw(line_totals.filter(lambda totals: sum(totals) > 0))
    return draw(st.integers(min_value=0, max_value=sum(lines))), lines


@given(discount_and_lines())
def test_shares_sum_exactly_and_no_line_goes_below_zero(case):
    discount, lines = case
    shares = allocate_minor(discount, lines)
    assert sum(shares) == discount
    assert all(0 <= share <= total for share, total in zip(shares, lines, strict=True))


@given(discount_and_lines())
def test_each_share_is_within_one_minor_unit_of_its_exact_share(case):
    discount, lines = case
    cart_total = sum(lines)
    for share, total in zip(allocate_minor(discount, lines), lines, strict=True):
        assert abs(share - Fraction(discount * total, cart_total)) < 1


@given(discount_and_lines())
def test_the_units_left_over_go_to_the_largest_remainders_earlier_lines_first(case):
    discount, lines = case
    cart_total = sum(lines)
    shares = allocate_minor(discount, lines)
    assert shares == allocate_minor(discount, list(lines))  # deterministic
    rounded_up = [i for i, total in enumerate(lines) if shares[i] * cart_total > discount * total]
    kept_down = [i for i in range(len(lines)) if i not in rounded_up]
    remainder = [discount * total % cart_total for total in lines]
    for up in rounded_up:
        for down in kept_down:
            assert remainder[up] > remainder[down] or (
                remainder[up] == remainder[down] and up < down
            )


@given(discount_and_lines().map(lambda case: (case[0] + 1 + sum(case[1]), case[1])))
def test_more_than_the_cart_is_always_refused(case):
    discount, lines = case
    with pytest.raises(DiscountExceedsCart):
        allocate_minor(discount, lines)


@given(
    st.sampled_from(["JPY", "GBP", "KWD"]),
    st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=12),
    st.integers(min_value=1, max_value=10000),
)
def test_a_percent_cart_discount_in_any_currency_sums_to_the_percent_of_the_cart(
    currency, lines_minor, basis_points
):
    lines = [Money.from_minor(total, currency) for total in lines_minor]
    discount = Discount.percent(f"{basis_points / 100:.2f}")
    cart_total = Money.sum(lines, currency)
    shares = allocate_cart_discount(lines, discount)
    assert Money.sum(shares, currency) == discount.of(cart_total)
    assert all(
        Money.zero(currency) <= share <= line for share, line in zip(shares, lines, strict=True)
    )
