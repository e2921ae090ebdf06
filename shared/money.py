"""Money: a Decimal amount in a currency, always quantized to the currency's minor unit.

Floats never enter: `Money` refuses them, and every amount that leaves a multiplication is
quantized here, in `quantize`, with ROUND_HALF_UP. That is the one place rounding happens.
ROUND_HALF_UP rounds ties away from zero, so it is symmetric: the refund of a line is exactly
the negation of its sale (-0.005 -> -0.01, 0.005 -> 0.01).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from shared.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency

# ISO 4217 minor units for the currencies a store can be configured with.
MINOR_UNITS: dict[str, int] = {
    "GBP": 2,
    "EUR": 2,
    "USD": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CAD": 2,
    "AUD": 2,
    "JPY": 0,
    "KWD": 3,
}

# Enough digits for any till total; the default context (28) is plenty, but be explicit.
_PRECISION = 38
# Digits before the point an amount may have to become minor units (any int64 has 19).
_MAX_DIGITS = 30


def minor_units(currency: str) -> int:
    """Number of decimal places of `currency` (ISO 4217). Raises UnknownCurrency."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise UnknownCurrency(currency) from None


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Exact conversion of an int, a decimal string or a Decimal; floats raise InvalidAmount."""
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidAmount(repr(value), "floats are not accepted for money")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(value)
        except (InvalidOperation, ValueError, TypeError):
            raise InvalidAmount(repr(value), "not a decimal number") from None
    if not result.is_finite():
        raise InvalidAmount(repr(value), "not a finite number")
    return result


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` to the minor unit of `currency`, ROUND_HALF_UP. The project's only rounding."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    with localcontext() as context:
        context.prec = _PRECISION
        return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """`amount` in integer minor units of `currency` (rounded by `quantize` if it has more places).

    The fast path for amounts that are already exact, as every amount on the wire is.
    Raises UnknownCurrency, InvalidAmount (not finite, or more than 30 digits before the
    point: its integer would take a hostile sender's time and memory, "1E+999999999").
    """
    if not amount.is_finite() or amount.adjusted() > _MAX_DIGITS:
        raise InvalidAmount(str(amount), "beyond any amount")
    scaled = amount.scaleb(minor_units(currency))
    if scaled == scaled.to_integral_value():
        return int(scaled)
    return int(quantize(amount, currency).scaleb(minor_units(currency)))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of a currency, quantized to its minor unit (GBP: pence).

    Construct with `Money.of("2.55", "GBP")` or `Money.from_minor(255, "GBP")`.
    Raises InvalidAmount for floats and non-numbers, UnknownCurrency for unknown codes,
    CurrencyMismatch when two currencies meet in arithmetic or comparison.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", quantize(to_decimal(self.amount), self.currency))

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        return cls(to_decimal(amount), currency)

    @classmethod
    def exact(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Money that needs no rounding: refuses "0.005" GBP (InvalidAmount) instead of rounding.

        For amounts a person typed or counted (cash handed over), where rounding would hide a
        mistake.
        """
        value = to_decimal(amount)
        money = cls(value, currency)
        if money.amount != value:
            raise InvalidAmount(
                str(value), f"{currency} has {minor_units(currency)} decimal places"
            )
        return money

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls._quantized(Decimal(0).scaleb(-minor_units(currency)), currency)

    @classmethod
    def from_minor(cls, amount_minor: int, currency: str) -> Money:
        """From integer minor units (pence for GBP)."""
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
            raise InvalidAmount(repr(amount_minor), "minor units must be an int")
        # An integer scaled by the currency's places is already on the minor unit.
        return cls._quantized(Decimal(amount_minor).scaleb(-minor_units(currency)), currency)

    @classmethod
    def _quantized(cls, amount: Decimal, currency: str) -> Money:
        """Money of an amount already on `currency`'s minor unit (the sum, difference or
        negation of two such amounts is: Decimal adds exactly, keeping the smaller exponent),
        without quantizing it again: the reports fold thousands of these."""
        money = object.__new__(cls)
        object.__setattr__(money, "amount", amount)
        object.__setattr__(money, "currency", currency)
        return money

    @property
    def minor(self) -> int:
        """The amount in integer minor units (pence for GBP)."""
        return int(self.amount.scaleb(minor_units(self.currency)))

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money._quantized(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money._quantized(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money._quantized(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money._quantized(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    @staticmethod
    def sum(amounts: Iterable[Money], currency: str) -> Money:
        """Sum of `amounts` (all in `currency`); the empty sum is zero."""
        total = Money.zero(currency)
        for amount in amounts:
            total = total + amount
        return total


def line_total(quantity: int | Decimal, unit_price: Decimal, currency: str) -> Money:
    """quantity x unit price, rounded to the minor unit ROUND_HALF_UP: the one place a line's
    total is rounded.

    `quantity` is whole units (an int) or a weight in kg (a Decimal, at most 3 places:
    0.735 kg x 12.99 = 9.54765 -> 9.55 GBP). `unit_price` may carry more places than the
    currency (the data has 0.001 GBP items); only the product is rounded. Negative quantities
    (returns) give the exact negation. Raises InvalidAmount for a float, a bool or a
    non-finite quantity.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int | Decimal):
        raise InvalidAmount(repr(quantity), "quantity must be an int or a Decimal")
    if isinstance(quantity, Decimal) and not quantity.is_finite():
        raise InvalidAmount(repr(quantity), "quantity must be finite")
    with localcontext() as context:
        context.prec = _PRECISION
        return Money(to_decimal(unit_price) * quantity, currency)


def line_total_minor(quantity: int | Decimal, unit_price: Decimal, currency: str) -> int:
    """`line_total(quantity, unit_price, currency).minor`, exactly, without building the Money:
    the hub checks every line it ingests with it. Raises as `line_total` does, and
    UnknownCurrency."""
    if isinstance(quantity, bool) or not isinstance(quantity, int | Decimal):
        raise InvalidAmount(repr(quantity), "quantity must be an int or a Decimal")
    if isinstance(quantity, Decimal) and not quantity.is_finite():
        raise InvalidAmount(repr(quantity), "quantity must be finite")
    places = minor_units(currency)
    with localcontext() as context:
        context.prec = _PRECISION
        product = to_decimal(unit_price) * quantity
        scaled = product.scaleb(places)
        if scaled == scaled.to_integral_value():  # on the minor unit already: no rounding
            return int(scaled)
        exponent = Decimal(1).scaleb(-places)
        return int(product.quantize(exponent, rounding=ROUND_HALF_UP).scaleb(places))


def _refuse_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("money and prices must be decimal strings, not JSON numbers")
    return value


# A Decimal in a response (or a message we write): "2.55" in JSON, never a float on the way
# in or out, never in exponent notation. What comes from outside takes a bounded type of
# shared.bounds instead (Price, Amount, LedgerDecimal...), which says its bounds.
DecimalText = Annotated[
    Decimal,
    BeforeValidator(_refuse_float),
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
    WithJsonSchema(
        {"anyOf": [{"type": "string"}, {"type": "integer"}], "description": "A decimal number"},
        mode="validation",
    ),
]
