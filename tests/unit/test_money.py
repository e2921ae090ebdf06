"""Money: exact decimals, one rounding rule (HALF_UP to the minor unit), no floats."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency
from shared.money import Money, line_total, line_total_minor

prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=3)
quantities = st.integers(min_value=-100_000, max_value=100_000).filter(
    lambda quantity: quantity != 0
)


@pytest.mark.parametrize(
    ("quantity", "unit_price", "expected"),
    [
        (6, "2.55", "15.30"),
        (1, "0.001", "0.00"),  # the PADS line of the data: rounds to nothing
        (5, "0.001", "0.01"),  # 0.005 is a tie: HALF_UP goes away from zero
        (3, "2.555", "7.67"),
        (-3, "2.555", "-7.67"),  # a return is the exact negation of the sale
        (80995, "2.08", "168469.60"),  # the largest line of the data
        (12, "0", "0.00"),
    ],
)
def test_line_total_rounds_half_up_to_pence(quantity: int, unit_price: str, expected: str) -> None:
    assert line_total(quantity, Decimal(unit_price), "GBP").amount == Decimal(expected)


@given(quantity=quantities, unit_price=prices)
def test_a_returned_line_refunds_exactly_what_was_charged(
    quantity: int, unit_price: Decimal
) -> None:
    assert line_total(-quantity, unit_price, "GBP") == -line_total(quantity, unit_price, "GBP")


@given(
    quantity=st.one_of(
        quantities,
        st.decimals(min_value=Decimal("-1000"), max_value=Decimal("1000"), places=3),
    ),
    unit_price=st.decimals(min_value=Decimal("-999999"), max_value=Decimal("999999"), places=6),
    currency=st.sampled_from(["GBP", "JPY", "KWD"]),
)
def test_a_line_total_in_minor_units_is_the_rounded_line_total(
    quantity: int | Decimal, unit_price: Decimal, currency: str
) -> None:
    # The hub checks each line it ingests with line_total_minor: the same pence, or a sale
    # would raise (or hide) a line_arithmetic exception.
    expected = line_total(quantity, unit_price, currency).minor
    assert line_total_minor(quantity, unit_price, currency) == expected


@given(amounts=st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=30))
def test_sums_of_minor_units_are_exact(amounts: list[int]) -> None:
    total = Money.sum((Money.from_minor(amount, "GBP") for amount in amounts), "GBP")
    assert total.minor == sum(amounts)


def test_money_refuses_floats() -> None:
    with pytest.raises(InvalidAmount):
        Money.of(2.55, "GBP")  # type: ignore[arg-type]  # a float on purpose: it must be refused
    with pytest.raises(InvalidAmount):
        line_total(1, 2.55, "GBP")  # type: ignore[arg-type]  # as above


@pytest.mark.parametrize("text", ["NaN", "Infinity", "two pounds", ""])
def test_money_refuses_what_is_not_a_finite_number(text: str) -> None:
    with pytest.raises(InvalidAmount):
        Money.of(text, "GBP")


def test_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "GBP") + Money.of("1", "EUR")


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        Money.of("1", "XXX")


def test_zero_decimal_currency_quantizes_to_whole_units() -> None:
    assert Money.of("1234.5", "JPY").amount == Decimal("1235")
    assert Money.of("1234.5", "JPY").minor == 1235
