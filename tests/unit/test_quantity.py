"""Quantities in a unit of measure: whole units, or kg to 3 places, exact end to end."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.money import line_total
from shared.quantity import QuantityRefused, from_stored, quantity_of, to_stored, weight_text


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (3, "each", 3),
        ("3", "each", 3),
        (Decimal("3.000"), "each", 3),
        ("0.735", "kg", Decimal("0.735")),
        ("0.7", "kg", Decimal("0.700")),
        (2, "kg", Decimal("2.000")),
        ("-0.300", "kg", Decimal("-0.300")),
    ],
)
def test_a_quantity_takes_the_form_of_its_unit(value: object, unit: str, expected: object) -> None:
    quantity = quantity_of(value, unit)  # type: ignore[arg-type]
    assert quantity == expected and type(quantity) is type(expected)


@pytest.mark.parametrize(
    ("value", "unit"),
    [("1.5", "each"), ("0.7355", "kg"), (0.5, "kg"), (True, "each"), ("NaN", "kg"), ("1", "g")],
)
def test_a_quantity_its_unit_cannot_take_is_refused(value: object, unit: str) -> None:
    with pytest.raises(QuantityRefused):
        quantity_of(value, unit)  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**9), max_value=10**9), st.sampled_from(["each", "kg"]))
def test_storing_a_quantity_is_exact(stored: int, unit: str) -> None:
    assert to_stored(from_stored(stored, unit), unit) == stored


def test_a_weight_is_priced_once_half_up_to_the_penny() -> None:
    # 0.735 kg x 12.99 = 9.54765: 9.55, and the refund of it is exactly the negation.
    assert line_total(Decimal("0.735"), Decimal("12.99"), "GBP").amount == Decimal("9.55")
    assert line_total(Decimal("-0.735"), Decimal("12.99"), "GBP").amount == Decimal("-9.55")
    assert line_total(Decimal("0.005"), Decimal("1.00"), "GBP").amount == Decimal("0.01")
    assert weight_text(435) == "0.435" and weight_text(0) == "0.000"
