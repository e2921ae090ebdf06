"""Quantities of a line in its unit of measure: whole units (`each`) or kilograms to 3 places.

A line's quantity is an `int` for an `each` product (as it always was, so integer data reads,
travels and sums exactly as before) and a `Decimal` of at most 3 places for a `kg` product
(grams are the smallest step a retail scale reports, and GS1 weight-embedded barcodes carry
3 decimals of a kilogram). Floats never enter: `quantity_of` refuses them.

Stored exactly as a scaled integer (`to_stored`: units for `each`, thousandths of a kilogram
for `kg`), so SQLite sums them without rounding.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, get_args

Unit = Literal["each", "kg"]
UNITS: tuple[str, ...] = get_args(Unit)
KG_PLACES = 3
# A kilogram in stored steps (grams): the scale of `to_stored` for `kg`.
KG_STEPS = 10**KG_PLACES

LineQuantity = int | Decimal
"""A line's quantity: an int for `each`, a Decimal (at most KG_PLACES places) for `kg`."""


class QuantityRefused(ValueError):
    """A quantity its unit cannot take: a fraction of an `each` item, more than 3 places of a
    kilogram, a float or a non-number."""

    def __init__(self, quantity: object, unit: str, reason: str) -> None:
        super().__init__(f"quantity {quantity} ({unit}): {reason}")
        self.quantity = quantity
        self.unit = unit
        self.reason = reason


def quantity_of(value: int | Decimal | str, unit: str) -> LineQuantity:
    """`value` as a quantity of `unit`: an int for `each`, a Decimal of at most 3 places for
    `kg` (normalized to 3 places: "0.7" -> Decimal("0.700")).

    Raises QuantityRefused for a float or bool, text that is not a finite decimal, a fraction
    of an `each` item, more than 3 decimal places of a kilogram, or an unknown unit.
    """
    if isinstance(value, bool | float):
        raise QuantityRefused(value, unit, "must be a whole number or a decimal string")
    if unit not in UNITS:
        raise QuantityRefused(value, unit, f"unknown unit (one of {', '.join(UNITS)})")
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except ArithmeticError:
        raise QuantityRefused(value, unit, "not a decimal number") from None
    if not number.is_finite() or number.adjusted() > 12:
        raise QuantityRefused(value, unit, "not a finite number in range")
    if unit == "each":
        if number != number.to_integral_value():
            raise QuantityRefused(value, unit, "an item sold by the unit takes a whole number")
        return int(number)
    stepped = number.scaleb(KG_PLACES)
    if stepped != stepped.to_integral_value():
        raise QuantityRefused(value, unit, f"a weight takes at most {KG_PLACES} decimal places")
    return Decimal(int(stepped)).scaleb(-KG_PLACES)


def to_stored(quantity: LineQuantity, unit: str) -> int:
    """The exact integer a column stores: units for `each`, thousandths of a kg for `kg`."""
    if unit == "kg":
        return int(Decimal(quantity).scaleb(KG_PLACES))
    return int(quantity)


def from_stored(stored: int, unit: str) -> LineQuantity:
    """The quantity `to_stored` wrote (an int for `each`, a 3-place Decimal for `kg`)."""
    if unit == "kg":
        return Decimal(int(stored)).scaleb(-KG_PLACES)
    return int(stored)


def quantity_text(quantity: LineQuantity) -> str:
    """A quantity as plain text: "3", "0.735" (never exponent notation)."""
    return format(quantity, "f") if isinstance(quantity, Decimal) else str(quantity)


def weight_text(stored_kg: int) -> str:
    """A sum of stored `kg` quantities (thousandths) as a decimal string of kilograms, "1.470"."""
    return format(Decimal(int(stored_kg)).scaleb(-KG_PLACES), "f")
